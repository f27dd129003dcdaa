"""The daily look for overdue appointments and documents: the body's HR officers are told (kk/ru), once each."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.appointments.service import OVERDUE_JOB, notify_overdue
from app.clock import kazakhstan_today
from app.db import transaction
from app.jobs.queue import JobContext, job_handler, periodic_job


@job_handler(OVERDUE_JOB)
def appointments_overdue(context: JobContext, payload: dict[str, Any]) -> dict[str, int]:
    """Payload ``{"today": "YYYY-MM-DD"}`` optional (default: the day in Kazakhstan)."""
    today = date.fromisoformat(payload["today"]) if payload.get("today") else kazakhstan_today()
    with transaction(context.sessions) as session:
        return notify_overdue(session=session, queue=context.queue, today=today)


periodic_job(OVERDUE_JOB, minute="10", hour="3")  # every day at 08:10 in Astana (UTC+5), before the working day
