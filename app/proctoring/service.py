"""Proctoring events, the review queue and the proctor's decision.

Decisions (documented here once):

- Events are posted by the proctoring client with the token of the candidate whose session it
  watches (the client runs on the candidate's computer), or by a proctor's account (a live
  proctor or the proctoring service signed in as one). Anyone else gets 404, as for a session
  that does not exist.
- One review per session, opened by the first flagged event (``paper_materials`` in the
  reasoning test is recorded and never flagged, §5) or by a personal-qualities result that failed
  the validity scale (flag ``unreliable_answers``). A flagged event after a dismissal reopens it.
- Proctors see the application's anonymous code when the test is a competition's stage, else the
  session's own code; never a name, IIN, birth date, contact or photo.
- The review is due ``proctor_review_working_days`` working days after the day the session ends
  (its submission; its deadline while it runs), in Kazakhstan.
- A confirmed violation voids the result and any certificate of the booking and, where the test
  belongs to an application, adds the stage to its recorded violations (so ``run_competition``
  removes the candidate from that stage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.events import audit
from app.auth.models import PROCTOR, Account
from app.clock import KAZAKHSTAN
from app.errors import DomainError
from app.exams.errors import TEST_SESSION_NOT_FOUND
from app.exams.models import Certificate, TestBooking, TestResult, TestSession
from app.exams.recording import record_for_application, recorded_violations
from app.exams.reviews import CONFIRMED, DISMISSED, PENDING, ProctoringReview, flag_session
from app.proctoring.errors import EVENT_OUTSIDE_SESSION, REVIEW_ALREADY_DECIDED, REVIEW_NOT_FOUND
from app.proctoring.models import ProctoringEvent
from app.rules.calendar import working_day_deadline
from app.rules.policy import SelectionPolicy
from app.rules.proctoring import behaviour_flagged
from app.rules.programmes import competition_stage


def _session_for_event(session: Session, session_id: int, actor: Account) -> TestSession:
    test_session = session.get(TestSession, session_id)
    if test_session is None or (actor.role != PROCTOR and test_session.account_id != actor.id):
        raise DomainError(TEST_SESSION_NOT_FOUND, f"no test session {session_id} of yours")
    return test_session


def _booking(session: Session, test_session: TestSession) -> TestBooking:
    booking = session.get(TestBooking, test_session.booking_id)
    assert booking is not None
    return booking


def record_event(
    *, session: Session, session_id: int, actor: Account, kind: str, occurred_at: datetime, evidence_ref: str | None
) -> ProctoringEvent:
    """Store one event; a forbidden one puts the session in the review queue."""
    test_session = _session_for_event(session, session_id, actor)
    end = test_session.submitted_at or test_session.deadline
    if not test_session.started_at <= occurred_at <= end:
        raise DomainError(EVENT_OUTSIDE_SESSION, "the event is outside the session's time")
    booking = _booking(session, test_session)
    flagged = behaviour_flagged(booking.programme, kind)
    event = ProctoringEvent(
        session_id=test_session.id,
        kind=kind,
        occurred_at=occurred_at,
        evidence_ref=evidence_ref,
        flagged=flagged,
        reported_by=actor.id,
    )
    session.add(event)
    session.flush()
    review_id = flag_session(session, test_session=test_session, flag=kind).id if flagged else None
    audit(
        session,
        actor=actor,
        action="proctoring_event.recorded",
        entity_type="test_session",
        entity_id=test_session.id,
        after={
            "event_id": event.id,
            "kind": kind,
            "occurred_at": occurred_at,
            "flagged": flagged,
            "review_id": review_id,
        },
    )
    return event


@dataclass(frozen=True)
class ReviewView:
    """A review as proctors see it: codes, flags, events and dates, nothing personal."""

    review: ProctoringReview
    test_session: TestSession
    booking: TestBooking
    code: str
    events: Sequence[ProctoringEvent]
    ends_at: datetime
    due_on: date
    overdue: bool


def _code(session: Session, test_session: TestSession, booking: TestBooking) -> str:
    if booking.application_id is not None:
        application = session.get(Application, booking.application_id)
        assert application is not None
        return application.anonymous_code
    return test_session.code


def _view(session: Session, review: ProctoringReview, *, today: date, policy: SelectionPolicy) -> ReviewView:
    test_session = session.get(TestSession, review.session_id)
    assert test_session is not None
    booking = _booking(session, test_session)
    ends_at = test_session.submitted_at or test_session.deadline
    due_on = working_day_deadline(ends_at.astimezone(KAZAKHSTAN).date(), policy.proctor_review_working_days)
    events = session.scalars(
        select(ProctoringEvent)
        .where(ProctoringEvent.session_id == test_session.id)
        .order_by(ProctoringEvent.occurred_at, ProctoringEvent.id)
    ).all()
    return ReviewView(
        review=review,
        test_session=test_session,
        booking=booking,
        code=_code(session, test_session, booking),
        events=events,
        ends_at=ends_at,
        due_on=due_on,
        overdue=review.status == PENDING and today > due_on,
    )


def reviews(*, session: Session, status: str | None, today: date, policy: SelectionPolicy) -> list[ReviewView]:
    """The review queue, the earliest due first."""
    query = select(ProctoringReview).order_by(ProctoringReview.id)
    if status is not None:
        query = query.where(ProctoringReview.status == status)
    views = [_view(session, review, today=today, policy=policy) for review in session.scalars(query).all()]
    return sorted(views, key=lambda view: (view.due_on, view.review.id))


def review(*, session: Session, review_id: int, today: date, policy: SelectionPolicy) -> ReviewView:
    row = session.get(ProctoringReview, review_id)
    if row is None:
        raise DomainError(REVIEW_NOT_FOUND, f"no proctoring review {review_id}")
    return _view(session, row, today=today, policy=policy)


def decide(
    *,
    session: Session,
    review_id: int,
    actor: Account,
    confirm: bool,
    reason: str,
    now: datetime,
    today: date,
    policy: SelectionPolicy,
) -> ReviewView:
    """Confirm (a violation: the candidate leaves the stage) or dismiss a pending review, with a reason."""
    row = session.get(ProctoringReview, review_id, with_for_update=True)
    if row is None:
        raise DomainError(REVIEW_NOT_FOUND, f"no proctoring review {review_id}")
    if row.status != PENDING:
        raise DomainError(REVIEW_ALREADY_DECIDED, f"this review is {row.status} already")
    row.status = CONFIRMED if confirm else DISMISSED
    row.decided_at, row.decided_by, row.decision_reason = now, actor.id, reason
    session.flush()
    view = _view(session, row, today=today, policy=policy)
    consequences: dict[str, object] = {}
    if confirm:
        consequences = _remove_from_stage(session, view, actor=actor, reason=reason, now=now)
    audit(
        session,
        actor=actor,
        action=f"proctoring_review.{row.status}",
        entity_type="proctoring_review",
        entity_id=row.id,
        after={"session_id": row.session_id, "flags": row.flags, "reason": reason, **consequences},
    )
    return view


def _remove_from_stage(
    session: Session, view: ReviewView, *, actor: Account, reason: str, now: datetime
) -> dict[str, object]:
    booking = view.booking
    consequences: dict[str, object] = {}
    result = session.scalars(select(TestResult).where(TestResult.booking_id == booking.id)).first()
    if result is not None and result.voided_at is None:
        result.voided_at, result.void_reason = now, f"proctoring violation confirmed: {reason}"
        consequences["voided_result_id"] = result.id
        certificate = session.scalars(select(Certificate).where(Certificate.result_id == result.id)).first()
        if certificate is not None and certificate.voided_at is None:
            certificate.voided_at, certificate.void_reason = now, result.void_reason
            consequences["voided_certificate_id"] = certificate.id
    stage = competition_stage(booking.programme)
    if booking.application_id is not None and stage is not None:
        violations = sorted({*recorded_violations(session, booking.application_id), stage})
        problem = record_for_application(
            session, application_id=booking.application_id, actor=actor, results={"violations": violations}
        )
        consequences["violation_stage"] = stage
        consequences["recorded_for_application"] = problem is None
        if problem is not None:
            consequences["recording_problem"] = problem
    return consequences
