"""Pages of proctors: the review queue of flagged test sessions by anonymous code, the timeline of one
session's events, and the decision (confirm a violation or dismiss, always with a reason).

Everything comes from ``app.proctoring.service``, whose views carry the anonymous code and nothing
personal (no name, IIN, birth date, contact or photo, before or after publication). A confirmed
violation voids the result and removes the candidate from the stage: the service does it. A decision
cannot be undone, so the page shows it for a check before it is recorded (GOV.UK "check your answers").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth.models import PROCTOR
from app.bounds import Id
from app.deps import NowDep, PolicyDep, SessionDep, TodayDep
from app.errors import DomainError
from app.exams.reviews import REVIEW_STATUSES, UNRELIABLE_ANSWERS
from app.proctoring import service
from app.proctoring.schemas import DecisionIn
from app.rules.policy import SelectionPolicy
from app.web.deps import CheckedForm, Visitor, WebRoute, field, redirect, render, staff_of
from app.web.exams import PROGRAMME_NAMES
from app.web.i18n import Texts
from app.web.messages import FieldError, field_error
from app.web.nav import _, staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)

ProctorVisitor = Annotated[Visitor, Depends(staff_of(PROCTOR))]

staff_link(
    "/proctor",
    _("Proctoring reviews"),
    PROCTOR,
    order=10,
    description=_("Flagged test sessions by anonymous code: the events, the deadline, your decision."),
)

FLAG_NAMES: dict[str, str] = {
    "other_person_in_room": _("Another person in the room"),
    "person_swapped": _("The person at the computer changed"),
    "left_seat": _("Left the seat"),
    "looked_away": _("Looked away from the screen"),
    "camera_covered_or_disconnected": _("Camera covered or disconnected"),
    "paper_materials": _("Paper materials"),
    UNRELIABLE_ANSWERS: _("Unreliable answers (the validity scale failed)"),
}
"""Event kinds and review flags → msgids of the proctor catalogue."""

STATUS_NAMES: dict[str, str] = {
    "pending": _("Waiting for a decision"),
    "confirmed": _("Violation confirmed"),
    "dismissed": _("Dismissed"),
}
STATUS_TAGS: dict[str, str] = {"pending": "todo", "confirmed": "cannot", "dismissed": "done"}
DECISIONS: dict[str, str] = {"confirm": _("Confirm the violation"), "dismiss": _("Dismiss: no violation")}


def namer(texts: Texts, table: dict[str, str]) -> Callable[[str], str]:
    """A template function: a code's name from ``table`` (msgids) in the page's language, the code if unknown."""

    def name(key: str) -> str:
        return texts.gettext(table.get(key, key))

    return name


def _names(visitor: Visitor) -> dict[str, Any]:
    t = visitor.texts
    return {
        "flag_name": namer(t, FLAG_NAMES),
        "status_name": namer(t, STATUS_NAMES),
        "status_tag": lambda status: STATUS_TAGS.get(status, "grey"),
        "programme_name": namer(t, PROGRAMME_NAMES),
        "decision_name": namer(t, DECISIONS),
    }


def _row(view: service.ReviewView) -> dict[str, Any]:
    """What the pages show of a review: the service's view, codes only."""
    review = view.review
    return {
        "id": review.id,
        "code": view.code,
        "programme": view.booking.programme,
        "status": review.status,
        "flags": list(review.flags),
        "started_at": view.test_session.started_at,
        "ends_at": view.ends_at,
        "due_on": view.due_on,
        "overdue": view.overdue,
        "events": [
            {
                "kind": event.kind,
                "occurred_at": event.occurred_at,
                "evidence_ref": event.evidence_ref,
                "flagged": event.flagged,
            }
            for event in view.events
        ],
        "decided_at": review.decided_at,
        "decision_reason": review.decision_reason,
    }


@router.get("/proctor", response_class=HTMLResponse)
def queue(
    request: Request,
    visitor: ProctorVisitor,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    status: str = "pending",
) -> HTMLResponse:
    """The queue, the earliest due first; ``status`` filters (``all`` for every review)."""
    chosen = status if status in REVIEW_STATUSES else None
    with session.begin():
        rows = [_row(view) for view in service.reviews(session=session, status=chosen, today=today, policy=policy)]
    t = visitor.texts
    filters = [(key, t.gettext(STATUS_NAMES[key])) for key in REVIEW_STATUSES] + [("all", t.gettext("All reviews"))]
    return render(
        request,
        visitor,
        "proctor/queue.html",
        title=t.gettext("Proctoring reviews"),
        rows=rows,
        filters=filters,
        current_filter=chosen or "all",
        overdue_count=sum(1 for row in rows if row["overdue"]),
        today=today,
        **_names(visitor),
    )


def _review_row(session: Session, review_id: Id, today: Any, policy: SelectionPolicy) -> dict[str, Any]:
    with session.begin():
        return _row(service.review(session=session, review_id=review_id, today=today, policy=policy))


def _posted(form: CheckedForm) -> dict[str, str]:
    """The decision and reason as posted, to show again on the form."""
    return {"decision": field(form, "decision"), "reason": field(form, "reason")}


def _review_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    review_id: Id,
    *,
    today: Any,
    policy: SelectionPolicy,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    decided: bool = False,
) -> HTMLResponse:
    row = _review_row(session, review_id, today, policy)
    t = visitor.texts
    return render(
        request,
        visitor,
        "proctor/review.html",
        status=status,
        errors=errors,
        title=t.gettext("Review of %(code)s", code=row["code"]),
        review=row,
        decisions=list(DECISIONS),
        values=values or {},
        decided=decided,
        **_names(visitor),
    )


@router.get("/proctor/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    review_id: Id,
    request: Request,
    visitor: ProctorVisitor,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    decided: str = "",
) -> HTMLResponse:
    return _review_page(request, visitor, session, review_id, today=today, policy=policy, decided=bool(decided))


def _decision(visitor: Visitor, form: CheckedForm) -> tuple[DecisionIn | None, dict[str, str], list[FieldError]]:
    """The posted decision checked by the API's own schema (a reason is required); the errors otherwise."""
    values = _posted(form)
    try:
        return DecisionIn.model_validate(values), values, []
    except ValidationError as invalid:
        t = visitor.texts
        wrong = {str(error["loc"][0]) for error in invalid.errors() if error["loc"]}
        errors = []
        if "decision" in wrong:
            errors.append(FieldError("decision-confirm", t.gettext("Choose whether to confirm or dismiss")))
        if "reason" in wrong:
            message = (
                t.gettext("Write the reason for your decision")
                if not values["reason"]
                else t.gettext("The reason is too long: at most 2000 characters")
            )
            errors.append(FieldError("reason", message))
        return None, values, errors


@router.post("/proctor/reviews/{review_id}", response_class=HTMLResponse)
def check_decision(
    review_id: Id,
    request: Request,
    visitor: ProctorVisitor,
    form: CheckedForm,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
) -> HTMLResponse:
    """The decision and reason shown for a check before they are recorded (they cannot be changed after)."""
    decision, values, errors = _decision(visitor, form)
    if decision is None:
        return _review_page(
            request, visitor, session, review_id, today=today, policy=policy, status=422, errors=errors, values=values
        )
    row = _review_row(session, review_id, today, policy)
    return render(
        request,
        visitor,
        "proctor/check.html",
        title=visitor.texts.gettext("Check your decision"),
        review=row,
        values=values,
        **_names(visitor),
    )


@router.post("/proctor/reviews/{review_id}/change", response_class=HTMLResponse)
def change_decision(
    review_id: Id,
    request: Request,
    visitor: ProctorVisitor,
    form: CheckedForm,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
) -> HTMLResponse:
    """Back from the check to the form, with the decision and reason as they were."""
    return _review_page(request, visitor, session, review_id, today=today, policy=policy, values=_posted(form))


@router.post("/proctor/reviews/{review_id}/decision", response_class=HTMLResponse)
def record_decision(
    review_id: Id,
    request: Request,
    visitor: ProctorVisitor,
    form: CheckedForm,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    now: NowDep,
) -> Response:
    """Record the checked decision through the proctoring service (a confirmation voids the result)."""
    assert visitor.account is not None
    decision, values, errors = _decision(visitor, form)
    if decision is None:
        return _review_page(
            request, visitor, session, review_id, today=today, policy=policy, status=422, errors=errors, values=values
        )
    try:
        with session.begin():
            service.decide(
                session=session,
                review_id=review_id,
                actor=session.merge(visitor.account),
                confirm=decision.decision == "confirm",
                reason=decision.reason,
                now=now,
                today=today,
                policy=policy,
            )
    except DomainError as problem:
        if problem.code == "review_not_found":
            raise
        return _review_page(
            request,
            visitor,
            session,
            review_id,
            today=today,
            policy=policy,
            status=409,
            errors=[field_error(problem, visitor.texts)],
        )
    return redirect(f"/proctor/reviews/{review_id}?decided=1")
