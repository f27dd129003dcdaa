"""The proctor's review queue of test sessions: a session is flagged (a forbidden behaviour the proctoring
client reported, ``app.proctoring``, or answers the validity scale found unreliable, here at submission),
a proctor confirms or dismisses it, and a confirmed violation voids the booking's result.

The exam domain owns the queue because a submission reads and feeds it; proctoring, above, records the
events and the proctor's decisions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow
from app.exams.models import TestSession

UNRELIABLE_ANSWERS: Final = "unreliable_answers"
"""A review flag with no event: the personal-qualities validity scale failed (§4)."""

PENDING: Final = "pending"
CONFIRMED: Final = "confirmed"
DISMISSED: Final = "dismissed"
REVIEW_STATUSES: tuple[str, ...] = (PENDING, CONFIRMED, DISMISSED)


class ProctoringReview(Base):
    """The proctor's review of one test session: pending until confirmed (a violation) or dismissed.

    ``flags`` lists why it is in the queue: event kinds and ``unreliable_answers``.
    """

    __tablename__ = "proctoring_reviews"
    __table_args__ = (CheckConstraint(check_in("status", REVIEW_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("test_sessions.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    flags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


def flag_session(session: Session, *, test_session: TestSession, flag: str) -> ProctoringReview:
    """Put the session in the review queue with ``flag`` (an event kind or ``unreliable_answers``)."""
    review = session.scalars(
        select(ProctoringReview).where(ProctoringReview.session_id == test_session.id).with_for_update()
    ).first()
    if review is None:
        review = ProctoringReview(session_id=test_session.id, flags=[flag], status=PENDING)
        session.add(review)
        session.flush()
        return review
    if flag not in review.flags:
        review.flags = [*review.flags, flag]
    if review.status == DISMISSED:
        review.status, review.decided_at, review.decided_by, review.decision_reason = PENDING, None, None, None
    return review


def confirmed_violation(session: Session, booking_id: int) -> str | None:
    """The reason of a confirmed proctoring violation in any session of the booking, if there is one."""
    row = session.execute(
        select(ProctoringReview.decision_reason)
        .join(TestSession, TestSession.id == ProctoringReview.session_id)
        .where(TestSession.booking_id == booking_id, ProctoringReview.status == CONFIRMED)
    ).first()
    return None if row is None else f"proctoring violation confirmed: {row[0]}"
