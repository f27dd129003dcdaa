"""The selection figures page (``/analytics``): the API's figures as tables, the report's plots and the CSV.

HR officers see their own state body only (``app.analytics.service.scope_for``, as the API); administrators
and researchers see every body or the one they pick. The figures, the small-cell suppression, the CSV and
the plots are the analytics service's and report's own; this module only reads the filters and renders.
matplotlib is imported by the plot route only, so the service starts without it.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.analytics import service
from app.analytics.errors import BAD_PERIOD
from app.auth.models import ADMINISTRATOR, HR_OFFICER, RESEARCHER
from app.deps import PolicyDep, SessionDep, TodayDep
from app.errors import NOT_FOUND, DomainError
from app.rules.analytics import GROUPINGS
from app.rules.policy import SelectionPolicy
from app.web.deps import Visitor, WebRoute, parse_day, parse_id, render, staff_of
from app.web.messages import FieldError
from app.web.nav import staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _(message: str) -> str:
    """Mark a msgid for the catalogues; translated where it is shown."""
    return message


ROLES = (HR_OFFICER, ADMINISTRATOR, RESEARCHER)
FiguresVisitor = Annotated[Visitor, Depends(staff_of(*ROLES))]
staff_link(
    "/analytics",
    _("Selection figures"),
    *ROLES,
    order=70,
    description=_("Candidates per place against the national target, time to fill, pass rates, routes and reach"),
)

BY_TEXTS: dict[str, str] = {
    "": _("The whole period"),
    "body": _("By state body"),
    "region": _("By region"),
    "category": _("By category"),
    "month": _("By month"),
}
PLOTS: dict[str, str] = {
    "candidates-per-place.png": _("Candidates per place by month, with the national target and the trend line"),
    "no-winner-share.png": _("Share of competitions without a winner by month, with the trend line"),
    "time-to-fill.png": _("Time to fill in working days by month, with the trend line"),
    "stages-and-routes.png": _("Pass rate per stage and appointments by route over the period"),
}
"""The report's plot files (``app.analytics.report.plots``) and the alternative text of each."""
ROUTE_TEXTS: dict[str, str] = {
    "competition": _("Competition"),
    "grant_graduate": _("Graduate on a state grant"),
    "academy_graduate": _("Best graduate of the Academy of Public Administration"),
    "regional_reserve": _("Regional personnel reserve"),
    "presidential_youth_reserve": _("Presidential youth personnel reserve"),
}
STAGE_TEXTS: dict[str, str] = {
    "eligibility": _("Qualification check"),
    "personal_qualities": _("Personal qualities"),
    "reasoning": _("Reasoning test"),
    "essay": _("Essay"),
    "practical": _("Practical assessment"),
    "interview": _("Interview"),
    "final": _("Final ranking"),
}


class Filters:
    """The period, grouping and body asked for, as the query string carries them."""

    def __init__(self, request: Request) -> None:
        query = request.query_params
        self.raw = {name: query.get(name, "").strip() for name in ("from", "to", "by", "state_body_id")}
        self.errors: list[FieldError] = []
        self.start = self._day("from")
        self.end = self._day("to")
        self.by = self.raw["by"] if self.raw["by"] in GROUPINGS else None
        body = self.raw["state_body_id"]
        self.state_body_id = parse_id(body)

    def _day(self, name: str) -> date | None:
        value = self.raw[name]
        if not value:
            return None
        day = parse_day(value)
        if day is None:
            self.errors.append(FieldError(name, _("Enter the date as a real date")))
        return day

    def query(self) -> str:
        """The filters as a query string, for the plots and the CSV link."""
        return urlencode({k: v for k, v in self.raw.items() if v and not (k == "by" and v not in GROUPINGS)})


def _report(
    session: Session, visitor: Visitor, filters: Filters, policy: SelectionPolicy, today: date, by: str | None
) -> dict[str, Any]:
    assert visitor.account is not None
    scope = service.scope_for(visitor.account, filters.state_body_id)
    with session.begin():
        return service.figures(
            session, start=filters.start, end=filters.end, by=by, policy=policy, today=today, state_body_id=scope
        )


FIGURE_FORMAT = "#,##0.####"
"""Figures with the API's four decimals (Babel's default pattern keeps three)."""


def _shown(value: float | None, visitor: Visitor) -> str:
    return "—" if value is None else format_decimal(value, format=FIGURE_FORMAT, locale=visitor.locale)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request, visitor: FiguresVisitor, session: SessionDep, policy: PolicyDep, today: TodayDep
) -> HTMLResponse:
    """The figures of the period per group, the plots of the report, a CSV download; the filters as a GET form."""
    account = visitor.account
    assert account is not None
    filters = Filters(request)
    t = visitor.texts
    errors = [FieldError(e.field, t.gettext(e.message)) for e in filters.errors]
    bodies: list[tuple[str, str]] = []
    if account.role != HR_OFFICER:
        with session.begin():
            bodies = [
                (str(b.id), f"{b.code} — {b.name_kk if visitor.locale == 'kk' else b.name_ru}")
                for b in service.state_bodies(session)
            ]
    report: dict[str, Any] | None = None
    if not errors:
        try:
            report = _report(session, visitor, filters, policy, today, filters.by)
        except DomainError as problem:
            if problem.code != "bad_period":
                raise
            errors.append(FieldError("to", t.gettext("The end of the period is before its start")))
    groups = report["groups"] if report else []
    order = list(STAGE_TEXTS)
    stages = sorted(
        {s for g in groups for s in g["pass_rate"]}, key=lambda s: (order.index(s) if s in order else 99, s)
    )
    routes = sorted({r for g in groups for r in g["route_share"]})
    return render(
        request,
        visitor,
        "appointments/analytics.html",
        status=422 if errors else 200,
        errors=errors,
        title=t.gettext("Selection figures"),
        report=report,
        groups=groups,
        stages=stages,
        routes=routes,
        stage_texts=STAGE_TEXTS,
        route_texts=ROUTE_TEXTS,
        by_options=[(key, t.gettext(label)) for key, label in BY_TEXTS.items()],
        bodies=bodies,
        values=filters.raw,
        query=filters.query(),
        plots=list(PLOTS.items()),
        shown=lambda value: _shown(value, visitor),
        own_body=account.role == HR_OFFICER,
    )


def _checked(request: Request) -> Filters:
    filters = Filters(request)
    if filters.errors:
        raise DomainError(BAD_PERIOD, "a date of the period is not a date")
    return filters


@router.get("/analytics/figures.csv")
def analytics_csv(
    request: Request, visitor: FiguresVisitor, session: SessionDep, policy: PolicyDep, today: TodayDep
) -> Response:
    """The same CSV as ``/api/v1/analytics/figures.csv`` for the same filters."""
    filters = _checked(request)
    report = _report(session, visitor, filters, policy, today, filters.by)
    return Response(
        service.csv_text(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="figures.csv"'},
    )


@router.get("/analytics/plots/{name}")
def analytics_plot(
    name: str, request: Request, visitor: FiguresVisitor, session: SessionDep, policy: PolicyDep, today: TodayDep
) -> Response:
    """One of the report's plots (monthly trends against the targets, stages and routes) for the filters."""
    from app.analytics.report import plots  # noqa: PLC0415  matplotlib loads when a plot is asked for

    if name not in PLOTS:
        raise DomainError(NOT_FOUND, f"no plot {name}")
    filters = _checked(request)
    monthly = _report(session, visitor, filters, policy, today, "month")
    overall = _report(session, visitor, filters, policy, today, None)
    with tempfile.TemporaryDirectory() as folder:
        written = plots(monthly, overall, Path(folder))
        if name not in written:
            raise DomainError(NOT_FOUND, f"no plot {name} for this period")
        image = (Path(folder) / name).read_bytes()
    return Response(image, media_type="image/png")
