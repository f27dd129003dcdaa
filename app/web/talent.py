"""HR officers' talent pool and vacancy alert campaigns (issue 15).

``/hr/talent``: the pool ranked for one of the officer's published vacancies or for a free text, with
the API's filters, 20 a page, each result explained in words (requirements met, shared words and where
they were found, the share of each component) beside the model's name and version; those failing a
requirement are counted and shown on request. Invitations (checked first) and reserve memberships.

``/hr/alerts``: the campaigns the matcher drafts when a vacancy is published (recipients, criteria,
the message in both languages), approved after a check of the answers or cancelled; standing rules;
what was sent and when. Another state body's vacancy, campaign or rule: the 403 page.

Every decision is the services' (``app.talent.service``, ``app.alerts``); rendering reads the search
answer only (no query per result).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from app.alerts import campaigns as campaign_service
from app.alerts import standing_rules
from app.alerts.delivery import preview
from app.alerts.models import DRAFT, AlertCampaign, AlertStandingRule
from app.alerts.schemas import StandingRuleIn
from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.permissions import can
from app.bounds import Id
from app.deps import QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import DomainError, Kind
from app.i18n.domain import EDUCATION_LEVEL_NAMES
from app.talent import service as talent
from app.talent.regions import KNOWN_REGIONS
from app.talent.schemas import InvitationIn, ReserveIn, TalentSearchIn, TalentSearchOut
from app.vacancies import service as vacancies
from app.vacancies.models import PUBLISHED, Vacancy
from app.web.deps import CheckedForm, PageForbidden, Visitor, WebRoute, field, fields, redirect, render, staff_of
from app.web.messages import FieldError, problem_kind, problem_message
from app.web.nav import _, staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)

staff_link(
    "/hr/talent",
    _("Talent pool"),
    HR_OFFICER,
    order=30,
    description=_("Find people for a vacancy, invite them, keep the personnel reserves"),
)
staff_link(
    "/hr/alerts",
    _("Vacancy alert campaigns"),
    HR_OFFICER,
    order=31,
    description=_("Approve or cancel the alerts drafted for new vacancies; standing rules"),
)

HRVisitor = Annotated[Visitor, Depends(staff_of(HR_OFFICER))]
PAGE_SIZE = 20

EDUCATION_LEVELS = ("secondary", "technical_vocational", "bachelor", "master", "doctorate")
RESERVES = {
    "any": _("Any personnel reserve"),
    "regional": _("Regional personnel reserve"),
    "presidential_youth": _("Presidential youth personnel reserve"),
}
ROUTES = {
    "grant_graduate": _("Graduates of state grants"),
    "academy_graduate": _("Graduates of the Academy of Public Administration"),
    "regional_reserve": _("Regional reserve members"),
    "presidential_youth_reserve": _("Presidential youth reserve members"),
}
LANGUAGES = {"kk": _("Kazakh"), "ru": _("Russian"), "en": _("English")}
SOURCES = {
    "talent_pool_consent": _("agreed to be in the talent pool"),
    "past_competitor": _("took part in competitions"),
    "regional_reserve": _("regional personnel reserve"),
    "presidential_youth_reserve": _("presidential youth personnel reserve"),
}
REQUIREMENTS = {
    "education_level": _("Education level"),
    "education_field": _("Field of education"),
    "experience": _("Work experience, months"),
    "functional_area_experience": _("Experience in the functional area, months"),
}
COMPONENTS = {
    "semantic": _("Meaning of the texts (semantic)"),
    "lexical": _("Shared words (lexical)"),
    "structured": _("Experience and education (structured)"),
}
TERM_FIELDS = {
    "title": _("in the positions held"),
    "work": _("in the work record"),
    "education": _("in the education"),
    "languages": _("in the languages"),
}
CAMPAIGN_STATUSES = {
    "draft": _("Waiting for approval"),
    "approved": _("Approved, being sent"),
    "sending": _("Being sent"),
    "sent": _("Sent to the recipients"),
    "cancelled": _("Cancelled (campaign status)"),
}
OUTCOMES = {
    "delivered": _("sent at once"),
    "awaiting_digest": _("waiting for the daily or weekly digest"),
    "skipped_no_consent": _("not sent: consent withdrawn"),
    "skipped_unsubscribed": _("not sent: unsubscribed"),
    "skipped_already_sent": _("not sent: had it already"),
    "pending": _("not decided yet"),
}
SEARCH_FIELDS = (
    "vacancy_id",
    "text",
    "regions",
    "min_education_level",
    "min_experience_months",
    "max_experience_months",
    "functional_area",
    "reserve",
    "route",
)
NUMBER_FIELDS = ("min_experience_months", "max_experience_months")
SEARCH_ERROR_FIELDS = {"search_text_too_long": "text", "contradictory_filters": "regions"}
"""The field a search problem concerns (the service's codes); others go to the vacancy choice."""


def _hr(visitor: Visitor) -> Account:
    """The signed-in officer (``staff_of`` checked the role; no attribute is read here, outside a transaction)."""
    if visitor.account is None:
        raise PageForbidden()
    return visitor.account


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _title(vacancy: Vacancy, locale: str) -> str:
    return vacancy.title_kk if locale == "kk" else vacancy.title_ru


def _own_vacancy(session: Session, vacancy_id: Id, actor: Account) -> Vacancy:
    """A vacancy of the officer's body (the 404 page when there is none to see, 403 when another body's)."""
    vacancy = vacancies.get(session=session, vacancy_id=vacancy_id, actor=actor)
    if not can(actor, "vacancy.manage", vacancy):
        raise PageForbidden()
    return vacancy


def _own_published(session: Session, actor: Account) -> list[Vacancy]:
    """The officer's published vacancies, newest first (read for the body only: every body's would be thousands)."""
    found = session.scalars(
        select(Vacancy)
        .where(Vacancy.state_body_id == actor.state_body_id, Vacancy.status == PUBLISHED)
        .order_by(Vacancy.id.desc())
    )
    return [v for v in found if can(actor, "vacancy.manage", v)]


# --- the search --------------------------------------------------------------------------------------


def _value_text(value: Any, visitor: Visitor) -> str:
    if value is None:
        return visitor.texts.gettext("none")
    if isinstance(value, str) and value in EDUCATION_LEVEL_NAMES:
        return EDUCATION_LEVEL_NAMES[value][visitor.locale]
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(item, visitor) for item in value) or visitor.texts.gettext("none")
    if isinstance(value, int):
        return visitor.texts.number(value)
    return str(value)


def _percent(value: float) -> int:
    return round(100 * float(value))


def _result_view(item: Any, visitor: Visitor, invitable: bool) -> dict[str, Any]:
    """One result in words, from the search answer alone."""
    t = visitor.texts
    match = item.match
    personal = item.personal_data
    name = (
        " ".join(part for part in (personal.surname, personal.given_name, personal.patronymic) if part)
        if personal is not None
        else None
    )
    return {
        "id": item.candidate_id,
        "name": name,
        "email": personal.email if personal is not None else None,
        "phone": personal.phone if personal is not None else None,
        "region": item.region,
        "sources": [t.gettext(SOURCES.get(s, s)) for s in item.sources],
        "reserves": item.reserves,
        "education": [
            {"level": EDUCATION_LEVEL_NAMES.get(e["level"], {}).get(visitor.locale, e["level"]), "field": e["field"]}
            for e in item.profile.get("education", [])
        ],
        "experience_months": item.profile.get("experience_months", 0),
        "score": _percent(match["score"]),
        "meets": match["meets_requirements"],
        "requirements": [
            {
                "met": r["met"],
                "name": t.gettext(REQUIREMENTS.get(r["requirement"], r["requirement"])),
                "required": _value_text(r["required"], visitor),
                "actual": _value_text(r["actual"], visitor),
            }
            for r in match["requirements"]
        ],
        "terms": [
            {"term": term["term"], "where": t.gettext(TERM_FIELDS.get(term["field"], term["field"]))}
            for term in match.get("matched_terms", [])
        ],
        "shares": [
            {
                "name": t.gettext(COMPONENTS.get(name, name)),
                "share": _percent(share),
                "value": _percent(match["components"][name]),
            }
            for name, share in match["shares"].items()
        ],
        "invited": item.invited,
        "invitable": invitable and not item.invited,
    }


def _search_values(query: QueryParams) -> dict[str, Any]:
    values: dict[str, Any] = {name: (query.get(name) or "").strip() for name in SEARCH_FIELDS}
    values["languages"] = [code for code in query.getlist("languages") if code in LANGUAGES]
    values["include_failing"] = query.get("include_failing") == "1"
    return values


def _search_input(
    values: dict[str, Any], page: int, visitor: Visitor
) -> tuple[TalentSearchIn | None, list[FieldError]]:
    t = visitor.texts
    errors: list[FieldError] = []
    numbers: dict[str, int | None] = {}
    for name in NUMBER_FIELDS:
        raw = values[name]
        if raw and not raw.isdigit():
            errors.append(FieldError(name, t.gettext("Enter a whole number of months, for example 24")))
        numbers[name] = int(raw) if raw.isdigit() else None
    if values["vacancy_id"] and values["text"]:
        errors.append(FieldError("text", t.gettext("Search by a vacancy or by text, not both")))
    if not values["vacancy_id"] and not values["text"]:
        errors.append(FieldError("vacancy_id", t.gettext("Choose a vacancy or enter a search text")))
    if values["vacancy_id"] and not values["vacancy_id"].isdigit():
        errors.append(FieldError("vacancy_id", t.gettext("Choose a vacancy or enter a search text")))
    if errors:
        return None, errors
    body: dict[str, Any] = {
        "vacancy_id": int(values["vacancy_id"]) if values["vacancy_id"] else None,
        "text": values["text"] or None,
        "regions": _split(values["regions"]),
        "min_education_level": values["min_education_level"] or None,
        "min_experience_months": numbers["min_experience_months"] or 0,
        "max_experience_months": numbers["max_experience_months"],
        "functional_area": values["functional_area"] or None,
        "reserve": values["reserve"] or None,
        "route": values["route"] or None,
        "languages": values["languages"],
        "include_failing": values["include_failing"],
        "page": page,
        "page_size": PAGE_SIZE,
    }
    try:
        return TalentSearchIn.model_validate(body), []
    except ValidationError as problem:
        fields = {str(error["loc"][0]) for error in problem.errors() if error["loc"]}
        return None, [FieldError(name, t.gettext("Check this field")) for name in SEARCH_FIELDS if name in fields] or [
            FieldError("vacancy_id", t.gettext("Check this field"))
        ]


def _search_link(values: dict[str, Any], **changes: Any) -> str:
    params: list[tuple[str, str]] = [(n, values[n]) for n in SEARCH_FIELDS if values[n]]
    params += [("languages", code) for code in values["languages"]]
    merged = {"include_failing": "1" if values["include_failing"] else "", **changes}
    params += [(key, str(value)) for key, value in merged.items() if value not in ("", None)]
    return "/hr/talent?" + urlencode(params)


@router.get("/hr/talent", response_class=HTMLResponse)
def talent_page(
    request: Request, visitor: HRVisitor, session: SessionDep, settings: SettingsDep, today: TodayDep, page: int = 1
) -> HTMLResponse:
    actor = _hr(visitor)
    values = _search_values(request.query_params)
    asked = any(values[name] for name in ("vacancy_id", "text")) or "search" in request.query_params
    errors: list[FieldError] = []
    found: TalentSearchOut | None = None
    vacancy: Vacancy | None = None
    with session.begin():
        own = _own_published(session, actor)
        if asked:
            data, errors = _search_input(values, max(page, 1), visitor)
            if data is not None and data.vacancy_id is not None:
                vacancy = _own_vacancy(session, data.vacancy_id, actor)
            if data is not None:
                try:
                    found = talent.search(session=session, data=data, actor=actor, settings=settings, on=today)
                except DomainError as problem:
                    if problem_kind(problem) in (Kind.NOT_FOUND, Kind.FORBIDDEN):
                        raise
                    target = SEARCH_ERROR_FIELDS.get(problem.code, "vacancy_id")
                    errors = [FieldError(target, problem_message(problem, visitor.texts))]
    t = visitor.texts
    results = []
    pages = 0
    if found is not None:
        invitable = vacancy is not None and vacancy.status == PUBLISHED
        results = [_result_view(item, visitor, invitable) for item in found.items]
        pages = max(1, -(-found.total // PAGE_SIZE))
    return render(
        request,
        visitor,
        "talent/search.html",
        status=422 if errors else 200,
        errors=errors,
        title=t.gettext("Talent pool"),
        values=values,
        vacancies=[(str(v.id), _title(v, visitor.locale)) for v in own],
        vacancy=vacancy,
        vacancy_title=_title(vacancy, visitor.locale) if vacancy is not None else "",
        found=found,
        results=results,
        pages=pages,
        page_links=[(n, _search_link(values, page=n)) for n in range(1, pages + 1)],
        show_failing_link=_search_link(values, include_failing="1"),
        hide_failing_link=_search_link(values, include_failing=""),
        education_levels=[(code, EDUCATION_LEVEL_NAMES[code][visitor.locale]) for code in EDUCATION_LEVELS],
        reserves=[(key, t.gettext(label)) for key, label in RESERVES.items()],
        routes=[(key, t.gettext(label)) for key, label in ROUTES.items()],
        languages=[(key, t.gettext(label)) for key, label in LANGUAGES.items()],
        regions=", ".join(KNOWN_REGIONS),
    )


# --- invitations -------------------------------------------------------------------------------------


def _ids(form_or_query: Any) -> tuple[int, int]:
    raw_vacancy, raw_candidate = form_or_query.get("vacancy_id") or "", form_or_query.get("candidate_id") or ""
    if not (isinstance(raw_vacancy, str) and raw_vacancy.isdigit() and isinstance(raw_candidate, str)):
        raise PageForbidden()
    if not raw_candidate.isdigit():
        raise PageForbidden()
    return int(raw_vacancy), int(raw_candidate)


def _invite_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    vacancy_id: Id,
    candidate_id: Id,
    *,
    message: str = "",
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    actor = _hr(visitor)
    with session.begin():
        vacancy = _own_vacancy(session, vacancy_id, actor)
        title = _title(vacancy, visitor.locale)
    return render(
        request,
        visitor,
        "talent/invite.html",
        status=422 if errors else 200,
        errors=errors,
        title=visitor.texts.gettext("Check the invitation before you send it"),
        vacancy_id=vacancy_id,
        vacancy_title=title,
        candidate_id=candidate_id,
        message=message,
        back=_search_link(_search_values(QueryParams({"vacancy_id": str(vacancy_id)}))),
    )


@router.get("/hr/talent/invite", response_class=HTMLResponse)
def invite_check(request: Request, visitor: HRVisitor, session: SessionDep) -> HTMLResponse:
    vacancy_id, candidate_id = _ids(request.query_params)
    return _invite_page(request, visitor, session, vacancy_id, candidate_id)


@router.post("/hr/talent/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    visitor: HRVisitor,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    settings: SettingsDep,
    today: TodayDep,
) -> Response:
    actor = _hr(visitor)
    vacancy_id, candidate_id = _ids(form)
    message = field(form, "message")
    try:
        data = InvitationIn(candidate_id=candidate_id, vacancy_id=vacancy_id, message=message or None)
    except ValidationError:
        error = FieldError("message", visitor.texts.gettext("The message can have at most 2000 characters"))
        return _invite_page(request, visitor, session, vacancy_id, candidate_id, message=message, errors=[error])
    try:
        with session.begin():
            _own_vacancy(session, vacancy_id, actor)
            talent.invite(session=session, queue=queue, data=data, actor=actor, settings=settings, on=today)
    except DomainError as problem:
        if problem_kind(problem) in (Kind.NOT_FOUND, Kind.FORBIDDEN):
            raise
        error = FieldError("message", problem_message(problem, visitor.texts))
        return _invite_page(request, visitor, session, vacancy_id, candidate_id, message=message, errors=[error])
    return redirect(f"/hr/talent/invited?vacancy_id={vacancy_id}&candidate_id={candidate_id}")


@router.get("/hr/talent/invited", response_class=HTMLResponse)
def invited(request: Request, visitor: HRVisitor, session: SessionDep) -> HTMLResponse:
    actor = _hr(visitor)
    vacancy_id, candidate_id = _ids(request.query_params)
    with session.begin():
        vacancy = _own_vacancy(session, vacancy_id, actor)
        sent = [
            i.candidate_id for i in talent.invitations_for_vacancy(session=session, vacancy_id=vacancy_id, actor=actor)
        ]
        title = _title(vacancy, visitor.locale)
    if candidate_id not in sent:
        raise PageForbidden()
    return render(
        request,
        visitor,
        "talent/invited.html",
        title=visitor.texts.gettext("Invitation sent"),
        vacancy_title=title,
        candidate_id=candidate_id,
        invited_count=len(sent),
        back=_search_link(_search_values(QueryParams({"vacancy_id": str(vacancy_id)}))),
    )


# --- reserves ----------------------------------------------------------------------------------------

RESERVE_FIELDS = ("candidate_id", "kind", "region", "since", "until", "source")


def _reserves_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    *,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    actor = _hr(visitor)
    with session.begin():
        memberships = talent.list_reserve_memberships(session=session, actor=actor)
    t = visitor.texts
    return render(
        request,
        visitor,
        "talent/reserves.html",
        status=422 if errors else 200,
        errors=errors,
        title=t.gettext("Personnel reserves"),
        memberships=memberships,
        kinds=[(key, t.gettext(RESERVES[key])) for key in ("regional", "presidential_youth")],
        kind_name={key: t.gettext(label) for key, label in RESERVES.items()},
        values=values,
        saved=saved,
    )


@router.get("/hr/talent/reserves", response_class=HTMLResponse)
def reserves(request: Request, visitor: HRVisitor, session: SessionDep, saved: str = "") -> HTMLResponse:
    values = {name: (request.query_params.get(name) or "").strip() for name in RESERVE_FIELDS}
    return _reserves_page(request, visitor, session, values=values, saved=bool(saved))


@router.post("/hr/talent/reserves", response_class=HTMLResponse)
def add_reserve(request: Request, visitor: HRVisitor, form: CheckedForm, session: SessionDep) -> Response:
    actor = _hr(visitor)
    t = visitor.texts
    values = fields(form, RESERVE_FIELDS)
    body = {name: values[name] or None for name in RESERVE_FIELDS}
    try:
        data = ReserveIn.model_validate(body)
    except ValidationError as problem:
        wrong = {str(error["loc"][0]) for error in problem.errors() if error["loc"]}
        messages = {
            "candidate_id": t.gettext("Enter the candidate's number"),
            "kind": t.gettext("Choose the reserve"),
            "region": t.gettext("Check this field"),
            "since": t.gettext("Enter the date the membership starts"),
            "until": t.gettext("The end date must be on or after the start date"),
            "source": t.gettext("Enter the decree, order or list the membership comes from"),
        }
        errors = [FieldError(name, messages[name]) for name in RESERVE_FIELDS if name in wrong]
        if not errors:  # a rule across fields (the dates)
            errors = [FieldError("until", messages["until"])]
        return _reserves_page(request, visitor, session, values=values, errors=errors)
    try:
        with session.begin():
            talent.add_reserve_membership(session=session, data=data, actor=actor)
    except DomainError as problem:
        target = "candidate_id" if problem_kind(problem) is Kind.NOT_FOUND else "region"
        errors = [FieldError(target, problem_message(problem, t))]
        return _reserves_page(request, visitor, session, values=values, errors=errors)
    return redirect("/hr/talent/reserves?saved=1")


# --- alert campaigns ---------------------------------------------------------------------------------


def _own_campaign(session: Session, campaign_id: Id, actor: Account) -> AlertCampaign:
    campaign = session.get(AlertCampaign, campaign_id)
    if campaign is not None and not can(actor, "alert.manage", campaign):
        raise PageForbidden()
    return campaign_service.get_campaign(session=session, campaign_id=campaign_id, actor=actor)


def _titles(session: Session, ids: Sequence[int], locale: str) -> dict[int, str]:
    if not ids:
        return {}
    return {v.id: _title(v, locale) for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(set(ids))))}


def _campaign_view(campaign: AlertCampaign, titles: dict[int, str], visitor: Visitor) -> dict[str, Any]:
    t = visitor.texts
    return {
        "id": campaign.id,
        "status": campaign.status,
        "status_name": t.gettext(CAMPAIGN_STATUSES.get(campaign.status, campaign.status)),
        "vacancies": [titles.get(v, str(v)) for v in campaign.vacancy_ids],
        "recipients": campaign.recipients_count,
        "drafted_at": campaign.drafted_at,
        "approved_at": campaign.approved_at,
        "by_rule": campaign.standing_rule_id,
        "finished_at": campaign.finished_at,
        "outcome": [
            (t.gettext(OUTCOMES.get(key, key)), count) for key, count in sorted(campaign.outcome.items()) if count
        ],
        "model": campaign.model,
    }


def _rule_view(rule: AlertStandingRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "areas": ", ".join(rule.criteria.get("functional_areas") or ()),
        "categories": ", ".join(rule.criteria.get("categories") or ()),
        "created_at": rule.created_at,
    }


def _alerts_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    actor = _hr(visitor)
    with session.begin():
        found = campaign_service.list_campaigns(session=session, actor=actor)
        titles = _titles(session, [v for c in found for v in c.vacancy_ids], visitor.locale)
        rules = [r for r in standing_rules.list_rules(session=session, actor=actor) if r.active]
        views = [_campaign_view(c, titles, visitor) for c in found]
        rule_views = [_rule_view(r) for r in rules]
    return render(
        request,
        visitor,
        "talent/alerts.html",
        status=422 if errors else 200,
        errors=errors,
        title=visitor.texts.gettext("Vacancy alert campaigns"),
        drafts=[c for c in views if c["status"] == DRAFT],
        others=[c for c in views if c["status"] != DRAFT],
        rules=rule_views,
        values=values or {},
        saved=saved,
    )


@router.get("/hr/alerts", response_class=HTMLResponse)
def alerts(request: Request, visitor: HRVisitor, session: SessionDep, saved: str = "") -> HTMLResponse:
    return _alerts_page(request, visitor, session, saved=bool(saved))


def _campaign_context(session: Session, campaign_id: Id, visitor: Visitor, settings: Any) -> dict[str, Any]:
    actor = _hr(visitor)
    campaign = _own_campaign(session, campaign_id, actor)
    titles = _titles(session, campaign.vacancy_ids, visitor.locale)
    facts = session.execute(
        select(Vacancy, StateBody.region)
        .join(StateBody, StateBody.id == Vacancy.state_body_id)
        .where(Vacancy.id.in_(list(campaign.vacancy_ids)))
    ).all()
    page = campaign_service.recipients(session=session, campaign_id=campaign.id, actor=actor, page=1, page_size=20)
    return {
        "campaign": _campaign_view(campaign, titles, visitor),
        "criteria": [
            {
                "title": _title(vacancy, visitor.locale),
                "area": vacancy.functional_area,
                "region": region,
                "category": vacancy.category,
            }
            for vacancy, region in facts
        ],
        "recipients": [
            {
                "subscription": r.subscription_id,
                "score": _percent(r.score),
                "vacancies": [
                    {
                        "title": titles.get(int(vid), vid),
                        "criteria": ", ".join(f"{value}" for value in (why.get("criteria") or {}).values()),
                        "similarity": why.get("text_similarity"),
                        "profile": None if why.get("profile_score") is None else _percent(why["profile_score"]),
                        "meets": why.get("meets_requirements"),
                    }
                    for vid, why in (r.explanation.get("vacancies") or {}).items()
                ],
                "status": visitor.texts.gettext(OUTCOMES.get(r.status, r.status)),
            }
            for r in page.items
        ],
        "recipients_total": page.total,
        "messages": preview(session=session, campaign=campaign, settings=settings),
    }


@router.get("/hr/alerts/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, campaign_id: Id, visitor: HRVisitor, session: SessionDep, settings: SettingsDep, done: str = ""
) -> HTMLResponse:
    with session.begin():
        context = _campaign_context(session, campaign_id, visitor, settings)
    return render(
        request,
        visitor,
        "talent/campaign.html",
        title=visitor.texts.gettext("Alert campaign %(number)s", number=campaign_id),
        done=done if done in ("approved", "cancelled") else "",
        **context,
    )


def _check_page(
    request: Request, campaign_id: Id, visitor: Visitor, session: Session, settings: Any, action: str
) -> Response:
    with session.begin():
        context = _campaign_context(session, campaign_id, visitor, settings)
    if context["campaign"]["status"] not in ((DRAFT,) if action == "approve" else (DRAFT, "approved")):
        return redirect(f"/hr/alerts/{campaign_id}")
    t = visitor.texts
    title = (
        t.gettext("Check before you approve the alerts")
        if action == "approve"
        else t.gettext("Check before you cancel the alerts")
    )
    return render(request, visitor, "talent/campaign_check.html", title=title, action=action, **context)


@router.get("/hr/alerts/{campaign_id}/approve", response_class=HTMLResponse)
def approve_check(
    request: Request, campaign_id: Id, visitor: HRVisitor, session: SessionDep, settings: SettingsDep
) -> Response:
    return _check_page(request, campaign_id, visitor, session, settings, "approve")


@router.get("/hr/alerts/{campaign_id}/cancel", response_class=HTMLResponse)
def cancel_check(
    request: Request, campaign_id: Id, visitor: HRVisitor, session: SessionDep, settings: SettingsDep
) -> Response:
    return _check_page(request, campaign_id, visitor, session, settings, "cancel")


@router.post("/hr/alerts/{campaign_id}/approve")
def approve(campaign_id: Id, visitor: HRVisitor, form: CheckedForm, session: SessionDep, queue: QueueDep) -> Response:
    actor = _hr(visitor)
    with session.begin():
        _own_campaign(session, campaign_id, actor)
        campaign_service.approve(session=session, queue=queue, campaign_id=campaign_id, actor=actor)
    return redirect(f"/hr/alerts/{campaign_id}?done=approved")


@router.post("/hr/alerts/{campaign_id}/cancel")
def cancel(campaign_id: Id, visitor: HRVisitor, form: CheckedForm, session: SessionDep) -> Response:
    actor = _hr(visitor)
    with session.begin():
        _own_campaign(session, campaign_id, actor)
        campaign_service.cancel(session=session, campaign_id=campaign_id, actor=actor)
    return redirect(f"/hr/alerts/{campaign_id}?done=cancelled")


# --- standing rules ----------------------------------------------------------------------------------


@router.post("/hr/alerts/rules", response_class=HTMLResponse)
def create_rule(request: Request, visitor: HRVisitor, form: CheckedForm, session: SessionDep) -> Response:
    actor = _hr(visitor)
    values = fields(form, ("functional_areas", "categories"))
    try:
        data = StandingRuleIn(
            functional_areas=_split(values["functional_areas"]), categories=_split(values["categories"])
        )
    except ValidationError:
        errors = [FieldError("functional_areas", visitor.texts.gettext("Check this field"))]
        return _alerts_page(request, visitor, session, values=values, errors=errors)
    try:
        with session.begin():
            standing_rules.create_rule(session=session, data=data, actor=actor)
    except DomainError as problem:
        errors = [FieldError("categories", problem_message(problem, visitor.texts))]
        return _alerts_page(request, visitor, session, values=values, errors=errors)
    return redirect("/hr/alerts?saved=1")


@router.post("/hr/alerts/rules/{rule_id}/delete")
def withdraw_rule(rule_id: Id, visitor: HRVisitor, form: CheckedForm, session: SessionDep) -> Response:
    actor = _hr(visitor)
    with session.begin():
        rule = session.get(AlertStandingRule, rule_id)
        if rule is not None and not can(actor, "alert.manage", rule):
            raise PageForbidden()
        standing_rules.withdraw_rule(session=session, rule_id=rule_id, actor=actor)
    return redirect("/hr/alerts?saved=1")
