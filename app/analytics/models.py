"""What the figures read of a published outcome, kept once per competition (outcomes never change after publication).

A national history has hundreds of thousands of outcomes; reading each JSON document for every figure
would dominate the time. ``app.analytics.service.summarise`` fills this table for the competitions
published since it last ran (the figures call it first).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class CompetitionSummary(Base):
    __tablename__ = "competition_summaries"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    winner: Mapped[bool] = mapped_column(Boolean, nullable=False)
    stages: Mapped[str] = mapped_column(Text, nullable=False)
    """``stage:entered:advanced`` per stage, in order, joined by ``;`` (empty: no stage ran)."""
