"""Proctoring events of a test session (the review they raise: ``app.exams.reviews``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow
from app.rules.proctoring import FORBIDDEN_BEHAVIOURS


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
