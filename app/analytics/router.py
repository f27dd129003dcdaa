"""The state's selection figures over HTTP: HR officers see their own body, administrators and researchers all."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from app.analytics import service
from app.auth.deps import CurrentAccount
from app.auth.models import Account
from app.bounds import Id
from app.deps import PolicyDep, SessionDep, TodayDep
from app.rules.policy import SelectionPolicy

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

By = Literal["body", "region", "category", "month"]


def _report(
    account: Account,
    session: Session,
    policy: SelectionPolicy,
    today: date,
    start: date | None,
    end: date | None,
    by: str | None,
    state_body_id: int | None,
) -> dict[str, Any]:
    scope = service.scope_for(account, state_body_id)
    with session.begin():
        return service.figures(session, start=start, end=end, by=by, policy=policy, today=today, state_body_id=scope)


@router.get("/figures")
def read_figures(
    account: CurrentAccount,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    start: date | None = Query(default=None, alias="from"),
    end: date | None = Query(default=None, alias="to"),
    by: By | None = None,
    state_body_id: Id | None = None,
) -> dict[str, Any]:
    """Candidates per place against the national target, share without a winner, time to fill (working days),
    pass rate per stage, appointments by route and alert reach, per group; small cells suppressed."""
    return _report(account, session, policy, today, start, end, by, state_body_id)


@router.get(
    "/figures.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one row per group, suppressed cells empty"}},
)
def read_figures_csv(
    account: CurrentAccount,
    session: SessionDep,
    policy: PolicyDep,
    today: TodayDep,
    start: date | None = Query(default=None, alias="from"),
    end: date | None = Query(default=None, alias="to"),
    by: By | None = None,
    state_body_id: Id | None = None,
) -> Response:
    """The same figures as CSV, one row per group (suppressed cells empty)."""
    report = _report(account, session, policy, today, start, end, by, state_body_id)
    return Response(
        service.csv_text(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="figures.csv"'},
    )
