"""One offer of a post to one person and what became of it: appointed by order, refused, or no documents.

A competition's winner gets an offer when HR first records something about the appointment;
after a refusal the next ranked candidate may get one (a policy choice). A route outside
competition starts as a ``proposed`` offer that a second person approves or rejects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow
from app.rules.routes import COMPETITION_ROUTE, ROUTES

PROPOSED: Final = "proposed"
REJECTED: Final = "rejected"
OFFERED: Final = "offered"
APPOINTED: Final = "appointed"
REFUSED: Final = "refused"
DOCUMENTS_NOT_SUBMITTED: Final = "documents_not_submitted"
STATUSES: tuple[str, ...] = (PROPOSED, REJECTED, OFFERED, APPOINTED, REFUSED, DOCUMENTS_NOT_SUBMITTED)
OPEN_STATUSES: tuple[str, ...] = (PROPOSED, OFFERED)
"""``proposed``: a route's proposal awaiting the second person; ``offered``: awaiting the order."""
ALL_ROUTES: tuple[str, ...] = (COMPETITION_ROUTE, *ROUTES)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint(check_in("status", STATUSES), name="status"),
        CheckConstraint(check_in("route", ALL_ROUTES), name="route"),
        CheckConstraint("(route = 'competition') = (competition_id IS NOT NULL)", name="competition_of_route"),
        CheckConstraint(
            "status <> 'appointed' OR (order_number IS NOT NULL AND appointed_on IS NOT NULL)",
            name="appointed_has_order",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="RESTRICT"), nullable=False, index=True)
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    route: Mapped[str] = mapped_column(String(32), nullable=False)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), nullable=True
    )
    anonymous_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    offered_on: Mapped[date] = mapped_column(Date, nullable=False)
    """The publication of the results (the winner), the day of the offer (next ranked) or of the proposal."""
    window_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    documents_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    documents_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    """A newcomer to the civil service hands in documents; a serving civil servant does not."""
    documents_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appointed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outside_window: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    outside_window_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    refused_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    eligibility: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    proposal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="SET NULL"), nullable=True)
    """After a refusal sent the post back to competition: the new draft vacancy of the same post."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
