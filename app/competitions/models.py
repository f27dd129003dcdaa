"""The competition (конкурс) of one vacancy, its commission and the commission members' scores."""

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

OPEN: Final = "open"
CLOSED: Final = "closed"
RESULTS_PUBLISHED: Final = "results_published"
COMPETITION_STATUSES: tuple[str, ...] = (OPEN, CLOSED, RESULTS_PUBLISHED)
"""``open``: applications accepted; ``closed``: no more applications, stages run; then the results."""

CHAIR: Final = "chair"
MEMBER: Final = "member"
SECRETARY: Final = "secretary"
COMMISSION_ROLES: tuple[str, ...] = (CHAIR, MEMBER, SECRETARY)
VOTING_ROLES: tuple[str, ...] = (CHAIR, MEMBER)
"""The secretary keeps the record and does not score."""

SCORED_STAGES: tuple[str, ...] = ("essay", "practical", "interview")
SCORE_MEMBER: Final = "member"
SCORE_ML_SUGGESTION: Final = "ml_suggestion"
SCORE_TYPES: tuple[str, ...] = (SCORE_MEMBER, SCORE_ML_SUGGESTION)
"""Only ``member`` scores count; an ``ml_suggestion`` never enters a total, a pass mark or a protocol."""


class Competition(Base):
    """One competition per vacancy; ``policy`` is the SelectionPolicy snapshot it keeps to the end."""

    __tablename__ = "competitions"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed', 'results_published')", name="status"),
        CheckConstraint("prescoring_mode IN ('blind_first', 'assist')", name="prescoring_mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    managerial: Mapped[bool] = mapped_column(Boolean, nullable=False)
    stage_plan: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=OPEN, index=True)
    essay_topic_kk: Mapped[str | None] = mapped_column(Text, nullable=True)
    essay_topic_ru: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_on: Mapped[date] = mapped_column(Date, nullable=False)
    applications_close_on: Mapped[date] = mapped_column(Date, nullable=False)
    documents_review_due: Mapped[date] = mapped_column(Date, nullable=False)
    results_published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    prescoring_mode: Mapped[str] = mapped_column(
        String(16), nullable=False, default="blind_first", server_default="blind_first"
    )
    """How members meet the essay pre-score: ``blind_first`` (after their own score) or ``assist`` (at once)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CommissionMember(Base):
    """A commission member's seat (конкурстық комиссия мүшесі) in one competition."""

    __tablename__ = "commission_members"
    __table_args__ = (
        UniqueConstraint("competition_id", "account_id"),
        CheckConstraint("role IN ('chair', 'member', 'secretary')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    added_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class MemberScore(Base):
    """One score of one application at one scored stage, by a commission member or as an ML suggestion."""

    __tablename__ = "member_scores"
    __table_args__ = (
        UniqueConstraint("application_id", "stage", "scorer_account_id", "score_type"),
        CheckConstraint("stage IN ('essay', 'practical', 'interview')", name="stage"),
        CheckConstraint("score_type IN ('member', 'ml_suggestion')", name="score_type"),
        CheckConstraint("score_type <> 'member' OR scorer_account_id IS NOT NULL", name="member_has_scorer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    scorer_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    score_type: Mapped[str] = mapped_column(String(16), nullable=False, default=SCORE_MEMBER)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
