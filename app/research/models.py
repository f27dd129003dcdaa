"""Stored fairness audits: the yearly audit of a state body (the Local Law 144 pattern), kept with its inputs' hash."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class StoredAudit(Base):
    """One audit of a state body's competitions published in a period: the aggregates only (as the API gives
    them, small cells already suppressed) and the SHA-256 of the data they were computed from."""

    __tablename__ = "research_audits"
    __table_args__ = (CheckConstraint("period_to >= period_from", name="period_in_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    period_from: Mapped[date] = mapped_column(Date, nullable=False)
    period_to: Mapped[date] = mapped_column(Date, nullable=False)
    groups: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    min_cell: Mapped[int] = mapped_column(Integer, nullable=False)
    inputs_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


STUDY_REQUESTED = "requested"
STUDY_APPROVED = "approved"
STUDY_REJECTED = "rejected"
STUDY_STATUSES = (STUDY_REQUESTED, STUDY_APPROVED, STUDY_REJECTED)


class ResearchStudy(Base):
    """A researcher's request for a pseudonymised record export, and an administrator's decision on it.

    ``salt`` is the study's own secret: each identifier of an export is its keyed hash under this salt, so
    the same person has one pseudonym within a study and unrelated pseudonyms across studies. It never
    leaves the service."""

    __tablename__ = "research_studies"
    __table_args__ = (CheckConstraint("status IN ('requested', 'approved', 'rejected')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=STUDY_REQUESTED, index=True)
    salt: Mapped[str] = mapped_column(String(64), nullable=False)
    requested_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    exports: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
