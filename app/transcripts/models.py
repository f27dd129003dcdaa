"""An interview's recordings (media kept for a retention period) and its transcript in versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

QUEUED: Final = "queued"
TRANSCRIBED: Final = "transcribed"
FAILED: Final = "failed"
DISABLED: Final = "transcription_disabled"
RECORDING_STATUSES: tuple[str, ...] = (QUEUED, TRANSCRIBED, FAILED, DISABLED)


class Recording(Base):
    """One uploaded recording of an interview (жазба). ``path`` is relative to ``data_dir/recordings`` and
    empty once the file is deleted (``deleted_at``); the transcript outlives it."""

    __tablename__ = "interview_recordings"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'transcribed', 'failed', 'transcription_disabled')", name="status"),
        CheckConstraint("language IN ('kk', 'ru')", name="language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default=QUEUED)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Transcript(Base):
    """The transcript of one interview (әңгімелесу стенограммасы): a list of versions, the machine's first."""

    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_recordings.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TranscriptVersion(Base):
    """One version: the machine's (``author_id`` empty, with its model) or a member's correction.

    ``segments`` is a list of ``{start, end, text, ...}`` (the machine adds confidence,
    low_confidence, flags); ``details`` holds the machine's metadata (durations, quality note,
    decoding options). Versions are never changed or deleted.
    """

    __tablename__ = "transcript_versions"
    __table_args__ = (UniqueConstraint("transcript_id", "version", name="uq_transcript_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    detected_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    language_probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    language_mismatch: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    model: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    recording_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
