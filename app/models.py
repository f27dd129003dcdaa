"""Every table of the service, imported in one place for Alembic and the tests."""

from __future__ import annotations

from app.alerts.models import AlertCampaign, AlertCampaignRecipient, AlertDelivery, AlertStandingRule, AlertSubscription
from app.analytics.models import CompetitionStageCount, CompetitionSummary, WorkingDayNumber
from app.applications.models import Application, RecordedStageResult
from app.appointments.models import Appointment
from app.audit.models import AuditEvent
from app.auth.models import Account, SignInThrottle, StateBody
from app.candidates.models import Candidate, CandidateLanguage, Consent, EducationRecord, WorkRecord
from app.competitions.models import CommissionMember, Competition, MemberScore
from app.db import Base
from app.essays.models import Essay, PracticalTask, StageClosure
from app.exams.models import Accommodation, Certificate, TestAnswer, TestBooking, TestResult, TestSession
from app.exams.reviews import ProctoringReview
from app.interviews.models import Interview
from app.items.models import TestForm
from app.jobs.models import Job
from app.matching.models import StoredEmbedding
from app.mlops.models import MLSwitch
from app.notifications.models import Notification, OutboxMessage
from app.prescoring.models import EssayDiscussion, EssayModel, EssaySuggestion
from app.proctoring.models import ProctoringEvent
from app.protocol.models import Protocol, ProtocolSignature
from app.research.models import ResearchStudy, StoredAudit
from app.talent.models import ReserveMembership, TalentInvitation
from app.transcripts.models import Recording, Transcript, TranscriptVersion
from app.vacancies.models import Vacancy
from app.web.models import WebSession

metadata = Base.metadata

__all__ = [
    "Accommodation",
    "Account",
    "AlertCampaign",
    "AlertCampaignRecipient",
    "AlertDelivery",
    "AlertStandingRule",
    "AlertSubscription",
    "Application",
    "Appointment",
    "AuditEvent",
    "Candidate",
    "CandidateLanguage",
    "Certificate",
    "CommissionMember",
    "Competition",
    "CompetitionStageCount",
    "CompetitionSummary",
    "Consent",
    "EducationRecord",
    "Essay",
    "EssayDiscussion",
    "EssayModel",
    "EssaySuggestion",
    "Interview",
    "Job",
    "MLSwitch",
    "MemberScore",
    "Notification",
    "OutboxMessage",
    "PracticalTask",
    "ProctoringEvent",
    "ProctoringReview",
    "Protocol",
    "ProtocolSignature",
    "RecordedStageResult",
    "Recording",
    "ResearchStudy",
    "ReserveMembership",
    "SignInThrottle",
    "StageClosure",
    "StateBody",
    "StoredAudit",
    "StoredEmbedding",
    "TalentInvitation",
    "TestAnswer",
    "TestBooking",
    "TestForm",
    "TestResult",
    "TestSession",
    "Transcript",
    "TranscriptVersion",
    "Vacancy",
    "WebSession",
    "WorkRecord",
    "WorkingDayNumber",
    "metadata",
]
