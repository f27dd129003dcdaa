"""Reading a background job's state and progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from app.auth.deps import CurrentAccount
from app.auth.permissions import can
from app.deps import SessionDep
from app.errors import DomainError
from app.job_access import job_access
from app.jobs.errors import JOB_NOT_FOUND
from app.jobs.models import Job

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


class JobOut(BaseModel):
    id: str
    kind: str
    status: str
    progress: float
    progress_note: str | None
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/{job_id}", response_model=JobOut)
def read_job(job_id: Annotated[str, Path(max_length=36)], account: CurrentAccount, session: SessionDep) -> JobOut:
    """A job's state, for whoever may read the object it works on (``app.job_access``); 404 for anyone else."""
    with session.begin():
        job = session.get(Job, job_id)
        if job is None or not (
            can(account, "job.read") or any(can(account, "job.read", facts) for facts in job_access(session, job))
        ):
            raise DomainError(JOB_NOT_FOUND, f"no job {job_id}")
        return JobOut.model_validate(job, from_attributes=True)
