"""Research figures over HTTP (researchers and administrators): aggregates only, small cells suppressed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.auth.deps import CurrentAccount
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.deps import SessionDep, SettingsDep, TodayDep
from app.research import studies
from app.research.exposure import TOP, ExposureScope, research_exposure
from app.research.groups import DEFAULT_GROUPS, GROUPS
from app.research.models import StoredAudit
from app.research.service import body_by_code, research_audit, research_scope, store_body_audit, stored_audits
from app.research.studies import NOTE_MAX, PURPOSE_MAX, TITLE_MAX

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


# --- studies: a pseudonymised record export, only after an administrator approves ---------------------------


class StudyIn(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    purpose: str = Field(min_length=1, max_length=PURPOSE_MAX)
    competition_id: Id | None = None
    body: str | None = Field(default=None, max_length=40, description="a state body's code")
    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")


class DecisionNoteIn(BaseModel):
    note: str | None = Field(default=None, max_length=NOTE_MAX)


@router.post("/studies", status_code=201, responses={422: {"description": "research_bad_scope"}})
def create_study(account: CurrentAccount, session: SessionDep, data: StudyIn) -> dict[str, Any]:
    """A researcher asks for a pseudonymised record export of a scope (a competition, a state body, a period)."""
    scope = research_scope(
        competition_id=data.competition_id,
        body_code=data.body,
        date_from=None if data.date_from is None else data.date_from.isoformat(),
        date_to=None if data.date_to is None else data.date_to.isoformat(),
    )
    with session.begin():
        study = studies.request_study(
            session=session, actor=account, title=data.title, purpose=data.purpose, scope=scope
        )
        return studies.study_out(study)


@router.get("/studies")
def list_studies(account: CurrentAccount, session: SessionDep, status: str | None = None) -> list[dict[str, Any]]:
    """An administrator's: every study; a researcher's: their own."""
    with session.begin():
        return [studies.study_out(s) for s in studies.list_studies(session=session, actor=account, status=status)]


@router.get("/studies/{study_id}", responses={404: {"description": "research_study_not_found"}})
def read_study(account: CurrentAccount, session: SessionDep, study_id: Id) -> dict[str, Any]:
    with session.begin():
        return studies.study_out(studies.get_study(session=session, study_id=study_id, actor=account))


@router.post("/studies/{study_id}/approve", responses={409: {"description": "research_study_decided"}})
def approve_study(
    account: CurrentAccount, session: SessionDep, study_id: Id, data: DecisionNoteIn | None = None
) -> dict[str, Any]:
    """An administrator approves a requested study (audited); its researcher may then export."""
    with session.begin():
        study = studies.decide_study(
            session=session, study_id=study_id, actor=account, approve=True, note=None if data is None else data.note
        )
        return studies.study_out(study)


@router.post("/studies/{study_id}/reject", responses={409: {"description": "research_study_decided"}})
def reject_study(
    account: CurrentAccount, session: SessionDep, study_id: Id, data: DecisionNoteIn | None = None
) -> dict[str, Any]:
    """An administrator rejects a requested study (audited); it can never be exported."""
    with session.begin():
        study = studies.decide_study(
            session=session, study_id=study_id, actor=account, approve=False, note=None if data is None else data.note
        )
        return studies.study_out(study)


@router.get(
    "/studies/{study_id}/export",
    responses={409: {"description": "research_export_not_approved"}, 404: {"description": "research_study_not_found"}},
)
def export_study(account: CurrentAccount, session: SessionDep, settings: SettingsDep, study_id: Id) -> dict[str, Any]:
    """The approved study's pseudonymised records (per-study salted hashes, age bands, months; no free text),
    to the researcher who asked; every export is audited."""
    with session.begin():
        return studies.export_study(session=session, study_id=study_id, actor=account, secret_key=settings.secret_key)


# --- exposure in matching and alerts --------------------------------------------------------------------------


@router.get(
    "/exposure",
    responses={
        422: {"description": "research_exposure_bad_scope, research_unknown_group"},
        404: {"description": "research_scope_not_found"},
    },
)
def exposure(
    account: CurrentAccount,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    vacancy_id: Annotated[list[Id] | None, Query(description="talent searches: the vacancy of each")] = None,
    campaign_id: Annotated[list[Id] | None, Query(description="alert campaigns")] = None,
    groups: str | None = None,
    top: Annotated[int, Query(ge=1, le=100)] = TOP,
) -> dict[str, Any]:
    """Each group's share among the exposed (a talent search's top results, a campaign's recipients) against its
    share of the eligible candidates, pooled over the searches and campaigns given; the exposure ratio is flagged
    under 0.8. Aggregates only, small cells suppressed."""
    ensure_can(account, "research.read_aggregates")
    scope = ExposureScope(vacancy_ids=tuple(vacancy_id or ()), campaign_ids=tuple(campaign_id or ()))
    with session.begin():
        return research_exposure(
            session=session,
            scope=scope,
            groups=groups,
            min_cell=settings.research_min_cell,
            settings=settings,
            on=today,
            top=top,
        )
