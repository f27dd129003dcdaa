"""A candidate's application to a competition and the stage results recorded for it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

SUBMITTED: Final = "submitted"
CONFIRMED: Final = "confirmed"
REJECTED: Final = "rejected"
APPLICATION_STATUSES: tuple[str, ...] = (SUBMITTED, CONFIRMED, REJECTED)


class Application(Base):
    """One candidate in one competition, known to the commission only by ``anonymous_code``.

    The qualification check and the figures the final tie-break needs (experience and
    education level) are taken from the personal file on the day of application and kept.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("competition_id", "candidate_id"),
        UniqueConstraint("candidate_id", "idempotency_key"),
        CheckConstraint("status IN ('submitted', 'confirmed', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    anonymous_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SUBMITTED, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    applied_on: Mapped[date] = mapped_column(Date, nullable=False)
    hr_confirmation_due: Mapped[date] = mapped_column(Date, nullable=False)
    qualified: Mapped[bool] = mapped_column(Boolean, nullable=False)
    qualification: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    experience_months: Mapped[int] = mapped_column(Integer, nullable=False)
    education_level: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RecordedStageResult(Base):
    """Results recorded by hand for one application until the test sessions record them themselves.

    The shapes and ranges are the replay format's; ``personal_qualities_percent`` keeps the
    decimal as written ("62.5"), so the core reads it exactly.
    """

    __tablename__ = "recorded_stage_results"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    legislation: Mapped[dict[str, int] | None] = mapped_column(JSON, nullable=True)
    legislation_certificate_valid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    personal_qualities_percent: Mapped[str | None] = mapped_column(String(24), nullable=True)
    personal_qualities_reliable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reasoning_text: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reasoning_numeric: Mapped[int | None] = mapped_column(Integer, nullable=True)
    violations: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
