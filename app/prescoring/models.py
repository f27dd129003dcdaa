"""Essay pre-scoring: the registry of trained scorers, the suggestions they made and the commission's discussions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

SCOPE_TOPIC: Final = "topic"
SCOPE_CROSS_TOPIC: Final = "cross_topic"
SCOPES: tuple[str, ...] = (SCOPE_TOPIC, SCOPE_CROSS_TOPIC)

SUGGESTED: Final = "suggested"
UNAVAILABLE: Final = "unavailable"
SUGGESTION_STATUSES: tuple[str, ...] = (SUGGESTED, UNAVAILABLE)

BLIND_FIRST: Final = "blind_first"
ASSIST: Final = "assist"
PRESCORING_MODES: tuple[str, ...] = (BLIND_FIRST, ASSIST)
"""``blind_first`` (default): a member sees the suggestion after scoring; ``assist``: at once."""


class EssayModel(Base):
    """One trained essay scorer (the model registry); the newest row per scope and topic serves.

    ``topic_key`` is the SHA-256 of the competition's normalised Kazakh and Russian topic texts
    (``None`` for the cross-topic model); ``training_data_sha256`` the hash of the sorted
    ``(essay content hash, final score)`` pairs it learnt from; ``metrics`` the scorer's
    cross-validated figures on that data; ``artifact`` the scorer's own bytes (``to_bytes``).
    """

    __tablename__ = "essay_models"
    __table_args__ = (
        CheckConstraint("scope IN ('topic', 'cross_topic')", name="scope"),
        CheckConstraint("(scope = 'topic') = (topic_key IS NOT NULL)", name="topic_key_of_scope"),
        Index("ix_essay_models_scope_topic", "scope", "topic_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    topic_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    params_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    training_data_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    n_train: Mapped[int] = mapped_column(Integer, nullable=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    encoder: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    artifact: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class EssaySuggestion(Base):
    """The pre-score of one locked essay, or why there is none.

    A ``suggested`` row points at the ``member_scores`` row of type ``ml_suggestion`` that holds
    the score (no scorer account; it never counts). An ``unavailable`` row keeps the ``reason``
    code (``ml.essay_scoring.api`` reasons) and may later become ``suggested`` when a model appears.
    """

    __tablename__ = "essay_suggestions"
    __table_args__ = (
        UniqueConstraint("essay_id", "content_hash"),
        CheckConstraint("status IN ('suggested', 'unavailable')", name="status"),
        CheckConstraint("status <> 'suggested' OR member_score_id IS NOT NULL", name="suggested_has_score"),
        CheckConstraint("status <> 'unavailable' OR reason IS NOT NULL", name="unavailable_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id", ondelete="CASCADE"), nullable=False)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    member_score_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_scores.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    top_features: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    model: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class EssayDiscussion(Base):
    """The commission's discussion of a flagged essay, recorded by the chair before the stage closes.

    ``reasons`` lists the flags it settled (each with its stable ``key``); a later score change
    that raises a flag not among them needs a new discussion.
    """

    __tablename__ = "essay_discussions"
    __table_args__ = (CheckConstraint("stage = 'essay'", name="stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage: Mapped[str] = mapped_column(String(16), nullable=False, default="essay")
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    resolved_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
