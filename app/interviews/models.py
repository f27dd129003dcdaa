"""An interview slot of one shortlisted application, with the place for its recording and transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

SCHEDULED: Final = "scheduled"
HELD: Final = "held"
CANCELLED: Final = "cancelled"
INTERVIEW_STATUSES: tuple[str, ...] = (SCHEDULED, HELD, CANCELLED)


class Interview(Base):
    """The interview (әңгімелесу) of one application with the commission, by video link.

    ``ends_at`` is ``starts_at + duration_minutes`` (the policy's ``interview_minutes``), kept so
    overlapping slots are found in one query. The members' notes are the comments of their
    scores (``member_scores``). ``recording_ref`` and ``transcript_ref`` stay empty until the
    transcription issue stores the video recording and its transcript (references to stored
    objects, never the media itself).
    """

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SCHEDULED)
    scheduled_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recording_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    transcript_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
