"""Every table of the service, imported in one place for Alembic and the tests."""

from __future__ import annotations

from app.applications.models import Application, RecordedStageResult
from app.audit.models import AuditEvent
from app.auth.models import Account, StateBody
from app.candidates.models import Candidate, CandidateLanguage, Consent, EducationRecord, WorkRecord
from app.competitions.models import CommissionMember, Competition, MemberScore
from app.db import Base
from app.jobs.models import Job
from app.notifications.models import Notification, OutboxMessage
from app.protocol.models import Protocol, ProtocolSignature
from app.vacancies.models import Vacancy

metadata = Base.metadata

__all__ = [
           "Account",
           "Application",
           "AuditEvent",
           "Candidate",
           "CandidateLanguage",
           "CommissionMember",
           "Competition",
           "Consent",
           "EducationRecord",
           "Job",
           "MemberScore",
           "Notification",
           "OutboxMessage",
           "Protocol",
           "ProtocolSignature",
           "RecordedStageResult",
           "StateBody",
           "Vacancy",
           "WorkRecord",
           "metadata",
]
