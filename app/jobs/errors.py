"""Error codes of background jobs."""

from __future__ import annotations

from app.errors import Kind, error_code

JOB_NOT_FOUND = error_code("job_not_found", Kind.NOT_FOUND, "The job does not exist")
