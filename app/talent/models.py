"""The talent pool's own records: personnel reserve memberships (кадрлық резерв) and HR invitations to apply."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

REGIONAL: Final = "regional"
PRESIDENTIAL_YOUTH: Final = "presidential_youth"
RESERVE_KINDS: tuple[str, ...] = (REGIONAL, PRESIDENTIAL_YOUTH)


class ReserveMembership(Base):
    """A candidate's place in a personnel reserve for a period; ``until`` NULL means open-ended.

    Reserve members are in the talent pool by the reserve's own legal basis; HR still sees
    their name and contacts only when they also gave the ``talent_pool`` consent.
    """

    __tablename__ = "reserve_memberships"
    __table_args__ = (
        CheckConstraint("kind IN ('regional', 'presidential_youth')", name="kind"),
        CheckConstraint("until IS NULL OR until >= since", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    region: Mapped[str | None] = mapped_column(String(80), nullable=True)
    since: Mapped[date] = mapped_column(Date, nullable=False)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(300), nullable=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TalentInvitation(Base):
    """An HR officer's invitation to a pool member to apply for a published vacancy (one per pair)."""

    __tablename__ = "talent_invitations"
    __table_args__ = (UniqueConstraint("candidate_id", "vacancy_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), nullable=False, index=True)
    invited_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(nullable=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
