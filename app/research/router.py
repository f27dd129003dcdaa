"""Research figures over HTTP (researchers and administrators): aggregates only, small cells suppressed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.auth.deps import CurrentAccount
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.deps import SessionDep, SettingsDep
from app.research.groups import DEFAULT_GROUPS, GROUPS
from app.research.models import StoredAudit
from app.research.service import body_by_code, research_audit, research_scope, store_body_audit, stored_audits

router = APIRouter(prefix="/api/v1/research", tags=["research"])


@router.get("/groups")
def group_definitions(account: CurrentAccount) -> dict[str, Any]:
    """Every group definition with its source field; intersections of two are named ``a*b``."""
    ensure_can(account, "research.read_aggregates")
    return {
        "groups": {name: {"source": d.source, "values": list(d.values)} for name, d in GROUPS.items()},
        "default": list(DEFAULT_GROUPS),
        "unknown": "a missing source counts as `unknown`, reported",
    }


@router.get(
    "/fairness",
    responses={
        422: {"description": "research_bad_scope, research_unknown_group"},
        404: {"description": "research_scope_not_found"},
    },
)
def fairness(
    account: CurrentAccount,
    session: SessionDep,
    settings: SettingsDep,
    competition_id: Id | None = None,
    body: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    groups: str | None = None,
) -> dict[str, Any]:
    """The fairness audit of one competition, a state body's competitions or a period (``irikteu evaluate
    fairness`` gives the same figures): per stage and group the selection and scoring rates with intervals,
    impact ratios, tests; the essay model's agreement per group."""
    ensure_can(account, "research.read_aggregates")
    scope = research_scope(competition_id=competition_id, body_code=body, date_from=date_from, date_to=date_to)
    with session.begin():
        return research_audit(
            session=session,
            scope=scope,
            groups=groups,
            min_cell=settings.research_min_cell,
            secret_key=settings.secret_key,
        )


class AuditRequest(BaseModel):
    body: str = Field(description="the state body's code")
    year: int = Field(ge=2000, le=2100, description="the calendar year of the competitions' publication")


def _stored(row: StoredAudit, body: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "body": body,
        "period_from": row.period_from,
        "period_to": row.period_to,
        "groups": row.groups,
        "min_cell": row.min_cell,
        "inputs_sha256": row.inputs_sha256,
        "created_at": row.created_at,
        "report": row.report,
    }


@router.get("/audits", responses={404: {"description": "research_scope_not_found"}})
def list_audits(account: CurrentAccount, session: SessionDep, body: str) -> list[dict[str, Any]]:
    """The stored audits of a state body, newest first: its HR officers, researchers and administrators."""
    with session.begin():
        found = body_by_code(session, body)
        ensure_can(account, "research.audit.read", found)
        return [_stored(row, found.code) for row in stored_audits(session, found)]


@router.post("/audits", status_code=201, responses={404: {"description": "research_scope_not_found"}})
def run_audit_now(
    account: CurrentAccount, session: SessionDep, settings: SettingsDep, data: AuditRequest
) -> dict[str, Any]:
    """Audit a state body's competitions of one year now and store it (administrators; the scheduled job does
    the same for every body each January)."""
    ensure_can(account, "research.audit.run")
    with session.begin():
        found = body_by_code(session, data.body)
        row = store_body_audit(
            session=session,
            body=found,
            date_from=date(data.year, 1, 1),
            date_to=date(data.year, 12, 31),
            min_cell=settings.research_min_cell,
            secret_key=settings.secret_key,
            actor=account,
        )
        return _stored(row, found.code)
