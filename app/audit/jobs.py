"""Queue jobs of the audit trail."""

from __future__ import annotations

from typing import Any

from app.audit.service import verify_chain
from app.jobs.queue import JobContext, job_handler


@job_handler("audit.verify_chain")
def verify_chain_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Recompute the whole chain; a broken chain is a result to report, not a job failure."""
    context.progress(0, "verifying")
    with context.sessions() as session:
        check = verify_chain(session)
    return {"events": check.events, "valid": check.valid, "first_bad_id": check.first_bad_id, "reason": check.reason}
