"""The scheduled audit: every state body's fairness audit of the past calendar year, stored (issue 16)."""

from __future__ import annotations

from typing import Any

from app.clock import kazakhstan_today
from app.db import transaction
from app.jobs.queue import JobContext, job_handler, periodic_job
from app.research.service import YEARLY_AUDIT_JOB, previous_year, yearly_audits


@job_handler(YEARLY_AUDIT_JOB)
def research_yearly_audit(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload ``{"year": Y}`` (default: the past year): store each state body's audit of that year."""
    year = int(payload.get("year") or previous_year(kazakhstan_today()))
    with transaction(context.sessions) as session:
        stored = yearly_audits(
            session=session,
            year=year,
            min_cell=context.settings.research_min_cell,
            secret_key=context.settings.secret_key,
        )
        return {"year": year, "audits": [row.id for row in stored]}


periodic_job(YEARLY_AUDIT_JOB, month="1", day="15", hour="1", minute="30")  # 15 January, 06:30 Astana
