"""The essay a candidate writes online, the practical-assessment tasks and the record of closed scored stages."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

ESSAY_LANGUAGES: tuple[str, ...] = ("kk", "ru")
ESSAY_TEXT_MAX_CHARS: Final = 20_000
"""A guard against abuse only: the word limit is the rule (``essay_word_limit``)."""


class Essay(Base):
    """One essay per application, written in Kazakh or Russian against a server-side deadline.

    ``deadline_at`` is ``started_at + essay_minutes`` of the competition's policy snapshot (no
    accommodation time exists in the personal file yet; it would be added here). Once
    ``locked``, ``text`` never changes and ``content_hash`` is the SHA-256 of its UTF-8 bytes.
    """

    __tablename__ = "essays"
    __table_args__ = (
        CheckConstraint("language IN ('kk', 'ru')", name="language"),
        CheckConstraint(
            "NOT locked OR (submitted_at IS NOT NULL AND content_hash IS NOT NULL)", name="locked_has_hash"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    word_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class PracticalTask(Base):
    """A task of a competition's practical assessment, set by the HR service in Kazakh and Russian.

    ``level_note`` says for which position level the task's content and difficulty were chosen.
    """

    __tablename__ = "practical_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title_kk: Mapped[str] = mapped_column(String(300), nullable=False)
    title_ru: Mapped[str] = mapped_column(String(300), nullable=False)
    instructions_kk: Mapped[str] = mapped_column(Text, nullable=False)
    instructions_ru: Mapped[str] = mapped_column(Text, nullable=False)
    level_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class StageClosure(Base):
    """A scored stage (essay, practical, interview) of a competition closed by the HR service: scores are final."""

    __tablename__ = "stage_closures"
    __table_args__ = (
        UniqueConstraint("competition_id", "stage"),
        CheckConstraint("stage IN ('essay', 'practical', 'interview')", name="stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    closed_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
