"""Vacancy alerts in the personal account (subscribe with criteria and a frequency, see and end subscriptions)
and the vacancies the matcher recommends, each with why.

Subscribing needs the optional ``vacancy_alerts`` consent; the alerts service says so (``consent_required``)
and the page links to the consents. HR officers approve what is sent; this page only sets the criteria.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.alerts import subscriptions as alerts
from app.alerts.schemas import SubscriptionIn
from app.applications.texts import explain
from app.bounds import Id
from app.candidates.service import candidate_of_account
from app.deps import SessionDep, SettingsDep, TodayDep
from app.errors import DomainError
from app.talent import service as talent
from app.web.deps import CandidateVisitor, CheckedForm, Visitor, WebRoute, field, redirect, render
from app.web.messages import FieldError, field_error

router = APIRouter(route_class=WebRoute, include_in_schema=False)

FREQUENCIES: dict[str, str] = {"immediate": "At once", "daily": "Once a day", "weekly": "Once a week"}
"""Frequency → msgid of the web catalogue."""


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _page(
    request: Request,
    visitor: Visitor,
    session: Session,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        candidate = candidate_of_account(session, visitor.account)
        subscriptions = [alerts.subscription_out(s) for s in alerts.subscriptions_of(session, candidate)]
    t = visitor.texts
    return render(
        request,
        visitor,
        "alerts.html",
        status=status,
        errors=errors,
        title=t.gettext("Vacancy alerts"),
        subscriptions=[s for s in subscriptions if s.active],
        saved=saved,
        frequencies=[(key, t.gettext(label)) for key, label in FREQUENCIES.items()],
        frequency_name={key: t.gettext(label) for key, label in FREQUENCIES.items()},
        values=values or {"frequency": "daily"},
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, visitor: CandidateVisitor, session: SessionDep, saved: str = "") -> HTMLResponse:
    return _page(request, visitor, session, saved=bool(saved))


@router.post("/alerts", response_class=HTMLResponse)
def subscribe(
    request: Request, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    assert visitor.account is not None
    values = {key: field(form, key) for key in ("functional_areas", "regions", "categories", "text", "frequency")}
    body: dict[str, Any] = {
        "criteria": {
            "functional_areas": _list(values["functional_areas"]),
            "regions": _list(values["regions"]),
            "categories": _list(values["categories"]),
            "text": values["text"] or None,
        },
        "frequency": values["frequency"] or "daily",
        "locale": visitor.locale,
    }
    try:
        data = SubscriptionIn.model_validate(body)
    except ValidationError:
        return _page(
            request,
            visitor,
            session,
            status=422,
            values=values,
            errors=[FieldError("frequency-daily", visitor.texts.gettext("Check this field"))],
        )
    try:
        with session.begin():
            candidate = candidate_of_account(session, visitor.account)
            alerts.subscribe(session=session, candidate=candidate, data=data, actor=visitor.account, settings=settings)
    except DomainError as problem:
        default = "consents-link" if problem.code == "consent_required" else "functional_areas"
        error = field_error(problem, visitor.texts, default)
        if problem.code == "consent_required":
            error = FieldError(
                "consents-link", visitor.texts.gettext("Give the consent to vacancy alerts in your personal file first")
            )
        return _page(request, visitor, session, status=422, values=values, errors=[error])
    return redirect("/alerts?saved=1")


@router.post("/alerts/{subscription_id}/delete")
def delete(subscription_id: Id, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep) -> Response:
    assert visitor.account is not None
    with session.begin():
        candidate = candidate_of_account(session, visitor.account)
        alerts.unsubscribe_own(
            session=session, candidate=candidate, subscription_id=subscription_id, actor=visitor.account
        )
    return redirect("/alerts?saved=1")


@router.get("/recommendations", response_class=HTMLResponse)
def recommendations(
    request: Request, visitor: CandidateVisitor, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> HTMLResponse:
    """Published vacancies the matcher ranks for the candidate, each with why: requirements and shared words."""
    assert visitor.account is not None
    with session.begin():
        candidate = candidate_of_account(session, visitor.account)
        ranked = talent.recommended_vacancies(
            session=session, candidate=candidate, page=1, page_size=20, settings=settings, on=today
        )
    kk = visitor.locale == "kk"
    items = [
        {
            "id": item.vacancy_id,
            "title": item.title_kk if kk else item.title_ru,
            "body": item.state_body_name_kk if kk else item.state_body_name_ru,
            "region": item.region,
            "category": item.category,
            "meets": item.match["meets_requirements"],
            "confidence": round(100 * float(item.match["confidence"])),
            "requirements": [
                {"met": r["met"], "text": explain(r["reason"], r["required"], r["actual"])[visitor.locale]}
                for r in item.match["requirements"]
            ],
            "terms": [term["term"] for term in item.match.get("matched_terms", [])][:8],
        }
        for item in ranked.items
    ]
    return render(
        request, visitor, "recommendations.html", title=visitor.texts.gettext("Recommended vacancies"), items=items
    )
