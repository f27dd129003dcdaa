"""Every job kind of the service, registered in one place, and the queue that runs them.

Importing a domain's ``jobs`` module registers its handlers (``app.jobs.queue.job_handler``); the API,
the worker and the CLI build their queue here, so each process knows the same kinds.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

import app.alerts.jobs
import app.appointments.jobs
import app.audit.jobs
import app.exams.jobs
import app.matching.jobs
import app.notifications.jobs
import app.prescoring.jobs
import app.research.jobs
import app.transcripts.jobs  # noqa: F401  (each import registers the module's job kinds)
from app.jobs.queue import JobQueue, queue_from_settings
from app.settings import Settings


def build_queue(settings: Settings, sessions: sessionmaker[Session]) -> JobQueue:
    """The process's queue, with every job kind of the service registered."""
    return queue_from_settings(settings, sessions)
