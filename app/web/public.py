"""Public pages: the home page with open vacancies, a vacancy, the language switch, the unsubscribe link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from app.alerts import subscriptions as alerts
from app.applications.models import Application
from app.applications.texts import explain
from app.auth.models import CANDIDATE, StateBody
from app.bounds import Id
from app.candidates.qualification import qualification_of
from app.candidates.service import candidate_of_account
from app.competitions import service as competitions
from app.competitions.models import OPEN, Competition
from app.db import utcnow
from app.deps import SessionDep, SettingsDep, TodayDep
from app.errors import DomainError
from app.i18n.domain import EDUCATION_LEVEL_NAMES, STAGE_NAMES
from app.selection import vacancies as vacancy_competition
from app.vacancies import service as vacancies
from app.vacancies.models import Vacancy
from app.vacancies.schemas import VacancyOut
from app.web.deps import Visitor, VisitorDep, WebRoute, render, safe_next, secure_cookies
from app.web.i18n import LANGUAGE_COOKIE, PAGE_LOCALES, Texts
from app.web.messages import problem_message

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 20
"""Vacancies on one page of the home page."""


def level_name(level: str, locale: str) -> str:
    return EDUCATION_LEVEL_NAMES.get(level, {}).get(locale, level)


def requirement_lines(requirements: dict[str, Any], texts: Texts) -> list[str]:
    """A vacancy's requirements in words (the stored values; the check itself is the core's)."""
    lines = []
    if requirements.get("min_education_level"):
        lines.append(
            texts.gettext(
                "Education: %(level)s or higher", level=level_name(requirements["min_education_level"], texts.locale)
            )
        )
    if requirements.get("education_levels"):
        lines.append(
            texts.gettext(
                "Education: %(levels)s",
                levels=", ".join(level_name(level, texts.locale) for level in requirements["education_levels"]),
            )
        )
    if requirements.get("education_fields"):
        lines.append(texts.gettext("Field of study: %(fields)s", fields=", ".join(requirements["education_fields"])))
    months = int(requirements.get("min_experience_months") or 0)
    if months:
        lines.append(
            texts.ngettext(
                "Work experience: at least %(count)s month", "Work experience: at least %(count)s months", months
            )
        )
    area_months = int(requirements.get("min_functional_area_months") or 0)
    if requirements.get("functional_area") and area_months:
        lines.append(
            texts.ngettext(
                "Experience in the area %(area)s: at least %(count)s month",
                "Experience in the area %(area)s: at least %(count)s months",
                area_months,
                area=requirements["functional_area"],
            )
        )
    if not lines:
        lines.append(texts.gettext("No education or experience requirements"))
    return lines


@dataclass
class VacancyCard:
    vacancy: VacancyOut
    title: str
    duties: str
    body_name: str
    region: str
    requirements: list[str]


def _card(
    out: VacancyOut, bodies: dict[int, StateBody], texts: Texts, *, with_requirements: bool = True
) -> VacancyCard:
    body = bodies.get(out.state_body_id)
    locale = texts.locale
    return VacancyCard(
        vacancy=out,
        title=out.title_kk if locale == "kk" else out.title_ru,
        duties=out.duties_kk if locale == "kk" else out.duties_ru,
        body_name="" if body is None else (body.name_kk if locale == "kk" else body.name_ru),
        region="" if body is None else body.region,
        requirements=requirement_lines(out.requirements, texts) if with_requirements else [],
    )


def _listed(vacancy: Vacancy, competition: Competition) -> VacancyOut:
    """What ``to_out`` says of a published vacancy, its competition given (a published one is never stale)."""
    return vacancy_competition.vacancy_out(vacancy, competition, stale_unpublished=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    today: TodayDep,
    q: Annotated[str, Query(max_length=200)] = "",
    region: Annotated[str, Query(max_length=80)] = "",
    category: Annotated[str, Query(max_length=16)] = "",
    body: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Vacancies open for applications today, with search and filters (plain GET: a result can be bookmarked)."""
    with session.begin():
        taking = {
            c.vacancy_id: c
            for c in session.scalars(select(Competition).where(Competition.status == OPEN))
            if competitions.accepts_applications(c, today)
        }
        # The service's list, read with the competitions already at hand (``to_out`` reads one per vacancy).
        published = [
            _listed(v, taking[v.id])
            for v in vacancies.list_vacancies(session=session, actor=None, status="published")
            if v.id in taking
        ]
        bodies = {b.id: b for b in session.scalars(select(StateBody))}
    cards = [_card(out, bodies, visitor.texts, with_requirements=False) for out in published]
    options = {
        "regions": [(r, r) for r in sorted({c.region for c in cards if c.region})],
        "categories": [(c, c) for c in sorted({c.vacancy.category for c in cards})],
        "bodies": sorted({(str(c.vacancy.state_body_id), c.body_name) for c in cards}, key=lambda b: b[1]),
    }
    needle = q.strip().casefold()
    shown = [
        c
        for c in cards
        if (
            not needle
            or needle in c.title.casefold()
            or needle in c.duties.casefold()
            or needle in c.body_name.casefold()
        )
        and (not region or c.region == region)
        and (not category or c.vacancy.category == category)
        and (not body or str(c.vacancy.state_body_id) == body)
    ]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(page, pages)
    filters = {"q": q, "region": region, "category": category, "body": body}
    query = urlencode({key: value for key, value in filters.items() if value})
    on_page = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for card in on_page:  # words for the requirements of the cards shown only
        card.requirements = requirement_lines(card.vacancy.requirements, visitor.texts)
    return render(
        request,
        visitor,
        "home.html",
        title=visitor.texts.gettext("Civil service vacancies"),
        cards=on_page,
        found=len(shown),
        options=options,
        filters=filters,
        page=page,
        pages=pages,
        page_url=lambda number: "/?" + "&".join(part for part in (query, f"page={number}") if part),
    )


def qualification_preview(session: Any, visitor: Visitor, vacancy: Vacancy, today: Any) -> list[dict[str, Any]] | None:
    """The candidate's file checked against the vacancy today, by the same function the application uses."""
    if visitor.account is None or visitor.account.role != CANDIDATE:
        return None
    candidate = candidate_of_account(session, visitor.account)
    check = qualification_of(candidate, vacancy, today)
    return [{"met": r.met, "text": explain(r.reason, r.required, r.actual)[visitor.locale]} for r in check.results]


@router.get("/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy_page(
    vacancy_id: Id, request: Request, visitor: VisitorDep, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> HTMLResponse:
    with session.begin():
        vacancy = vacancies.get(session=session, vacancy_id=vacancy_id, actor=visitor.account)
        out = vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )
        bodies = {b.id: b for b in session.scalars(select(StateBody).where(StateBody.id == vacancy.state_body_id))}
        card = _card(out, bodies, visitor.texts)
        competition = (
            None
            if out.competition_id is None
            else competitions.get_competition(session=session, competition_id=out.competition_id)
        )
        open_now = competition is not None and competitions.accepts_applications(competition, today)
        preview = qualification_preview(session, visitor, vacancy, today)
        applied = None
        if preview is not None and competition is not None and visitor.account is not None:
            candidate = candidate_of_account(session, visitor.account)
            applied = session.scalars(
                select(Application).where(
                    Application.competition_id == competition.id, Application.candidate_id == candidate.id
                )
            ).first()
        stages = (
            []
            if competition is None
            else [STAGE_NAMES[s][visitor.locale] for s in competition.stage_plan if s in STAGE_NAMES]
        )
    return render(
        request,
        visitor,
        "vacancy.html",
        title=card.title,
        card=card,
        competition=competition,
        open_now=open_now,
        preview=preview,
        applied=applied,
        stages=stages,
    )


@router.get("/language/{locale}")
def switch_language(locale: str, request: Request, settings: SettingsDep, next: str = "/") -> RedirectResponse:
    """Remember the chosen language in a cookie (a year) and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if locale in PAGE_LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(settings),
            path="/",
        )
    return response


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Query(max_length=512)] = "",
) -> HTMLResponse:
    """The signed link of every alert letter: no sign-in; opening it twice changes nothing.

    The page speaks the language the subscription's letters are written in.
    """
    try:
        with session.begin():
            subscription = alerts.unsubscribe_by_token(session=session, token=token, settings=settings, now=utcnow())
            locale = subscription.locale if subscription.locale in PAGE_LOCALES else visitor.locale
    except DomainError as problem:
        return render(
            request,
            visitor,
            "unsubscribe.html",
            status=400,
            title=visitor.texts.gettext("The link does not work"),
            done=False,
            message=problem_message(problem, visitor.texts),
        )
    page_visitor = Visitor(
        locale=locale,
        texts=Texts(locale),
        account=visitor.account,
        session_token=visitor.session_token,
        csrf=visitor.csrf,
    )
    return render(
        request,
        page_visitor,
        "unsubscribe.html",
        title=page_visitor.texts.gettext("You are unsubscribed"),
        done=True,
        message=None,
        sign_in_url="/sign-in?next=" + quote("/", safe="/"),
    )
