"""What the figures read, kept in plain rows: each published outcome's winner and stage counts (outcomes never
change after publication), and the working days numbered so a database can count them.

A national history has hundreds of thousands of outcomes; ``app.analytics.service.summarise`` reads the
ones published since it last ran (the figures call it first), so no figure parses a JSON outcome.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class CompetitionSummary(Base):
    __tablename__ = "competition_summaries"

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    winner: Mapped[bool] = mapped_column(Boolean, nullable=False)


class CompetitionStageCount(Base):
    """One stage of a published outcome: how many entered it and how many went on."""

    __tablename__ = "competition_stage_counts"

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), nullable=False)
    entered: Mapped[int] = mapped_column(Integer, nullable=False)
    advanced: Mapped[int] = mapped_column(Integer, nullable=False)


class WorkingDayNumber(Base):
    """``number``: the working days from ``app.analytics.service.ORIGIN`` through ``day`` (by
    ``app.rules.calendar``); the difference of two days' numbers is ``working_days_between``."""

    __tablename__ = "working_day_numbers"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
