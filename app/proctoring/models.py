"""Proctoring events of a test session and the proctor's review of them."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow
from app.rules.proctoring import FORBIDDEN_BEHAVIOURS

UNRELIABLE_ANSWERS: Final = "unreliable_answers"
"""A review flag with no event: the personal-qualities validity scale failed (§4)."""

PENDING: Final = "pending"
CONFIRMED: Final = "confirmed"
DISMISSED: Final = "dismissed"
REVIEW_STATUSES: tuple[str, ...] = (PENDING, CONFIRMED, DISMISSED)


class ProctoringReview(Base):
    """The proctor's review of one test session: pending until confirmed (a violation) or dismissed.

    ``flags`` lists why it is in the queue: event kinds and ``unreliable_answers``.
    """

    __tablename__ = "proctoring_reviews"
    __table_args__ = (CheckConstraint(check_in("status", REVIEW_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("test_sessions.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    flags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProctoringEvent(Base):
    """One observation the proctoring client reported; ``flagged`` is false when the rules allow it."""

    __tablename__ = "proctoring_events"
    __table_args__ = (CheckConstraint(check_in("kind", FORBIDDEN_BEHAVIOURS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("test_sessions.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    evidence_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reported_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
