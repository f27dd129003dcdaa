"""The pre-scoring gate's workflow: queueing pre-scores and training, and what a pre-score job finds and stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.audit.events import audit
from app.audit.service import SYSTEM_ACTOR, record
from app.auth.models import Account
from app.competitions import service as competitions
from app.competitions.models import RESULTS_PUBLISHED, SCORE_ML_SUGGESTION, Competition
from app.db import utcnow
from app.errors import DomainError
from app.essays.models import Essay, StageClosure
from app.essays.prescore_queue import PRESCORE_JOB, enqueue_prescore, prescore_key
from app.essays.queries import submitted_essays
from app.jobs.models import Job
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.mlops.errors import ML_MODULE_DISABLED
from app.mlops.service import is_enabled
from app.prescoring.gate import GateThresholds, choose_model
from app.prescoring.models import SCOPE_CROSS_TOPIC, SCOPE_TOPIC, SUGGESTED, UNAVAILABLE, EssayModel, EssaySuggestion
from app.prescoring.registry import (
    MODULE,
    STAGE,
    _jsonable,
    competition_topic_key,
    essay_input,
    newest_model,
)
from app.prescoring.texts import REASON_SWITCHED_OFF
from app.selection import service as selection
from ml.essay_scoring.api import EssayInput, Suggestion

_ACTIVE_JOB_STATUSES = ("queued", "running", "retrying")


def prescore_in_flight(session: Session, essay: Essay) -> bool:
    """Whether a pre-score job of this essay is queued or running."""
    return (
        session.scalars(
            select(Job.id)
            .where(
                Job.kind == PRESCORE_JOB,
                Job.dedupe_key.like(f"{prescore_key(essay)}%"),
                Job.status.in_(_ACTIVE_JOB_STATUSES),
            )
            .limit(1)
        ).first()
        is not None
    )


def essays_awaiting_suggestion(session: Session, competition_id: int | None = None) -> list[Essay]:
    """Locked essays of open essay stages (results not published) that have no suggestion yet."""
    closed = select(StageClosure.competition_id).where(StageClosure.stage == STAGE)
    suggested = select(EssaySuggestion.essay_id).where(EssaySuggestion.status == SUGGESTED)
    query = (
        select(Essay)
        .join(Application, Application.id == Essay.application_id)
        .join(Competition, Competition.id == Application.competition_id)
        .where(
            Essay.locked.is_(True),
            Application.status == CONFIRMED,
            Competition.status != RESULTS_PUBLISHED,
            Competition.id.not_in(closed),
            Essay.id.not_in(suggested),
        )
    )
    if competition_id is not None:
        query = query.where(Competition.id == competition_id)
    return list(session.scalars(query.order_by(Essay.id)).all())


def requeue(*, session: Session, queue: JobQueue, competition: Competition, actor: Account) -> list[str]:
    """Queue a pre-score for each essay of the competition that has none and no job under way (HR of the body:
    after the module was switched back on, or a model appeared). Returns the anonymous codes queued."""
    if not is_enabled(session, MODULE):
        raise DomainError(
            ML_MODULE_DISABLED, "the essay pre-scoring module is switched off by an administrator", module=MODULE
        )
    queued: list[tuple[Essay, str]] = []
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    for essay in essays_awaiting_suggestion(session, competition.id):
        if prescore_in_flight(session, essay):
            continue
        enqueue_prescore(session=session, queue=queue, essay=essay, tag=f"requeued:{stamp}")
        application = session.get(Application, essay.application_id)
        assert application is not None
        queued.append((essay, application.anonymous_code))
    if queued:
        audit(
            session,
            actor=actor,
            action="prescoring.requeued",
            entity_type="competition",
            entity_id=competition.id,
            after={"essays": [essay.id for essay, _code in queued]},
        )
    return [code for _essay, code in queued]


@dataclass(frozen=True)
class PrescoreTask:
    """What a pre-score job found: a reason to stop, or the essay, its input and the model to run."""

    skipped: str | None = None
    essay_id: int = 0
    essay: EssayInput | None = None
    model: EssayModel | None = None
    cohort: tuple[EssayInput, ...] = ()
    """The other locked essays of the competition in the essay's language (a cross-topic model reads
    the essay among them)."""
    held_back: dict[str, Any] | None = None
    """When no model passes the validity gate (``app.prescoring.gate``): the card of the one held back."""


def prescore_task(
    session: Session, *, essay_id: int, content_hash: str, thresholds: GateThresholds = GateThresholds()
) -> PrescoreTask:
    """Decide what a pre-score job does; ``skipped`` says why it does nothing."""
    if not is_enabled(session, MODULE):
        return PrescoreTask(skipped=REASON_SWITCHED_OFF)
    essay = session.get(Essay, essay_id)
    if essay is None or not essay.locked or essay.content_hash != content_hash:
        return PrescoreTask(skipped="essay_not_locked")
    application = session.get(Application, essay.application_id)
    assert application is not None
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    if (
        competition.status == RESULTS_PUBLISHED
        or stage_closed(session, competition.id)
        or application.status != CONFIRMED
    ):
        return PrescoreTask(skipped="stage_closed")
    existing = suggestion_of(session, essay)
    if existing is not None and existing.status == SUGGESTED:
        return PrescoreTask(skipped="already_suggested")
    key = competition_topic_key(competition)
    model, held_back = choose_model(
        [
            None if key is None else newest_model(session, scope=SCOPE_TOPIC, key=key),
            newest_model(session, scope=SCOPE_CROSS_TOPIC, key=None),
        ],
        thresholds,
    )
    cohort: tuple[EssayInput, ...] = ()
    if model is not None and model.scope == SCOPE_CROSS_TOPIC:
        cohort = tuple(
            essay_input(peer, competition)
            for peer, peer_application in submitted_essays(session=session, competition=competition)
            if peer.id != essay.id and peer.language == essay.language and peer_application.status == CONFIRMED
        )
    return PrescoreTask(
        essay_id=essay.id, essay=essay_input(essay, competition), model=model, cohort=cohort, held_back=held_back
    )


def suggestion_of(session: Session, essay: Essay) -> EssaySuggestion | None:
    return session.scalars(
        select(EssaySuggestion).where(
            EssaySuggestion.essay_id == essay.id, EssaySuggestion.content_hash == essay.content_hash
        )
    ).first()


def store_outcome(
    session: Session, *, essay_id: int, suggestion: Suggestion, model: Mapping[str, Any]
) -> EssaySuggestion | None:
    """Store what the scorer said about the essay (``None`` when the essay no longer takes one).

    A ``suggested`` row is never replaced (a retried job writes nothing twice); an
    ``unavailable`` one is updated, and becomes ``suggested`` when a model has a score.
    """
    essay = session.get(Essay, essay_id, with_for_update=True)
    if essay is None or essay.content_hash is None:
        return None
    task = prescore_task(session, essay_id=essay_id, content_hash=essay.content_hash)
    if task.skipped is not None:
        return None
    application = session.get(Application, essay.application_id)
    assert application is not None
    score_row = None
    if suggestion.score is not None:
        score_row = selection.record_member_score(
            session=session,
            application=application,
            stage=STAGE,
            scorer=None,
            score=int(suggestion.score),
            score_type=SCORE_ML_SUGGESTION,
            replace=True,
        )
    row = suggestion_of(session, essay)
    if row is None:
        row = EssaySuggestion(essay_id=essay.id, application_id=application.id, content_hash=essay.content_hash)
    card = _jsonable(dict(model))
    row.model, row.created_at = card, utcnow()
    if score_row is None:
        row.status, row.reason = UNAVAILABLE, suggestion.reason
        row.probabilities, row.confidence, row.top_features, row.member_score_id = None, None, [], None
    else:
        row.status, row.reason, row.member_score_id = SUGGESTED, None, score_row.id
        row.probabilities = {str(point): float(value) for point, value in suggestion.probabilities.items()}
        row.confidence = None if suggestion.confidence is None else float(suggestion.confidence)
        row.top_features = _jsonable(list(suggestion.top_features))
    session.add(row)
    session.flush()
    label = (
        f"{card['name']}@{card.get('version')}#{str(card.get('params_sha256') or '')[:12]}"
        if card.get("name")
        else None
    )
    record(
        session,
        action="essay.prescored",
        entity_type="essay",
        entity_id=str(essay.id),
        actor=SYSTEM_ACTOR,
        actor_role=SYSTEM_ACTOR,
        model_version=label,
        payload={
            "before": None,
            "after": {
                "status": row.status,
                "reason": row.reason,
                "score": suggestion.score,
                "confidence": row.confidence,
                "model": card,
            },
            "request_id": current_request_id(),
        },
    )
    return row


def stage_closed(session: Session, competition_id: int) -> bool:
    return (
        session.scalars(
            select(StageClosure.id).where(StageClosure.competition_id == competition_id, StageClosure.stage == STAGE)
        ).first()
        is not None
    )
