"""The candidate's applications: apply with "check your answers", the confirmation, the task list, the essay.

Every step calls the service the API calls (``app.applications.service.apply``,
``app.essays.service.start/save_draft/submit``); the page only shows what they return or refuse.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications import service as applications
from app.applications.errors import COMPETITION_CLOSED
from app.applications.models import CONFIRMED, REJECTED, SUBMITTED, RecordedStageResult
from app.applications.schemas import ApplicationOut
from app.auth.models import StateBody
from app.bounds import Id
from app.candidates import service as candidates
from app.competitions import service as competitions
from app.competitions.models import RESULTS_PUBLISHED, Competition
from app.deps import NowDep, QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import DomainError
from app.essays import queries as essay_queries
from app.essays import service as essays
from app.essays.models import Essay
from app.i18n.domain import STAGE_NAMES
from app.interviews.models import Interview
from app.selection import vacancies as vacancy_competition
from app.vacancies import service as vacancies
from app.vacancies.models import Vacancy
from app.web.deps import CandidateVisitor, CheckedForm, Visitor, WebRoute, field, redirect, render
from app.web.messages import FieldError, field_error
from app.web.public import qualification_preview, requirement_lines

router = APIRouter(route_class=WebRoute, include_in_schema=False)

ESSAY_LANGUAGES = ("kk", "ru")
TEST_STAGES = ("eligibility", "personal_qualities", "reasoning")
"""Stages taken as timed tests (booked on the tests page)."""


def _title(vacancy: Vacancy, locale: str) -> str:
    return vacancy.title_kk if locale == "kk" else vacancy.title_ru


# --- apply --------------------------------------------------------------------------------------------------


def _apply_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    settings: Any,
    vacancy_id: Id,
    today: Any,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        vacancy = vacancies.get(session=session, vacancy_id=vacancy_id, actor=visitor.account)
        out = vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )
        candidate = candidates.candidate_of_account(session, visitor.account)
        personal = candidates.candidate_personal_view(candidate, secret_key=settings.secret_key)
        preview = qualification_preview(session, visitor, vacancy, today)
    return render(
        request,
        visitor,
        "apply_check.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Check your answers before you apply"),
        vacancy=out,
        vacancy_title=_title(vacancy, visitor.locale),
        personal=personal,
        preview=preview,
        requirements=requirement_lines(out.requirements, visitor.texts),
        idempotency_key=uuid.uuid4().hex,
    )


@router.get("/vacancies/{vacancy_id}/apply", response_class=HTMLResponse)
def apply_page(
    vacancy_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
) -> HTMLResponse:
    return _apply_page(request, visitor, session, settings, vacancy_id, today)


@router.post("/vacancies/{vacancy_id}/apply", response_class=HTMLResponse)
def apply(
    vacancy_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    queue: QueueDep,
    today: TodayDep,
) -> Response:
    """Apply; the form's one-time key makes a double click or a resent form return the first application."""
    assert visitor.account is not None
    try:
        with session.begin():
            vacancy = vacancies.get(session=session, vacancy_id=vacancy_id, actor=visitor.account)
            out = vacancy_competition.to_out(
                session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
            )
            if out.competition_id is None:
                raise DomainError(COMPETITION_CLOSED, "the vacancy has no competition")
            application, _created = applications.apply(
                session=session,
                queue=queue,
                competition_id=out.competition_id,
                actor=visitor.account,
                today=today,
                idempotency_key=field(form, "idempotency_key")[:200] or None,
            )
            application_id = application.id
    except DomainError as problem:
        return _apply_page(
            request,
            visitor,
            session,
            settings,
            vacancy_id,
            today,
            status=409,
            errors=[field_error(problem, visitor.texts, "apply")],
        )
    return redirect(f"/applications/{application_id}/confirmation")


def _own(
    session: Session, visitor: Visitor, application_id: Id, today: Any
) -> tuple[ApplicationOut, Competition, Vacancy]:
    assert visitor.account is not None
    application, competition = essays.own_application(
        session=session, application_id=application_id, actor=visitor.account
    )
    vacancy = session.get(Vacancy, competition.vacancy_id)
    assert vacancy is not None
    return applications.to_out(session, application, today=today, personal=False), competition, vacancy


@router.get("/applications/{application_id}/confirmation", response_class=HTMLResponse)
def confirmation(
    application_id: Id, request: Request, visitor: CandidateVisitor, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    with session.begin():
        out, competition, vacancy = _own(session, visitor, application_id, today)
    return render(
        request,
        visitor,
        "confirmation.html",
        title=visitor.texts.gettext("Application submitted"),
        application=out,
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
    )


# --- my applications: a task list ------------------------------------------------------------------------------


@dataclass
class Task:
    name: str
    status: str
    tag: str  # done | waiting | todo | cannot
    href: str | None = None
    hint: str | None = None


def _tasks(
    out: ApplicationOut, competition: Competition, essay: Essay | None, interview: Interview | None, visitor: Visitor
) -> list[Task]:
    t = visitor.texts
    if out.status == SUBMITTED:
        first = Task(
            t.gettext("Application"),
            t.gettext("Waiting for the HR decision"),
            "waiting",
            hint=t.gettext("The HR service decides by %(date)s", date=t.date(out.hr_confirmation_due)),
        )
    elif out.status == CONFIRMED:
        first = Task(t.gettext("Application"), t.gettext("Confirmed"), "done")
    else:
        first = Task(t.gettext("Application"), t.gettext("Rejected"), "cannot", hint=out.rejection_reason)
    tasks = [first]
    published = competition.status == RESULTS_PUBLISHED
    recorded = out.stage_results
    for stage in competition.stage_plan:
        name = STAGE_NAMES.get(stage, {}).get(visitor.locale, stage)
        if out.status == REJECTED:
            tasks.append(Task(name, t.gettext("Cannot start"), "cannot"))
        elif stage == "essay" and out.status == CONFIRMED and not published:
            href = f"/applications/{out.id}/essay"
            if essay is None:
                tasks.append(Task(name, t.gettext("Not started"), "todo", href=href))
            elif essay.locked:
                tasks.append(Task(name, t.gettext("Submitted"), "done", href=href))
            else:
                tasks.append(Task(name, t.gettext("In progress"), "todo", href=href))
        elif stage == "eligibility" and recorded is not None and recorded.legislation_certificate_valid:
            tasks.append(Task(name, t.gettext("Passed"), "done"))
        elif stage == "interview" and interview is not None:
            tasks.append(
                Task(
                    name,
                    t.gettext("Invited"),
                    "todo",
                    hint=t.gettext(
                        "Interview on %(time)s (Astana time), by video call; the link will be in your account",
                        time=t.datetime(interview.starts_at),
                    ),
                )
            )
        elif stage in TEST_STAGES and out.status == CONFIRMED and not published:
            tasks.append(Task(name, t.gettext("Book and take the test"), "todo", href="/tests"))
        elif stage == "final" and published:
            tasks.append(Task(name, t.gettext("Results published"), "done"))
        else:
            tasks.append(Task(name, t.gettext("Not started yet"), "cannot"))
    return tasks


@router.get("/applications", response_class=HTMLResponse)
def my_applications(request: Request, visitor: CandidateVisitor, session: SessionDep, today: TodayDep) -> HTMLResponse:
    assert visitor.account is not None
    rows = []
    with session.begin():
        own = applications.own_applications(session=session, actor=visitor.account)
        # One query per kind of row for all the applications: the services' reads below then find them in
        # the session's identity map instead of asking the database once per application.
        ids = [a.id for a in own]
        by_id = {
            c.id: c
            for c in session.scalars(select(Competition).where(Competition.id.in_({a.competition_id for a in own})))
        }
        titles = {
            v.id: v
            for v in session.scalars(select(Vacancy).where(Vacancy.id.in_({c.vacancy_id for c in by_id.values()})))
        }
        bodies = {
            b.id: b
            for b in session.scalars(
                select(StateBody).where(StateBody.id.in_({c.state_body_id for c in by_id.values()}))
            )
        }
        session.scalars(select(RecordedStageResult).where(RecordedStageResult.application_id.in_(ids))).all()
        essays_of = {e.application_id: e for e in session.scalars(select(Essay).where(Essay.application_id.in_(ids)))}
        interviews_of = {
            i.application_id: i for i in session.scalars(select(Interview).where(Interview.application_id.in_(ids)))
        }
        for application in own:
            out = applications.to_out(session, application, today=today, personal=False)
            competition = by_id[application.competition_id]
            vacancy, body = titles[competition.vacancy_id], bodies.get(competition.state_body_id)
            rows.append(
                {
                    "application": out,
                    "title": _title(vacancy, visitor.locale),
                    "body": "" if body is None else (body.name_kk if visitor.locale == "kk" else body.name_ru),
                    "tasks": _tasks(
                        out, competition, essays_of.get(application.id), interviews_of.get(application.id), visitor
                    ),
                }
            )
    return render(request, visitor, "applications.html", title=visitor.texts.gettext("Your applications"), rows=rows)


# --- the essay --------------------------------------------------------------------------------------------------


def _essay_context(session: Session, visitor: Visitor, application_id: Id, now: datetime) -> dict[str, Any]:
    assert visitor.account is not None
    application, competition = essays.own_application(
        session=session, application_id=application_id, actor=visitor.account
    )
    essay = essay_queries.essay_of(session=session, application_id=application.id)
    limit = competitions.policy_of(competition).essay_word_limit
    language = essay.language if essay is not None else visitor.locale
    topic = competition.essay_topic_kk if language == "kk" else competition.essay_topic_ru
    vacancy = session.get(Vacancy, competition.vacancy_id)
    assert vacancy is not None
    return {
        "application": application,
        "essay": essay,
        "word_limit": limit,
        "topic": topic,
        "vacancy_title": _title(vacancy, visitor.locale),
        "seconds_left": 0 if essay is None or essay.locked else max(0, int((essay.deadline_at - now).total_seconds())),
        "languages": ESSAY_LANGUAGES,
        "minutes": competitions.policy_of(competition).essay_minutes,
    }


def _essay_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    application_id: Id,
    now: datetime,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    text: str | None = None,
    submitted: bool = False,
) -> HTMLResponse:
    with session.begin():
        context = _essay_context(session, visitor, application_id, now)
    essay = context["essay"]
    template = "essay_start.html" if essay is None else ("essay_locked.html" if essay.locked else "essay_write.html")
    return render(
        request,
        visitor,
        template,
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Essay"),
        text=essay.text if text is None and essay is not None else text,
        submitted=submitted,
        **context,
    )


@router.get("/applications/{application_id}/essay", response_class=HTMLResponse)
def essay_page(
    application_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    session: SessionDep,
    now: NowDep,
    submitted: str = "",
) -> HTMLResponse:
    return _essay_page(request, visitor, session, application_id, now, submitted=bool(submitted))


@router.post("/applications/{application_id}/essay/start", response_class=HTMLResponse)
def essay_start(
    application_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    now: NowDep,
) -> Response:
    assert visitor.account is not None
    language = field(form, "language")
    if language not in ESSAY_LANGUAGES:
        return _essay_page(
            request,
            visitor,
            session,
            application_id,
            now,
            status=422,
            errors=[FieldError("language-kk", visitor.texts.gettext("Choose the language of your essay"))],
        )
    try:
        with session.begin():
            essays.start(
                session=session, application_id=application_id, actor=visitor.account, language=language, now=now
            )
    except DomainError as problem:
        return _essay_page(
            request,
            visitor,
            session,
            application_id,
            now,
            status=409,
            errors=[field_error(problem, visitor.texts, "language-kk")],
        )
    return redirect(f"/applications/{application_id}/essay")


@router.post("/applications/{application_id}/essay/draft", response_class=HTMLResponse)
def essay_draft(
    application_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Autosave (htmx, as the person types) or the "save draft" button; the word count is the core's."""
    assert visitor.account is not None
    text = str(form.get("text") or "")
    is_htmx = request.headers.get("hx-request") == "true"
    try:
        with session.begin():
            essay = essays.save_draft(
                session=session, application_id=application_id, actor=visitor.account, text=text, language=None, now=now
            )
            context = _essay_context(session, visitor, application_id, now)
    except DomainError as problem:
        if is_htmx:
            return render(
                request,
                visitor,
                "_essay_status.html",
                status=200,
                error=field_error(problem, visitor.texts).message,
                essay=None,
                word_limit=None,
            )
        return _essay_page(
            request,
            visitor,
            session,
            application_id,
            now,
            status=409,
            text=text,
            errors=[field_error(problem, visitor.texts, "essay-text")],
        )
    if is_htmx:
        return render(request, visitor, "_essay_status.html", essay=essay, word_limit=context["word_limit"], error=None)
    return redirect(f"/applications/{application_id}/essay")


@router.post("/applications/{application_id}/essay/check", response_class=HTMLResponse)
def essay_check(
    application_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Save the text, then show it with the core's word count before the irreversible submission."""
    assert visitor.account is not None
    text = str(form.get("text") or "")
    try:
        with session.begin():
            essays.save_draft(
                session=session, application_id=application_id, actor=visitor.account, text=text, language=None, now=now
            )
            context = _essay_context(session, visitor, application_id, now)
    except DomainError as problem:
        return _essay_page(
            request,
            visitor,
            session,
            application_id,
            now,
            status=409,
            text=text,
            errors=[field_error(problem, visitor.texts, "essay-text")],
        )
    return render(request, visitor, "essay_check.html", title=visitor.texts.gettext("Check your essay"), **context)


@router.post("/applications/{application_id}/essay/submit", response_class=HTMLResponse)
def essay_submit(
    application_id: Id,
    request: Request,
    visitor: CandidateVisitor,
    form: CheckedForm,
    session: SessionDep,
    now: NowDep,
    queue: QueueDep,
) -> Response:
    """Submit and lock the last saved text; the core refuses an essay over the limit and says its count."""
    assert visitor.account is not None
    try:
        with session.begin():
            essays.submit(
                session=session,
                application_id=application_id,
                actor=visitor.account,
                text=None,
                language=None,
                now=now,
                queue=queue,
            )
    except DomainError as problem:
        return _essay_page(
            request,
            visitor,
            session,
            application_id,
            now,
            status=422,
            errors=[field_error(problem, visitor.texts, "essay-text")],
        )
    return redirect(f"/applications/{application_id}/essay?submitted=1")
