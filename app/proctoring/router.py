"""Proctoring events from the client and the proctors' review queue over HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from app.auth.deps import require_roles
from app.auth.models import CANDIDATE, PROCTOR, Account
from app.bounds import Id
from app.deps import NowDep, PolicyDep, SessionDep, TodayDep
from app.proctoring import service
from app.proctoring.models import ProctoringEvent
from app.proctoring.schemas import DecisionIn, EventIn, EventOut, ReviewOut

router = APIRouter(prefix="/api/v1/proctoring", tags=["proctoring"])
session_router = APIRouter(prefix="/api/v1/test-sessions", tags=["proctoring"])

ProctorAccount = Annotated[Account, Depends(require_roles(PROCTOR))]
ReporterAccount = Annotated[Account, Depends(require_roles(CANDIDATE, PROCTOR))]


def _event_out(event: ProctoringEvent) -> EventOut:
    return EventOut(
        id=event.id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        evidence_ref=event.evidence_ref,
        flagged=event.flagged,
    )


def _review_out(view: service.ReviewView) -> ReviewOut:
    review = view.review
    return ReviewOut(
        id=review.id,
        code=view.code,
        programme=view.booking.programme,
        block=view.test_session.block,
        status=review.status,
        flags=list(review.flags),
        session_started_at=view.test_session.started_at,
        session_ends_at=view.ends_at,
        review_due_on=view.due_on,
        overdue=view.overdue,
        events=[_event_out(event) for event in view.events],
        decided_at=review.decided_at,
        decision_reason=review.decision_reason,
    )


@session_router.post("/{session_id}/proctoring-events", status_code=status.HTTP_201_CREATED)
def post_event(session_id: Id, data: EventIn, account: ReporterAccount, session: SessionDep) -> EventOut:
    """An observation of the proctoring client (the candidate's own token) or of a proctor."""
    with session.begin():
        event = service.record_event(
            session=session,
            session_id=session_id,
            actor=account,
            kind=data.kind,
            occurred_at=data.occurred_at,
            evidence_ref=data.evidence_ref,
        )
        return _event_out(event)


@router.get("/reviews")
def list_reviews(
    account: ProctorAccount,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    review_status: Annotated[Literal["pending", "confirmed", "dismissed"] | None, Query(alias="status")] = None,
) -> list[ReviewOut]:
    """The review queue, the earliest due first; ``overdue`` past the 1-working-day deadline."""
    with session.begin():
        return [
            _review_out(view)
            for view in service.reviews(session=session, status=review_status, today=today, policy=policy)
        ]


@router.get("/reviews/{review_id}")
def read_review(
    review_id: Id, account: ProctorAccount, session: SessionDep, policy: PolicyDep, today: TodayDep
) -> ReviewOut:
    with session.begin():
        return _review_out(service.review(session=session, review_id=review_id, today=today, policy=policy))


@router.post("/reviews/{review_id}/decision")
def decide_review(
    review_id: Id,
    data: DecisionIn,
    account: ProctorAccount,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    now: NowDep,
) -> ReviewOut:
    """Confirm a violation (the candidate leaves the stage, the certificate is void) or dismiss, with a reason."""
    with session.begin():
        view = service.decide(
            session=session,
            review_id=review_id,
            actor=account,
            confirm=data.decision == "confirm",
            reason=data.reason,
            now=now,
            today=today,
            policy=policy,
        )
        return _review_out(view)
