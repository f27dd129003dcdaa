"""The job that submits a test session at its deadline, whether or not the candidate comes back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db import transaction, utcnow
from app.exams import service
from app.exams.models import SUBMITTED, TestSession
from app.jobs.queue import JobContext, job_handler
from app.rules.policy import policy_from_overrides


class NotDueYet(RuntimeError):
    """The job ran before its session's deadline (clock skew): raised so the queue retries it later."""


def auto_submit(context: JobContext, session_id: int, now: datetime) -> dict[str, Any]:
    """Submit session ``session_id`` as of ``now`` if its deadline has come and it is still running."""
    policy = policy_from_overrides(context.settings.policy_overrides)
    with transaction(context.sessions) as session:
        test_session = session.get(TestSession, session_id)
        if test_session is None:
            return {"session_id": session_id, "status": "missing"}
        if test_session.status == SUBMITTED:
            return {"session_id": session_id, "status": "already_submitted", "by": test_session.submitted_by}
        if now < test_session.deadline:
            raise NotDueYet(f"session {session_id} ends at {test_session.deadline.isoformat()}")
        service.submit(session=session, session_id=session_id, actor=None, now=now, policy=policy, by="deadline")
    return {"session_id": session_id, "status": "submitted", "by": "deadline"}


@job_handler(service.AUTO_SUBMIT_JOB)
def auto_submit_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    return auto_submit(context, int(payload["session_id"]), utcnow())
