"""Pages of HR officers: their body's vacancies (create, publish, close), a competition's dashboard, its
applications (confirm or reject), recorded results, interview slots, publishing the results, the protocol.

Every step calls the service the API calls (``app.vacancies.service``, ``app.selection.vacancies``,
``app.competitions.service``, ``app.selection.service``, ``app.applications.service``,
``app.interviews.service``); the page shows what they return or refuse.
Another state body's vacancy, competition or application is the 403 page (the services' permission
checks decide), never its data. Talent search and alert campaigns are ``app.web.talent``'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.applications import service as applications
from app.applications.models import CONFIRMED, REJECTED, SUBMITTED, Application, RecordedStageResult
from app.applications.schemas import RejectIn, StageResultsIn
from app.auth.models import HR_OFFICER, Account
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.candidates.models import Candidate
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.models import RESULTS_PUBLISHED, SCORE_MEMBER, SCORED_STAGES, Competition, MemberScore
from app.deps import NowDep, PolicyDep, QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import NOT_FOUND, DomainError, Kind
from app.essays import stages as scored_stages
from app.essays.models import Essay, StageClosure
from app.i18n.domain import EDUCATION_LEVEL_NAMES, STAGE_NAMES
from app.interviews import service as interviews
from app.interviews.models import HELD, SCHEDULED, Interview
from app.interviews.schemas import InterviewIn
from app.protocol import link as protocol_link
from app.protocol import service as protocols
from app.rules.calendar import nth_working_day_after
from app.rules.categories import all_categories, stage_plan
from app.rules.errors import RulesError
from app.rules.policy import EDUCATION_LEVELS
from app.selection import service as selection
from app.selection import vacancies as vacancy_competition
from app.vacancies import service as vacancies
from app.vacancies.models import DRAFT, PUBLISHED, Vacancy
from app.vacancies.schemas import VacancyCreate
from app.web.commission import ROLE_NAMES as COMMISSION_ROLES
from app.web.deps import CheckedForm, Visitor, WebRoute, field, fields, redirect, render, staff_of
from app.web.i18n import Texts
from app.web.messages import FieldError, problem_message
from app.web.nav import _, staff_link
from app.web.public import requirement_lines

router = APIRouter(route_class=WebRoute, include_in_schema=False)

HrVisitor = Annotated[Visitor, Depends(staff_of(HR_OFFICER))]
APPLICATIONS_PER_PAGE = 20
RESULTS_PER_PAGE = 50


staff_link(
    "/hr/vacancies",
    _("Vacancies and competitions"),
    HR_OFFICER,
    order=10,
    description=_("Create and publish your body's vacancies; run their competitions."),
)

VACANCY_FIELDS: dict[str, str] = {
    "title_kk": _("Title in Kazakh"),
    "title_ru": _("Title in Russian"),
    "category": _("Position category"),
    "managerial": _("Managerial position"),
    "functional_area": _("Functional area"),
    "locality_type": _("Locality"),
    "duties_kk": _("Duties in Kazakh"),
    "duties_ru": _("Duties in Russian"),
    "min_education_level": _("Lowest education level accepted"),
    "education_fields": _("Fields of study"),
    "min_experience_months": _("Work experience, months at least"),
    "min_functional_area_months": _("Experience in the functional area, months at least"),
}
"""The vacancy form's fields in the order of the form (the error summary keeps it), with their labels."""

LOCALITY_TYPES: dict[str, str] = {
    "republican": _("Republican"),
    "city": _("City"),
    "district": _("District"),
    "rural": _("Rural"),
}
VACANCY_STATUSES: dict[str, str] = {"draft": _("Draft"), "published": _("Published"), "closed": _("Closed")}
APPLICATION_STATUSES: dict[str, str] = {
    "submitted": _("Waiting for your decision"),
    "confirmed": _("Confirmed"),
    "rejected": _("Rejected"),
}
INTERVIEW_STATUSES: dict[str, str] = {"scheduled": _("Scheduled"), "held": _("Held"), "cancelled": _("Cancelled")}
SERVICE_TEXTS: dict[str, str] = {
    "line breaks and control characters are not allowed here": _(
        "line breaks and control characters are not allowed here"
    ),
}
"""The schema's own refusals (``app.bounds``), in the catalogue by their English words."""


def _stage_name(stage: str, locale: str) -> str:
    return STAGE_NAMES.get(stage, {}).get(locale, stage)


def _title(vacancy: Vacancy, locale: str) -> str:
    return vacancy.title_kk if locale == "kk" else vacancy.title_ru


def _page_problem(problem: DomainError) -> None:
    """Not-found and forbidden are the 404 and 403 pages (``WebRoute``), never a message beside a field."""
    if problem.kind in (Kind.NOT_FOUND, Kind.FORBIDDEN, Kind.UNAUTHENTICATED):
        raise problem


def _refusal(problem: DomainError, texts: Texts, field_id: str) -> FieldError:
    """A service's refusal as the message beside ``field_id`` (not-found and forbidden are their own pages)."""
    _page_problem(problem)
    return FieldError(field_id, problem_message(problem, texts))


# --- vacancies ----------------------------------------------------------------------------------------------


def _own_vacancy(session: Session, vacancy_id: Id, actor: Account) -> Vacancy:
    """The vacancy when it is the HR officer's body's: 404 when there is none, 403 when it is another body's."""
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id}")
    ensure_can(actor, "vacancy.manage", vacancy)
    return vacancy


@router.get("/hr/vacancies", response_class=HTMLResponse)
def vacancy_list(request: Request, visitor: HrVisitor, session: SessionDep) -> HTMLResponse:
    assert visitor.account is not None
    body_id = visitor.account.state_body_id
    with session.begin():
        own = [
            v for v in vacancies.list_vacancies(session=session, actor=visitor.account) if v.state_body_id == body_id
        ]
        by_vacancy = {
            c.vacancy_id: c
            for c in session.scalars(select(Competition).where(Competition.vacancy_id.in_([v.id for v in own])))
        }
    rows = [{"vacancy": v, "title": _title(v, visitor.locale), "competition": by_vacancy.get(v.id)} for v in own]
    return render(
        request,
        visitor,
        "hr/vacancies.html",
        title=visitor.texts.gettext("Your body's vacancies"),
        rows=rows,
        statuses=VACANCY_STATUSES,
    )


def _vacancy_form_context(texts: Texts) -> dict[str, Any]:
    return {
        "labels": {name: texts.gettext(label) for name, label in VACANCY_FIELDS.items()},
        "categories": [(c.code, c.code) for c in all_categories()],
        "localities": [(key, texts.gettext(label)) for key, label in LOCALITY_TYPES.items()],
        "levels": [(level, EDUCATION_LEVEL_NAMES[level][texts.locale]) for level in EDUCATION_LEVELS],
    }


def _vacancy_data(form: FormData) -> dict[str, Any]:
    """The form as the API's request body (``VacancyCreate``); what is left empty is not sent."""
    managerial = {"yes": True, "no": False}.get(field(form, "managerial"))
    fields = [name.strip() for name in field(form, "education_fields").replace("\n", ",").split(",")]
    requirements: dict[str, Any] = {"education_fields": [name for name in fields if name]}
    if field(form, "min_education_level"):
        requirements["min_education_level"] = field(form, "min_education_level")
    for name in ("min_experience_months", "min_functional_area_months"):
        if field(form, name):
            requirements[name] = field(form, name)
    data: dict[str, Any] = {
        "category": field(form, "category"),
        "managerial": managerial,
        "functional_area": field(form, "functional_area"),
        "locality_type": field(form, "locality_type") or None,
        "requirements": requirements,
    }
    for name in ("title_kk", "title_ru", "duties_kk", "duties_ru"):
        data[name] = field(form, name)
    return data


def _schema_errors(error: ValidationError, texts: Texts) -> list[FieldError]:
    """The schema's refusals beside their fields, in the form's order, in the page's language."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        name = location[1] if location[0] == "requirements" and len(location) > 1 else location[0]
        if name not in VACANCY_FIELDS or name in found:
            continue
        label = texts.gettext(VACANCY_FIELDS[name])
        kind = item["type"]
        if kind in ("missing", "string_too_short"):
            message = texts.gettext("%(field)s: fill this in", field=label)
        elif kind == "string_too_long":
            limit = texts.number(int(item.get("ctx", {}).get("max_length", 0)))
            message = texts.gettext("%(field)s: at most %(limit)s characters", field=label, limit=limit)
        elif kind in ("int_parsing", "int_type", "int_from_float", "greater_than_equal", "less_than_equal"):
            message = texts.gettext("%(field)s: a whole number from 0 to 1200", field=label)
        elif kind in ("literal_error", "enum"):
            message = texts.gettext("%(field)s: choose one of the options", field=label)
        else:
            said = str(item["msg"]).removeprefix("Value error, ")
            problem = texts.gettext(SERVICE_TEXTS[said]) if said in SERVICE_TEXTS else said
            message = texts.gettext("%(field)s: %(problem)s", field=label, problem=problem)
        found[name] = message
    return [FieldError(name, found[name]) for name in VACANCY_FIELDS if name in found]


def _new_vacancy_page(
    request: Request,
    visitor: Visitor,
    values: dict[str, str],
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        "hr/vacancy_new.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Create a vacancy"),
        values=values,
        **_vacancy_form_context(visitor.texts),
    )


@router.get("/hr/vacancies/new", response_class=HTMLResponse)
def new_vacancy(request: Request, visitor: HrVisitor) -> HTMLResponse:
    return _new_vacancy_page(request, visitor, {"managerial": "default"})


@router.post("/hr/vacancies/new", response_class=HTMLResponse)
def create_vacancy(request: Request, visitor: HrVisitor, form: CheckedForm, session: SessionDep) -> Response:
    """A draft of the officer's body, by ``vacancies.create``; the schema's and the service's refusals shown."""
    assert visitor.account is not None
    values = {name: str(form.get(name) or "") for name in VACANCY_FIELDS}
    try:
        data = VacancyCreate.model_validate(_vacancy_data(form))
    except ValidationError as error:
        return _new_vacancy_page(request, visitor, values, status=422, errors=_schema_errors(error, visitor.texts))
    try:
        with session.begin():
            vacancy = vacancies.create(session=session, data=data, actor=visitor.account)
            vacancy_id = vacancy.id
    except RulesError:
        message = visitor.texts.gettext("Choose the position category from the list")
        return _new_vacancy_page(request, visitor, values, status=422, errors=[FieldError("category", message)])
    except DomainError as problem:
        errors = [_refusal(problem, visitor.texts, "title_kk")]
        return _new_vacancy_page(request, visitor, values, status=409, errors=errors)
    return redirect(f"/hr/vacancies/{vacancy_id}?created=1")


def _vacancy_view(session: Session, vacancy: Vacancy, texts: Texts, today: date, settings: Any) -> dict[str, Any]:
    out = vacancy_competition.to_out(
        session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
    )
    managerial_word = texts.gettext("Yes") if vacancy.managerial else texts.gettext("No")
    return {
        "vacancy": out,
        "vacancy_title": _title(vacancy, texts.locale),
        "requirements": requirement_lines(out.requirements, texts),
        "managerial_word": managerial_word,
        "locality": texts.gettext(LOCALITY_TYPES[vacancy.locality_type]) if vacancy.locality_type else "",
        "stages": [_stage_name(s, texts.locale) for s in stage_plan(vacancy.category, vacancy.managerial)],
        "status_name": texts.gettext(VACANCY_STATUSES[vacancy.status]),
    }


@router.get("/hr/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy_page(
    vacancy_id: Id,
    request: Request,
    visitor: HrVisitor,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    created: str = "",
    published: str = "",
    closed: str = "",
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        vacancy = _own_vacancy(session, vacancy_id, visitor.account)
        context = _vacancy_view(session, vacancy, visitor.texts, today, settings)
    return render(
        request,
        visitor,
        "hr/vacancy.html",
        title=context["vacancy_title"],
        created=bool(created),
        published=bool(published),
        closed=bool(closed),
        DRAFT=DRAFT,
        PUBLISHED=PUBLISHED,
        **context,
    )


def _check_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    vacancy_id: Id,
    today: date,
    settings: Any,
    *,
    action: str,
    status: int = 200,
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        vacancy = _own_vacancy(session, vacancy_id, visitor.account)
        context = _vacancy_view(session, vacancy, visitor.texts, today, settings)
    texts = visitor.texts
    return render(
        request,
        visitor,
        "hr/vacancy_check.html",
        status=status,
        errors=errors,
        title=texts.gettext("Check the vacancy before you publish it")
        if action == "publish"
        else texts.gettext("Check the vacancy before you close it"),
        action=action,
        closes_on=nth_working_day_after(today, settings.application_window_working_days),
        **context,
    )


_DECIDED = {"publish": "published", "close": "closed"}


def _decide_vacancy(
    request: Request,
    visitor: Visitor,
    session: Session,
    vacancy_id: Id,
    today: date,
    settings: Any,
    action: str,
    decide: Callable[[], object],
) -> Response:
    """Run the publish or close service; its refusal is shown on the check page beside the button."""
    try:
        with session.begin():
            decide()
    except DomainError as problem:
        errors = [_refusal(problem, visitor.texts, "confirm")]
        return _check_page(
            request, visitor, session, vacancy_id, today, settings, action=action, status=409, errors=errors
        )
    return redirect(f"/hr/vacancies/{vacancy_id}?{_DECIDED[action]}=1")


def _check_route(action: str) -> None:
    """The check page before publishing or closing a vacancy (``/publish``, ``/close``)."""

    @router.get(f"/hr/vacancies/{{vacancy_id}}/{action}", response_class=HTMLResponse, name=f"{action}_check")
    def check(
        vacancy_id: Id,
        request: Request,
        visitor: HrVisitor,
        session: SessionDep,
        settings: SettingsDep,
        today: TodayDep,
    ) -> HTMLResponse:
        return _check_page(request, visitor, session, vacancy_id, today, settings, action=action)


for _action in _DECIDED:
    _check_route(_action)


@router.post("/hr/vacancies/{vacancy_id}/publish", response_class=HTMLResponse)
def publish_vacancy(
    vacancy_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
    today: TodayDep,
) -> Response:
    """Publish by ``app.selection.vacancies.publish`` (its competition opens under the policy in force today)."""
    assert visitor.account is not None
    account = visitor.account

    def publish() -> object:
        return vacancy_competition.publish(
            session=session,
            vacancy_id=vacancy_id,
            actor=account,
            policy=policy,
            today=today,
            window_working_days=settings.application_window_working_days,
        )

    return _decide_vacancy(request, visitor, session, vacancy_id, today, settings, "publish", publish)


@router.post("/hr/vacancies/{vacancy_id}/close", response_class=HTMLResponse)
def close_vacancy(
    vacancy_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
) -> Response:
    assert visitor.account is not None
    account = visitor.account
    return _decide_vacancy(
        request,
        visitor,
        session,
        vacancy_id,
        today,
        settings,
        "close",
        lambda: vacancy_competition.close(session=session, vacancy_id=vacancy_id, actor=account),
    )


# --- a competition's dashboard -----------------------------------------------------------------------------


def _managed(session: Session, competition_id: Id, actor: Account) -> Competition:
    """The competition when it is the officer's body's (the service's check: 404, or 403 for another body's)."""
    return competitions.managed_competition(session=session, competition_id=competition_id, actor=actor)


def _counted(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counts(session: Session, competition: Competition) -> dict[str, int]:
    """Every figure of the dashboard in two aggregate queries, however many applications there are."""
    recorded, essay, interview = RecordedStageResult, Essay, Interview
    ours = Application.competition_id == competition.id
    confirmed = ours & (Application.status == CONFIRMED)
    # Four one-row aggregates, each one pass over its own table (per-application tables joined by their index).
    statuses = (
        select(
            func.count(Application.id).label("total"),
            _counted(Application.status == SUBMITTED).label("submitted"),
            _counted(Application.status == CONFIRMED).label("confirmed"),
            _counted(Application.status == REJECTED).label("rejected"),
            _counted(Application.qualified.is_(False)).label("not_qualified"),
        )
        .where(ours)
        .subquery()
    )
    results = (
        select(
            func.count(recorded.legislation).label("legislation"),
            _counted(recorded.legislation_certificate_valid.is_(True)).label("certificate"),
            func.count(recorded.personal_qualities_percent).label("personal_qualities"),
            func.count(recorded.reasoning_text).label("reasoning"),
        )
        .join(Application, Application.id == recorded.application_id)
        .where(confirmed)
        .subquery()
    )
    essays = (
        select(func.count(essay.id).label("started"), _counted(essay.locked.is_(True)).label("submitted"))
        .join(Application, Application.id == essay.application_id)
        .where(ours)
        .subquery()
    )
    slots = (
        select(
            _counted(interview.status == SCHEDULED).label("scheduled"),
            _counted(interview.status == HELD).label("held"),
        )
        .where(interview.competition_id == competition.id)
        .subquery()
    )
    row = session.execute(
        select(
            statuses.c.total,
            statuses.c.submitted,
            statuses.c.confirmed,
            statuses.c.rejected,
            statuses.c.not_qualified,
            results.c.legislation,
            results.c.certificate,
            results.c.personal_qualities,
            results.c.reasoning,
            essays.c.started,
            essays.c.submitted,
            slots.c.scheduled,
            slots.c.held,
        ).select_from(statuses.join(results, true()).join(essays, true()).join(slots, true()))
    ).one()
    names = (
        "total",
        "submitted",
        "confirmed",
        "rejected",
        "not_qualified",
        "legislation",
        "certificate",
        "personal_qualities",
        "reasoning",
        "essays_started",
        "essays_submitted",
        "interviews_scheduled",
        "interviews_held",
    )
    counts = {name: int(value) for name, value in zip(names, row, strict=True)}
    scored = session.execute(
        select(MemberScore.stage, func.count(func.distinct(MemberScore.application_id)))
        .join(Application, Application.id == MemberScore.application_id)
        .where(Application.competition_id == competition.id, MemberScore.score_type == SCORE_MEMBER)
        .group_by(MemberScore.stage)
    ).all()
    for stage in SCORED_STAGES:
        counts[f"scored_{stage}"] = 0
    for stage, number in scored:
        counts[f"scored_{stage}"] = int(number)
    return counts


@dataclass
class StageRow:
    stage: str
    name: str
    figures: list[tuple[str, int]]
    closed_at: datetime | None = None
    href: str | None = None


def _stage_rows(
    competition: Competition, counts: dict[str, int], closures: dict[str, datetime], texts: Texts
) -> list[StageRow]:
    base = f"/hr/competitions/{competition.id}"
    rows = []
    for stage in competition.stage_plan:
        figures: list[tuple[str, int]]
        href = f"{base}/results"
        if stage == "eligibility":
            figures = [
                (texts.gettext("Results recorded"), counts["legislation"]),
                (texts.gettext("Valid certificates"), counts["certificate"]),
            ]
        elif stage in ("personal_qualities", "reasoning"):
            figures = [(texts.gettext("Results recorded"), counts[stage])]
        elif stage == "essay":
            figures = [
                (texts.gettext("Essays started"), counts["essays_started"]),
                (texts.gettext("Essays submitted"), counts["essays_submitted"]),
                (texts.gettext("Scored by the commission"), counts["scored_essay"]),
            ]
        elif stage == "practical":
            figures = [(texts.gettext("Scored by the commission"), counts["scored_practical"])]
        elif stage == "interview":
            figures = [
                (texts.gettext("Interviews scheduled"), counts["interviews_scheduled"]),
                (texts.gettext("Interviews held"), counts["interviews_held"]),
                (texts.gettext("Scored by the commission"), counts["scored_interview"]),
            ]
            href = f"{base}/interviews"
        else:
            figures = []
            href = f"{base}/protocol" if competition.status == RESULTS_PUBLISHED else f"{base}/publish"
        rows.append(StageRow(stage, _stage_name(stage, texts.locale), figures, closures.get(stage), href))
    return rows


@router.get("/hr/competitions/{competition_id}", response_class=HTMLResponse)
def dashboard(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    session: SessionDep,
    today: TodayDep,
    results: str = "",
) -> HTMLResponse:
    """Stages, counts, working-day deadlines with overdue marks, the commission: a few queries in all."""
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        calendar = selection.calendar_view(session=session, competition=competition, today=today)
        counts = _counts(session, competition)
        closures = dict(
            session.execute(
                select(StageClosure.stage, StageClosure.closed_at).where(StageClosure.competition_id == competition.id)
            ).all()
        )
        seats = [
            (account.display_name, visitor.texts.gettext(COMMISSION_ROLES.get(seat.role, seat.role)))
            for seat, account in competitions.commission_seats(session=session, competition=competition)
        ]
        protocol_due = protocol = None
        if competition.status == RESULTS_PUBLISHED:
            protocol_due = protocol_link.protocol_due(competition)
            protocol = protocol_link.latest_protocol(session=session, competition=competition)
    return render(
        request,
        visitor,
        "hr/dashboard.html",
        title=visitor.texts.gettext("Competition dashboard"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        calendar=calendar,
        counts=counts,
        stages=_stage_rows(competition, counts, closures, visitor.texts),
        seats=seats,
        protocol_due=protocol_due,
        protocol_overdue=protocol_due is not None and protocol is None and today > protocol_due,
        published=competition.status == RESULTS_PUBLISHED,
        results_done=bool(results),
    )


# --- applications: the qualification check, confirm or reject ------------------------------------------------

APPLICATION_FILTERS: dict[str, str] = {
    "": _("All"),
    SUBMITTED: _("Waiting for your decision"),
    CONFIRMED: _("Confirmed"),
    REJECTED: _("Rejected"),
}


def _applications_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    today: date,
    *,
    page: int,
    status_filter: str,
    done: str = "",
    code: str = "",
    status: int = 200,
    errors: list[FieldError] | None = None,
    reasons: dict[int, str] | None = None,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        query = select(Application).where(Application.competition_id == competition.id)
        counted = select(func.count()).select_from(Application).where(Application.competition_id == competition.id)
        if status_filter:
            query = query.where(Application.status == status_filter)
            counted = counted.where(Application.status == status_filter)
        found = int(session.scalar(counted) or 0)
        pages = max(1, -(-found // APPLICATIONS_PER_PAGE))
        page = min(page, pages)
        shown = session.scalars(
            query.order_by(Application.applied_at, Application.id)
            .offset((page - 1) * APPLICATIONS_PER_PAGE)
            .limit(APPLICATIONS_PER_PAGE)
        ).all()
        # The rows ``to_out`` reads, in one query each: it then finds them in the session instead of the database.
        ids = [a.id for a in shown]
        people = session.scalars(select(Candidate).where(Candidate.id.in_([a.candidate_id for a in shown]))).all()
        session.scalars(select(Account).where(Account.id.in_([c.account_id for c in people]))).all()
        session.scalars(select(RecordedStageResult).where(RecordedStageResult.application_id.in_(ids))).all()
        items = [applications.to_out(session, a, today=today, personal=True) for a in shown]
    query_string = f"status={status_filter}&" if status_filter else ""
    return render(
        request,
        visitor,
        "hr/applications.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Applications"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        items=items,
        found=found,
        page=page,
        pages=pages,
        page_url=lambda number: f"/hr/competitions/{competition.id}/applications?{query_string}page={number}",
        status_filter=status_filter,
        filters=[(key, visitor.texts.gettext(label)) for key, label in APPLICATION_FILTERS.items()],
        statuses=APPLICATION_STATUSES,
        done=done,
        done_code=code,
        reasons=reasons or {},
    )


@router.get("/hr/competitions/{competition_id}/applications", response_class=HTMLResponse)
def application_list(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    session: SessionDep,
    today: TodayDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    status: Annotated[str, Query(pattern="^(|submitted|confirmed|rejected)$")] = "",
    done: Annotated[str, Query(pattern="^(|confirmed|rejected)$")] = "",
    code: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    return _applications_page(
        request, visitor, session, competition_id, today, page=page, status_filter=status, done=done, code=code
    )


def _back(form: FormData) -> tuple[int, str]:
    page = field(form, "page")
    status = field(form, "status")
    return (int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1), (
        status if status in APPLICATION_FILTERS else ""
    )


@dataclass(frozen=True)
class Decided:
    competition_id: Id
    anonymous_code: str


def _readable(session: Session, application_id: Id, actor: Account) -> Decided:
    """The application when it is of the officer's body (the service's check: 404, or 403 for another body's)."""
    with session.begin():
        application = applications.readable_application(session=session, application_id=application_id, actor=actor)
        return Decided(application.competition_id, application.anonymous_code)


@router.post("/hr/applications/{application_id}/confirm", response_class=HTMLResponse)
def confirm_application(
    application_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
) -> Response:
    """Confirm in one step (``applications.confirm``); its refusal is shown beside the button."""
    assert visitor.account is not None
    application = _readable(session, application_id, visitor.account)
    page, status_filter = _back(form)
    try:
        with session.begin():
            applications.confirm(session=session, queue=queue, application_id=application_id, actor=visitor.account)
    except DomainError as problem:
        errors = [_refusal(problem, visitor.texts, f"confirm-{application_id}")]
        return _applications_page(
            request,
            visitor,
            session,
            application.competition_id,
            today,
            page=page,
            status_filter=status_filter,
            status=409,
            errors=errors,
        )
    query = f"page={page}&done=confirmed&code={application.anonymous_code}"
    if status_filter:
        query = f"status={status_filter}&{query}"
    return redirect(f"/hr/competitions/{application.competition_id}/applications?{query}")


@router.post("/hr/applications/{application_id}/reject", response_class=HTMLResponse)
def reject_application(
    application_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
) -> Response:
    """Reject in one step with the reason the candidate reads (the API's ``RejectIn`` requires one)."""
    assert visitor.account is not None
    application = _readable(session, application_id, visitor.account)
    page, status_filter = _back(form)
    reason = field(form, "reason")
    error_field = f"reason-{application_id}"
    try:
        data = RejectIn(reason=reason)
    except ValidationError:
        message = visitor.texts.gettext(
            "Enter the reason for the rejection (up to 2000 characters); the candidate reads it"
        )
        errors = [FieldError(error_field, message)]
    else:
        try:
            with session.begin():
                applications.reject(
                    session=session,
                    queue=queue,
                    application_id=application_id,
                    actor=visitor.account,
                    reason=data.reason,
                )
        except DomainError as problem:
            errors = [_refusal(problem, visitor.texts, error_field)]
        else:
            query = f"page={page}&done=rejected&code={application.anonymous_code}"
            if status_filter:
                query = f"status={status_filter}&{query}"
            return redirect(f"/hr/competitions/{application.competition_id}/applications?{query}")
    return _applications_page(
        request,
        visitor,
        session,
        application.competition_id,
        today,
        page=page,
        status_filter=status_filter,
        status=422 if not reason else 409,
        errors=errors,
        reasons={application_id: reason},
    )


# --- recorded results per stage ------------------------------------------------------------------------------


@router.get("/hr/competitions/{competition_id}/results", response_class=HTMLResponse)
def recorded_results(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The confirmed candidates' recorded results and the commission's counting scores, stage by stage."""
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        confirmed = (Application.competition_id == competition.id) & (Application.status == CONFIRMED)
        found = int(session.scalar(select(func.count()).select_from(Application).where(confirmed)) or 0)
        pages = max(1, -(-found // RESULTS_PER_PAGE))
        page = min(page, pages)
        rows = session.execute(
            select(Application, RecordedStageResult)
            .outerjoin(RecordedStageResult, RecordedStageResult.application_id == Application.id)
            .where(confirmed)
            .order_by(Application.applied_at, Application.id)
            .offset((page - 1) * RESULTS_PER_PAGE)
            .limit(RESULTS_PER_PAGE)
        ).all()
        scores = selection.counting_member_scores(session=session, application_ids=[a.id for a, _r in rows])
        lines = [
            {
                "id": application.id,
                "code": application.anonymous_code,
                "results": applications.stage_results_out(recorded),
                "scores": scores.get(application.id, {}),
            }
            for application, recorded in rows
        ]
    return render(
        request,
        visitor,
        "hr/results.html",
        title=visitor.texts.gettext("Recorded results"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        stages=[(stage, _stage_name(stage, visitor.locale)) for stage in competition.stage_plan if stage != "final"],
        lines=lines,
        found=found,
        page=page,
        pages=pages,
        page_url=lambda number: f"/hr/competitions/{competition.id}/results?page={number}",
    )


# --- interview slots ------------------------------------------------------------------------------------------

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)
"""Interview slots are offered from 09:00 to 18:00 Astana time, one every ``interview_minutes`` (15)."""


def _slot_times(minutes: int) -> list[str]:
    moment = datetime.combine(date(2000, 1, 3), WORKDAY_START)
    end = datetime.combine(date(2000, 1, 3), WORKDAY_END)
    found = []
    while moment + timedelta(minutes=minutes) <= end:
        found.append(moment.strftime("%H:%M"))
        moment += timedelta(minutes=minutes)
    return found


def _interviews_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    done: str = "",
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        in_plan = "interview" in competition.stage_plan
        shortlist = scored_stages.interview_shortlist(session=session, competition=competition) if in_plan else []
        booked = {
            application.anonymous_code: interview
            for interview, application in interviews.interviews_of(session=session, competition=competition)
        }
        minutes = competitions.policy_of(competition).interview_minutes
    return render(
        request,
        visitor,
        "hr/interviews.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Interviews"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        in_plan=in_plan,
        shortlist=shortlist,
        booked=booked,
        minutes=minutes,
        slots=[(slot, slot) for slot in _slot_times(minutes)],
        values=values or {},
        done=done,
        interview_statuses=INTERVIEW_STATUSES,
    )


@router.get("/hr/competitions/{competition_id}/interviews", response_class=HTMLResponse)
def interview_slots(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    session: SessionDep,
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    return _interviews_page(request, visitor, session, competition_id, done=done)


@router.post("/hr/competitions/{competition_id}/interviews", response_class=HTMLResponse)
def schedule_interview(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    now: NowDep,
) -> Response:
    """Give a shortlisted code its slot by ``interviews.schedule`` (its checks: shortlist, working day, clash)."""
    assert visitor.account is not None
    code = field(form, "anonymous_code")[:16]
    values = {"code": code, "day": field(form, "day"), "slot": field(form, "slot")}
    day_field = f"day-{code}"
    try:
        moment = datetime.combine(date.fromisoformat(values["day"]), time.fromisoformat(values["slot"]))
        data = InterviewIn(anonymous_code=code, starts_at=moment.replace(tzinfo=KAZAKHSTAN))
    except ValueError:  # a malformed date or time, or one the schema refuses (a ValidationError is one)
        message = visitor.texts.gettext("Enter the day of the interview and choose its time")
        return _interviews_page(
            request,
            visitor,
            session,
            competition_id,
            status=422,
            errors=[FieldError(day_field, message)],
            values=values,
        )
    try:
        with session.begin():
            competition = _managed(session, competition_id, visitor.account)
            interviews.schedule(
                session=session,
                queue=queue,
                competition=competition,
                anonymous_code=data.anonymous_code,
                starts_at=data.starts_at,
                actor=visitor.account,
                now=now,
            )
    except DomainError as problem:
        errors = [_refusal(problem, visitor.texts, day_field)]
        return _interviews_page(request, visitor, session, competition_id, status=409, errors=errors, values=values)
    return redirect(f"/hr/competitions/{competition_id}/interviews?done={code}")


# --- publishing the results ------------------------------------------------------------------------------------


def _publish_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    today: date,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        calendar = selection.calendar_view(session=session, competition=competition, today=today)
        preview = selection.progress(session=session, competition=competition)
    return render(
        request,
        visitor,
        "hr/publish.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Check the results before you publish them"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        calendar=calendar,
        candidates=preview["candidates"],
        outcome=preview["outcome"],
        published=competition.status == RESULTS_PUBLISHED,
        today=today,
    )


@router.get("/hr/competitions/{competition_id}/publish", response_class=HTMLResponse)
def publish_results_check(
    competition_id: Id, request: Request, visitor: HrVisitor, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """The outcome the core gives for the stored data, to check before the irreversible publication."""
    return _publish_page(request, visitor, session, competition_id, today)


@router.post("/hr/competitions/{competition_id}/publish", response_class=HTMLResponse)
def publish_results(
    competition_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
) -> Response:
    assert visitor.account is not None
    try:
        with session.begin():
            competition = _managed(session, competition_id, visitor.account)
            selection.publish_results(
                session=session, queue=queue, competition=competition, actor=visitor.account, today=today
            )
    except DomainError as problem:
        errors = [_refusal(problem, visitor.texts, "confirm")]
        return _publish_page(request, visitor, session, competition_id, today, status=409, errors=errors)
    return redirect(f"/hr/competitions/{competition_id}?results=1")


# --- the protocol (read-only: signing is the commission's) -------------------------------------------------


@router.get("/hr/competitions/{competition_id}/protocol", response_class=HTMLResponse)
def protocol_view(
    competition_id: Id, request: Request, visitor: HrVisitor, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    assert visitor.account is not None
    protocol = None
    signed: dict[int, datetime] = {}
    due = sign_by = None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        vacancy = session.get(Vacancy, competition.vacancy_id)
        assert vacancy is not None
        seats = competitions.commission_seats(session=session, competition=competition)
        published = competition.status == RESULTS_PUBLISHED
        if published:
            due = protocol_link.protocol_due(competition)
            protocol = protocol_link.latest_protocol(session=session, competition=competition)
        if protocol is not None:
            sign_by = protocol_link.sign_deadline(competition, protocol.drawn_up_on)
            signed = {
                s.signer_account_id: s.signed_at
                for s in protocols.signatures_of(session=session, protocol_id=protocol.id)
            }
        members = [
            (
                account.display_name,
                visitor.texts.gettext(COMMISSION_ROLES.get(seat.role, seat.role)),
                signed.get(account.id),
            )
            for seat, account in seats
        ]
    return render(
        request,
        visitor,
        "hr/protocol.html",
        title=visitor.texts.gettext("Protocol"),
        competition=competition,
        vacancy_title=_title(vacancy, visitor.locale),
        published=published,
        protocol=protocol,
        due=due,
        sign_by=sign_by,
        overdue=due is not None and protocol is None and today > due,
        members=members,
    )


@router.get("/hr/competitions/{competition_id}/protocol.pdf")
def protocol_pdf(competition_id: Id, visitor: HrVisitor, session: SessionDep) -> Response:
    """The latest protocol's PDF, as drawn up (the bytes the members sign)."""
    assert visitor.account is not None
    with session.begin():
        competition = _managed(session, competition_id, visitor.account)
        protocol_link.ensure_results_published(competition)
        protocol = protocol_link.latest_protocol(session=session, competition=competition)
        if protocol is None:
            raise DomainError(NOT_FOUND, "no protocol is drawn up for this competition yet")
        return Response(
            protocol.pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="protocol-{competition.id}-v{protocol.version}.pdf"'},
        )


# --- recording one application's test results by hand (until the test sessions record them) --------------------

LEGISLATION_ACTS: tuple[str, ...] = ("constitution", "civil_service", "anti_corruption", "ethics")
RESULT_FIELDS: dict[str, str] = {
    "legislation_constitution": _("Constitution, correct answers"),
    "legislation_civil_service": _("Civil service law, correct answers"),
    "legislation_anti_corruption": _("Anti-corruption law, correct answers"),
    "legislation_ethics": _("Ethics code, correct answers"),
    "pq_percent": _("Personal qualities, percent"),
    "pq_reliable": _("The personal qualities result is reliable"),
    "reasoning_text": _("Text block, correct answers"),
    "reasoning_numeric": _("Numeric block, correct answers"),
}
"""The form's fields in its order; ``legislation.<act>`` and the others are the replay format's names."""
_RESULT_PATHS: dict[str, str] = {
    **{f"legislation.{act}": f"legislation_{act}" for act in LEGISLATION_ACTS},
    "legislation": "legislation_constitution",
    "personal_qualities.percent": "pq_percent",
    "personal_qualities.reliable": "pq_reliable",
    "personal_qualities": "pq_percent",
    "reasoning.text": "reasoning_text",
    "reasoning.numeric": "reasoning_numeric",
    "reasoning": "reasoning_text",
}


def _stored_values(out: Any) -> dict[str, str]:
    """The recorded results as the form shows them."""
    values: dict[str, str] = {}
    if out is None:
        return values
    for act in LEGISLATION_ACTS:
        if out.legislation is not None and act in out.legislation:
            values[f"legislation_{act}"] = str(out.legislation[act])
    values["certificate"] = "yes" if out.legislation_certificate_valid else ""
    if out.personal_qualities is not None:
        percent = out.personal_qualities["percent"]
        values["pq_percent"] = str(int(percent)) if float(percent).is_integer() else str(percent)
        values["pq_reliable"] = "yes" if out.personal_qualities["reliable"] else "no"
    if out.reasoning is not None:
        values["reasoning_text"] = str(out.reasoning["text"])
        values["reasoning_numeric"] = str(out.reasoning["numeric"])
    return values


def _results_data(values: dict[str, str], texts: Texts) -> tuple[dict[str, Any], list[FieldError]]:
    """The form as the API's ``StageResultsIn`` body: what is empty is cleared; numbers must be numbers."""
    errors: list[FieldError] = []

    def number(name: str, *, decimal: bool = False) -> float | int | None:
        raw = values.get(name, "").replace(",", ".")
        if not raw:
            return None
        try:
            return float(raw) if decimal else int(raw)
        except ValueError:
            label = texts.gettext(RESULT_FIELDS[name])
            errors.append(FieldError(name, texts.gettext("%(field)s: enter a number", field=label)))
            return None

    acts = {act: number(f"legislation_{act}") for act in LEGISLATION_ACTS}
    percent = number("pq_percent", decimal=True)
    text_block, numeric_block = number("reasoning_text"), number("reasoning_numeric")
    data: dict[str, Any] = {
        "legislation": None if all(v is None for v in acts.values()) else acts,
        "legislation_certificate_valid": values.get("certificate") == "yes",
        "personal_qualities": None
        if percent is None
        else {"percent": percent, "reliable": values.get("pq_reliable") != "no"},
        "reasoning": None
        if text_block is None and numeric_block is None
        else {"text": text_block, "numeric": numeric_block},
    }
    return data, errors


def _invalid_results(problem: DomainError, texts: Texts) -> list[FieldError]:
    """The replay format's problems (``legislation.ethics: must be 0..10``) beside their fields, in words."""
    found: dict[str, str] = {}
    for line in problem.extensions.get("errors", []) or [str(problem.detail)]:
        path, _sep, said = str(line).partition(": ")
        name = _RESULT_PATHS.get(path, _RESULT_PATHS.get(path.split(".")[0], "legislation_constitution"))
        label = texts.gettext(RESULT_FIELDS[name])
        bounds = re.fullmatch(r"must be (\d+)\.\.(\d+)", said.strip())
        if bounds is not None:
            message = texts.gettext(
                "%(field)s: a number from %(low)s to %(high)s", field=label, low=bounds.group(1), high=bounds.group(2)
            )
        else:
            message = texts.gettext(
                "%(field)s: %(problem)s", field=label, problem=said or problem_message(problem, texts)
            )
        found.setdefault(name, message)
    return [FieldError(name, found[name]) for name in RESULT_FIELDS if name in found]


def _record_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    application_id: Id,
    today: date,
    *,
    values: dict[str, str] | None = None,
    status: int = 200,
    errors: list[FieldError] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        application = applications.readable_application(
            session=session, application_id=application_id, actor=visitor.account
        )
        competition = _managed(session, application.competition_id, visitor.account)
        out = applications.to_out(session, application, today=today, personal=False)
    return render(
        request,
        visitor,
        "hr/record_results.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Record the test results of %(code)s", code=out.anonymous_code),
        competition=competition,
        application=out,
        values=_stored_values(out.stage_results) if values is None else values,
        labels={name: visitor.texts.gettext(label) for name, label in RESULT_FIELDS.items()},
        acts=LEGISLATION_ACTS,
        saved=saved,
    )


@router.get("/hr/applications/{application_id}/results", response_class=HTMLResponse)
def record_results_page(
    application_id: Id, request: Request, visitor: HrVisitor, session: SessionDep, today: TodayDep, saved: str = ""
) -> HTMLResponse:
    return _record_page(request, visitor, session, application_id, today, saved=bool(saved))


@router.post("/hr/applications/{application_id}/results", response_class=HTMLResponse)
def record_results(
    application_id: Id,
    request: Request,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    today: TodayDep,
) -> Response:
    """Record by ``applications.record_stage_results`` (the replay format's ranges under the competition's policy)."""
    assert visitor.account is not None
    values = fields(form, (*RESULT_FIELDS, "certificate"))
    data, errors = _results_data(values, visitor.texts)
    if errors:
        return _record_page(request, visitor, session, application_id, today, values=values, status=422, errors=errors)
    try:
        with session.begin():
            applications.record_stage_results(
                session=session,
                application_id=application_id,
                actor=visitor.account,
                data=StageResultsIn.model_validate(data),
            )
    except DomainError as problem:
        _page_problem(problem)
        errors = (
            _invalid_results(problem, visitor.texts)
            if problem.code == "invalid_stage_results"
            else [FieldError("legislation_constitution", problem_message(problem, visitor.texts))]
        )
        return _record_page(request, visitor, session, application_id, today, values=values, status=409, errors=errors)
    return redirect(f"/hr/applications/{application_id}/results?saved=1")
