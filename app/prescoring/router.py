"""Essay pre-scoring over HTTP: the chair's discussion of a flagged essay, re-queueing, the model registry.

The suggestions themselves appear in the commission's essay view (``app.essays.router``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import CurrentAccount, require_roles
from app.auth.models import ADMINISTRATOR, RESEARCHER, Account
from app.bounds import Id
from app.competitions import service as competitions
from app.deps import QueueDep, SessionDep, SettingsDep
from app.prescoring import registry, review, service
from app.prescoring.gate import GateThresholds, verdict
from app.prescoring.schemas import DiscussionIn, EssayDiscussionOut, EssayModelOut, RequeuedOut

router = APIRouter(prefix="/api/v1/competitions", tags=["essay pre-scoring"])
models_router = APIRouter(prefix="/api/v1/admin/ml", tags=["essay pre-scoring"])
"""The administrator's list of trained essay models (beside ``app.mlops.router``)."""

RegistryReader = Annotated[Account, Depends(require_roles(ADMINISTRATOR, RESEARCHER))]


@router.post(
    "/{competition_id}/essays/{anonymous_code}/discussion",
    status_code=201,
    responses={409: {"description": "essay_not_flagged, stage_closed"}, 403: {"description": "not_commission_chair"}},
)
def record_discussion(
    competition_id: Id, anonymous_code: str, data: DiscussionIn, account: CurrentAccount, session: SessionDep
) -> EssayDiscussionOut:
    """The chair records the commission's discussion of a flagged essay; it settles the flags raised so far."""
    with session.begin():
        competition = competitions.get_competition(session=session, competition_id=competition_id)
        state = review.record_discussion(
            session=session, competition=competition, anonymous_code=anonymous_code, actor=account, note=data.note
        )
        return EssayDiscussionOut(competition_id=competition.id, anonymous_code=anonymous_code, **state.public())


@router.post(
    "/{competition_id}/essays/prescore", status_code=202, responses={409: {"description": "ml_module_disabled"}}
)
def requeue_prescores(competition_id: Id, account: CurrentAccount, session: SessionDep, queue: QueueDep) -> RequeuedOut:
    """Queue the pre-score of every submitted essay that has none and no job under way (HR of the body), e.g.
    after an administrator switched the module back on."""
    with session.begin():
        competition = competitions.managed_competition(session=session, competition_id=competition_id, actor=account)
        queued = service.requeue(session=session, queue=queue, competition=competition, actor=account)
        return RequeuedOut(competition_id=competition.id, queued=queued)


@models_router.get("/essay-models")
def list_essay_models(account: RegistryReader, session: SessionDep, settings: SettingsDep) -> list[EssayModelOut]:
    """Every trained essay scorer, newest first, with its validity gate: a model ``held_back`` makes no
    suggestion (administrators; researchers read it too)."""
    thresholds = GateThresholds.of(settings)
    with session.begin():
        return [
            EssayModelOut.model_validate(row, from_attributes=True).model_copy(
                update={"validity_gate": verdict(row.metrics or {}, thresholds).public()}
            )
            for row in registry.list_models(session)
        ]
