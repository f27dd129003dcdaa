"""Every table of the service, imported in one place for Alembic and the tests."""

from __future__ import annotations

from app.audit.models import AuditEvent
from app.db import Base
from app.jobs.models import Job

metadata = Base.metadata

__all__ = ["AuditEvent", "Job", "metadata"]
