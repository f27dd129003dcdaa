"""Stored fairness audits: the yearly audit of a state body (the Local Law 144 pattern), kept with its inputs' hash."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String
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
