"""Timed tests: booking, the start page, one question per screen with a navigator, autosave, review, result.

Everything the server decides stays in ``app.exams.service``: the earliest booking day, the deadline
(accommodation minutes included), which answer is stored (one row per ``client_request_id``),
submission and scoring. The page's script only queues answers while the network is away and shows
the server's remaining time.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.auth.security import TokenClaims
from app.bounds import Id
from app.candidates.service import candidate_of_account
from app.clock import KAZAKHSTAN
from app.deps import NowDep, PolicyDep, QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import DomainError, Kind
from app.exams import service as exams
from app.exams.forms import cached_form, get_item_bank
from app.exams.models import COMPLETED, PROGRAMMES, RUNNING, STAGE_PROGRAMMES, TestSession
from app.items.bank import Bank
from app.rules.calendar import earliest_booking_date
from app.web.deps import CandidateVisitor, CheckedForm, Visitor, WebRoute, field, redirect, render
from app.web.messages import FieldError, field_error, problem_message

router = APIRouter(route_class=WebRoute, include_in_schema=False)
BankDep = Annotated[Bank, Depends(get_item_bank)]

PROGRAMME_NAMES: dict[str, str] = {
    "legislation": "Legislation test",
    "state_language": "State language test",
    "personal_qualities": "Personal qualities assessment",
    "reasoning": "Reasoning test",
}
"""Programme → msgid of the web catalogue."""
SCORE_LABELS: dict[str, str] = {
    "total": "Correct answers",
    "correct": "Correct answers",
    "questions": "Questions",
    "text": "Text tasks answered correctly",
    "numeric": "Numeric tasks answered correctly",
    "percent": "Percent",
}
"""The result's figures (as the scoring stores them) → msgid of the web catalogue; other figures are not shown."""


def _programme(texts: Any, programme: str) -> str:
    return str(texts.gettext(PROGRAMME_NAMES.get(programme, programme)))


def _booking_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    policy: Any,
    today: Any,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        bookings = exams.own_bookings(session, visitor.account)
        candidate = candidate_of_account(session, visitor.account)
        confirmed = session.scalars(
            select(Application).where(Application.candidate_id == candidate.id, Application.status == CONFIRMED)
        ).all()
        applications = [(str(a.id), a.anonymous_code) for a in confirmed]
    earliest = earliest_booking_date(today, policy)
    return render(
        request,
        visitor,
        "tests.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Tests"),
        bookings=bookings,
        earliest=earliest,
        programmes=[(p, _programme(visitor.texts, p)) for p in PROGRAMMES],
        programme_name=lambda p: _programme(visitor.texts, p),
        applications=applications,
        values=values or {"date": earliest.isoformat(), "time": "10:00", "language": visitor.locale},
    )


@router.get("/tests", response_class=HTMLResponse)
def tests_page(
    request: Request, visitor: CandidateVisitor, session: SessionDep, policy: PolicyDep, today: TodayDep
) -> HTMLResponse:
    return _booking_page(request, visitor, session, policy, today)


@router.post("/tests", response_class=HTMLResponse)
def book(
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    policy: PolicyDep,
    bank: BankDep,
    today: TodayDep,
    now: NowDep,
) -> Response:
    """Book a test; the service applies the earliest-day rule and freezes the form."""
    assert visitor.account is not None
    values = {key: field(form, key) for key in ("programme", "language", "date", "time", "application_id")}
    errors = []
    if values["programme"] not in PROGRAMMES:
        errors.append(FieldError("programme", visitor.texts.gettext("Choose a test")))
    if values["language"] not in ("kk", "ru"):
        errors.append(FieldError("language-kk", visitor.texts.gettext("Choose the language of the test")))
    try:
        starts_at = datetime.combine(
            datetime.fromisoformat(values["date"]).date(),
            time.fromisoformat(values["time"] or "10:00"),
            tzinfo=KAZAKHSTAN,
        )
    except ValueError:
        errors.append(FieldError("date", visitor.texts.gettext("Enter a real date")))
    if values["programme"] in STAGE_PROGRAMMES and not values["application_id"]:
        errors.append(
            FieldError("application_id", visitor.texts.gettext("Choose the application whose stage this test is"))
        )
    if errors:
        return _booking_page(request, visitor, session, policy, today, status=422, errors=errors, values=values)
    try:
        with session.begin():
            booking = exams.book(
                session=session,
                actor=visitor.account,
                bank=bank,
                policy=policy,
                today=today,
                now=now,
                programme=values["programme"],
                language=values["language"],
                starts_at=starts_at,
                application_id=int(values["application_id"]) if values["application_id"].isdigit() else None,
            )
            booking_id = booking.id
    except DomainError as problem:
        return _booking_page(
            request,
            visitor,
            session,
            policy,
            today,
            status=422,
            values=values,
            errors=[field_error(problem, visitor.texts, "date")],
        )
    return redirect(f"/tests/{booking_id}")


def _running(session: Session, booking_id: Id) -> TestSession | None:
    return next((s for s in exams.booking_sessions(session, booking_id) if s.status == RUNNING), None)


@router.get("/tests/{booking_id}", response_class=HTMLResponse)
def booking_page(
    booking_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:
    """The start page (rules, proctoring notice), the running session to resume, or the result."""
    assert visitor.account is not None
    with session.begin():
        booking = exams.own_booking(session, booking_id, visitor.account)
        running = _running(session, booking.id)
        result = exams.result_of(session, booking.id)
        blocks = exams.booking_sessions(session, booking.id)
        form = cached_form(session, booking.form_hash)
        opens_at = booking.starts_at - timedelta(minutes=settings.test_start_early_minutes)
    return render(
        request,
        visitor,
        "test_booking.html",
        title=_programme(visitor.texts, booking.programme),
        booking=booking,
        running=running,
        result=result,
        blocks=blocks,
        items=len(form.items),
        minutes=form.time_limit_minutes,
        opens_at=opens_at,
        open_now=now >= opens_at,
        programme_name=_programme(visitor.texts, booking.programme),
        completed=booking.status == COMPLETED,
        figures=[]
        if result is None
        else [
            (visitor.texts.gettext(label), result.score[key])
            for key, label in SCORE_LABELS.items()
            if key in result.score
        ],
    )


@router.post("/tests/{booking_id}/start", response_class=HTMLResponse)
def start(
    booking_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    queue: QueueDep,
    now: NowDep,
) -> Response:
    assert visitor.account is not None
    try:
        with session.begin():
            started = exams.start(
                session=session, queue=queue, booking_id=booking_id, actor=visitor.account, now=now, settings=settings
            )
            session_id = started.id
    except DomainError as problem:
        running = problem.extensions.get("session_id")
        if problem.code == "session_already_started" and isinstance(running, int):
            return redirect(f"/test-sessions/{running}/questions/1")
        raise
    return redirect(f"/test-sessions/{session_id}/questions/1")


def _sitting(session: Session, visitor: Visitor, session_id: Id, now: datetime) -> dict[str, Any]:
    assert visitor.account is not None
    test_session = exams.own_session(session, session_id, visitor.account)
    form = cached_form(session, test_session.form_hash)
    answers = exams.answers_of(session, test_session.id)
    return {
        "test_session": test_session,
        "form": form,
        "answers": answers,
        "remaining": exams.remaining_seconds(test_session, now),
        "language": "kk" if test_session.language == "kk" else "ru",
    }


@router.get("/test-sessions/{session_id}/questions/{number}", response_class=HTMLResponse)
def question(
    session_id: Id, number: int, request: Request, visitor: CandidateVisitor, session: SessionDep, now: NowDep
) -> Response:
    """One question per screen, the navigator, the server's remaining time; the saved answer checked."""
    with session.begin():
        sitting = _sitting(session, visitor, session_id, now)
    test_session, form = sitting["test_session"], sitting["form"]
    if test_session.status != RUNNING or sitting["remaining"] == 0:
        return redirect(f"/test-sessions/{session_id}/review")
    if not 1 <= number <= len(form.items):
        return redirect(f"/test-sessions/{session_id}/questions/1")
    item = form.items[number - 1]
    return render(
        request,
        visitor,
        "test_question.html",
        title=visitor.texts.gettext("Question %(number)s of %(total)s", number=number, total=len(form.items)),
        number=number,
        total=len(form.items),
        item=item,
        text=item.text(sitting["language"]),
        item_ids=[i.id for i in form.items],
        client_request_id=uuid.uuid4().hex,
        **sitting,
    )


@router.post("/test-sessions/{session_id}/questions/{number}", response_class=HTMLResponse)
def answer_without_script(
    session_id: Id, number: int, visitor: CandidateVisitor, form: CheckedForm, request: Request, now: NowDep
) -> Response:
    """The same answer path for a browser without JavaScript: save, then the next question."""
    response = _save(request, visitor, session_id, form, now)
    if response.status_code != 200:
        return response
    return redirect(f"/test-sessions/{session_id}/questions/{number + 1}")


@router.post("/test-sessions/{session_id}/answers")
def save_answer(
    session_id: Id, visitor: CandidateVisitor, form: CheckedForm, request: Request, now: NowDep
) -> Response:
    """The page's autosave: one answer with its ``client_request_id`` (a retry stores nothing new)."""
    return _save(request, visitor, session_id, form, now)


def _save(request: Request, visitor: Visitor, session_id: Id, form: Any, now: datetime) -> Response:
    assert visitor.account is not None
    claims = TokenClaims(account_id=visitor.account.id, role=visitor.account.role, expires_at=now)
    try:
        with request.app.state.sessions() as session, session.begin():
            saved = exams.save_answer(
                session=session,
                session_id=session_id,
                claims=claims,
                item_id=field(form, "item_id"),
                option=field(form, "option"),
                client_request_id=field(form, "client_request_id")[:64],
                now=now,
            )
    except DomainError as problem:
        if problem.kind is Kind.UNAUTHENTICATED:  # the account's state (app.auth.security): the API's 401
            raise
        return JSONResponse({"code": problem.code, "message": problem_message(problem, visitor.texts)}, status_code=409)
    return JSONResponse({"item_id": saved.answer.item_id, "option": saved.answer.option, "created": saved.created})


@router.get("/test-sessions/{session_id}/review", response_class=HTMLResponse)
def review(session_id: Id, request: Request, visitor: CandidateVisitor, session: SessionDep, now: NowDep) -> Response:
    """ "Check your answers": what is answered and what is not, before the irreversible submission."""
    with session.begin():
        sitting = _sitting(session, visitor, session_id, now)
    test_session = sitting["test_session"]
    if test_session.status != RUNNING:
        return redirect(f"/tests/{test_session.booking_id}")
    return render(
        request,
        visitor,
        "test_review.html",
        title=visitor.texts.gettext("Check your answers"),
        item_ids=[i.id for i in sitting["form"].items],
        **sitting,
    )


@router.post("/test-sessions/{session_id}/submit")
def submit(
    session_id: Id, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep, policy: PolicyDep, now: NowDep
) -> Response:
    """Submit (by the person, or by the page at the deadline); the service scores the last block at once."""
    assert visitor.account is not None
    with session.begin():
        submitted = exams.submit(
            session=session, session_id=session_id, actor=visitor.account, now=now, policy=policy, by="candidate"
        )
        booking_id = submitted.booking_id
    return redirect(f"/tests/{booking_id}")
