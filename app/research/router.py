"""Research figures over HTTP (researchers and administrators): aggregates only, small cells suppressed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.auth.deps import CurrentAccount
from app.auth.permissions import ensure_can
from app.deps import SessionDep, SettingsDep
from app.research.groups import DEFAULT_GROUPS, GROUPS
from app.research.service import research_audit, research_scope

router = APIRouter(prefix="/api/v1/research", tags=["research"])


@router.get("/groups")
def group_definitions(account: CurrentAccount) -> dict[str, Any]:
    """Every group definition with its source field; intersections of two are named ``a*b``."""
    ensure_can(account, "research.read_aggregates")
    return {"groups": {name: {"source": d.source, "values": list(d.values)} for name, d in GROUPS.items()},
            "default": list(DEFAULT_GROUPS), "unknown": "a missing source counts as `unknown`, reported"}


@router.get("/fairness", responses={422: {"description": "research_bad_scope, research_unknown_group"},
                                    404: {"description": "research_scope_not_found"}})
def fairness(account: CurrentAccount, session: SessionDep, settings: SettingsDep,
             competition_id: int | None = None, body: str | None = None,
             date_from: Annotated[str | None, Query(alias="from")] = None,
             date_to: Annotated[str | None, Query(alias="to")] = None,
             groups: str | None = None) -> dict[str, Any]:
    """The fairness audit of one competition, a state body's competitions or a period (``irikteu evaluate
    fairness`` gives the same figures): per stage and group the selection and scoring rates with intervals,
    impact ratios, tests; the essay model's agreement per group."""
    ensure_can(account, "research.read_aggregates")
    scope = research_scope(competition_id=competition_id, body_code=body, date_from=date_from, date_to=date_to)
    with session.begin():
        return research_audit(session=session, scope=scope, groups=groups, min_cell=settings.research_min_cell,
                              secret_key=settings.secret_key)
