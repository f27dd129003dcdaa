"""Queue jobs of essay pre-scoring: ``essay_prescore`` (one locked essay) and ``essay_models_train``.

The scorer (``ml.essay_scoring.scorer.EssayScorer``) reads vectors through :class:`StoredEmbedder`,
so an essay, a topic or a rubric text is embedded once per model and read back from the
``embeddings`` table after. Neither job holds a database transaction while the scorer runs
(the embedder opens its own short ones).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction
from app.essays.prescore_queue import PRESCORE_JOB, TRAIN_JOB, enqueue_prescore
from app.jobs.queue import JobContext, job_handler
from app.matching import store
from app.matching.embedder import get_embedder
from app.mlops.service import is_enabled
from app.prescoring import registry, service
from app.prescoring.gate import REASON_HELD_BACK, GateThresholds, validity_figures
from app.prescoring.models import SCOPE_CROSS_TOPIC, SCOPE_TOPIC, EssayModel
from app.prescoring.texts import REASON_SWITCHED_OFF
from app.settings import Settings
from ml.embeddings import Embedder
from ml.embeddings.base import Matrix, WrappedEmbedder
from ml.essay_scoring.api import REASON_NO_MODEL, EssayInput, StaleScorerArtifact, Suggestion, is_stale_artifact


class StoredEmbedder(WrappedEmbedder):
    """An :class:`ml.embeddings.Embedder` whose vectors go through the database (``app.matching.store``)."""

    def __init__(self, inner: Embedder, sessions: sessionmaker[Session]) -> None:
        super().__init__(inner)
        self.sessions = sessions

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        with transaction(self.sessions) as session:
            return store.embed_queries(session, self.inner, texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        with transaction(self.sessions) as session:
            return store.embed_passages(session, self.inner, texts)


class Scorer(Protocol):
    """What the jobs use of ``EssayScorer`` (the contract in ``.notes`` / ``ml.essay_scoring.scorer``)."""

    training_metrics_: dict[str, Any]

    @property
    def params_sha256(self) -> str: ...

    def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> Any: ...

    def suggest(self, essay: EssayInput, top: int = 5, cohort: Sequence[EssayInput] = ()) -> Suggestion: ...

    def model_card(self) -> dict[str, Any]: ...

    def to_bytes(self) -> bytes: ...


def embedder_for(settings: Settings, sessions: sessionmaker[Session]) -> Embedder:
    """The process's embedder (``app.matching.embedder``) behind the database store."""
    return StoredEmbedder(get_embedder(settings), sessions)


def new_scorer(embedder: Embedder, points: tuple[int, ...], scope: str) -> Scorer:
    """An untrained scorer; a cross-topic one leaves out the n-gram view (one topic's own words) and reads
    every feature and score within the essay's topic (``topic_relative``)."""
    from ml.essay_scoring.scorer import EssayScorer  # noqa: PLC0415  scikit-learn and SciPy load in seconds; a worker pays only when it scores

    scorer: Scorer = EssayScorer(
        embedder=embedder,
        score_points=points,
        use_ngrams=scope == SCOPE_TOPIC,
        topic_relative=scope == SCOPE_CROSS_TOPIC,
    )
    return scorer


def load_scorer(artifact: bytes, embedder: Embedder) -> Scorer:
    from ml.essay_scoring.scorer import EssayScorer  # noqa: PLC0415  scikit-learn and SciPy load in seconds; a worker pays only when it scores

    scorer: Scorer = EssayScorer.from_bytes(artifact, embedder)
    return scorer


def _model_card(row: EssayModel, scorer_card: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": scorer_card.get("name", row.name),
        "version": scorer_card.get("version", row.version),
        "params_sha256": scorer_card.get("params_sha256", row.params_sha256),
        "encoder": scorer_card.get("encoder", row.encoder),
        "scope": row.scope,
        "essay_model_id": row.id,
    }


@job_handler(PRESCORE_JOB)
def essay_prescore(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload ``{"essay_id", "content_hash"}``: store the essay's suggestion or why there is none."""
    essay_id, content_hash = int(payload["essay_id"]), str(payload["content_hash"])
    context.progress(0, "reading the essay")
    with transaction(context.sessions) as session:
        task = service.prescore_task(
            session, essay_id=essay_id, content_hash=content_hash, thresholds=GateThresholds.of(context.settings)
        )
        model = task.model
        artifact = None if model is None else model.artifact
        if model is not None:
            session.expunge(model)
    if task.skipped is not None:
        return {"skipped": task.skipped}
    assert task.essay is not None
    if task.held_back is not None:
        suggestion = Suggestion(score=None, reason=REASON_HELD_BACK, model=task.held_back)
        card = dict(task.held_back)
    elif model is None or artifact is None:
        suggestion, card = Suggestion.none(REASON_NO_MODEL), {}
    else:
        context.progress(20, f"loading the {model.scope} model {model.id}")
        try:
            scorer = load_scorer(artifact, embedder_for(context.settings, context.sessions))
        except StaleScorerArtifact:  # saved in the old pickle format, never unpickled: trained again instead
            training = context.queue.enqueue(
                TRAIN_JOB,
                {"stale_essay_model_id": model.id},
                dedupe_key=f"{TRAIN_JOB}:stale:{model.id}",
            )
            return {"skipped": "model_stale", "essay_model_id": model.id, "training_job": training}
        context.progress(40, "scoring the essay")
        suggestion = scorer.suggest(task.essay, cohort=task.cohort if model.scope == SCOPE_CROSS_TOPIC else ())
        card = _model_card(model, {**scorer.model_card(), **suggestion.model})
    context.progress(90, "storing the suggestion")
    with transaction(context.sessions) as session:
        row = service.store_outcome(session, essay_id=essay_id, suggestion=suggestion, model=card)
        if row is None:  # switched off or closed while the scorer ran: nothing is recorded
            stopped = service.prescore_task(session, essay_id=essay_id, content_hash=content_hash).skipped
            return {"skipped": stopped or "stage_closed"}
        return {
            "status": row.status,
            "reason": row.reason,
            "score": suggestion.score,
            "essay_model_id": card.get("essay_model_id"),
            "suggestion_id": row.id,
        }


def _train(
    context: JobContext, embedder: Embedder, *, scope: str, key: str | None, examples: Sequence[registry.FinalEssay]
) -> dict[str, Any]:
    """Fit one scorer on ``examples`` and register it, unless the newest one learnt from the same data."""
    data_sha256 = registry.training_data_sha256(examples)
    with transaction(context.sessions) as session:
        newest = registry.newest_model(session, scope=scope, key=key)
        if newest is not None and newest.training_data_sha256 == data_sha256 and not is_stale_artifact(newest.artifact):
            return {"scope": scope, "topic_key": key, "skipped": "same_training_data", "essay_model_id": newest.id}
    points = tuple(sorted({point for example in examples for point in example.points}))
    scorer = new_scorer(embedder, points, scope)
    try:
        scorer.fit([example.essay for example in examples], [example.score for example in examples])
    except ValueError as error:  # data this scorer cannot learn from (e.g. one score only): the others still train
        return {"scope": scope, "topic_key": key, "error": str(error)[:500]}
    card = scorer.model_card()
    metrics = dict(scorer.training_metrics_)
    predicted = getattr(scorer, "cv_predicted_", None)
    if predicted is not None and len(predicted) == len(examples):
        metrics["validity"] = validity_figures(
            [example.score for example in examples],
            list(predicted),
            {"language": [example.essay.language for example in examples]},
            points=points,
        )
    with transaction(context.sessions) as session:
        row = registry.register_model(
            session,
            scope=scope,
            key=key,
            card=card,
            params_sha256=scorer.params_sha256,
            data_sha256=data_sha256,
            n_train=len(examples),
            metrics=metrics,
            artifact=scorer.to_bytes(),
        )
        return {"scope": scope, "topic_key": key, "essay_model_id": row.id, "n_train": len(examples)}


@job_handler(TRAIN_JOB)
def essay_models_train(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Train the topic and cross-topic models that the final essay scores allow, then pre-score the essays
    of open essay stages that still have no suggestion. Queued when an essay stage closes, and by a
    pre-score that met a model saved in the old pickle format (which is trained again, same data or not)."""
    context.progress(0, "collecting final essay scores")
    with transaction(context.sessions) as session:
        if not is_enabled(session, registry.MODULE):
            return {"skipped": REASON_SWITCHED_OFF}
        examples = registry.final_essays(session)
    minimum = context.settings.essay_prescoring_min_topic_essays
    by_topic: dict[str, list[registry.FinalEssay]] = defaultdict(list)
    for example in examples:
        by_topic[example.topic_key].append(example)
    plan: list[tuple[str, str | None, list[registry.FinalEssay]]] = [
        (SCOPE_TOPIC, key, found) for key, found in sorted(by_topic.items()) if len(found) >= minimum
    ]
    if len(examples) >= minimum:
        plan.append((SCOPE_CROSS_TOPIC, None, examples))
    models: list[dict[str, Any]] = []
    if plan:
        embedder = embedder_for(context.settings, context.sessions)
        for number, (scope, key, found) in enumerate(plan):
            context.progress(5 + 85 * number / len(plan), f"training the {scope} model on {len(found)} essays")
            models.append(_train(context, embedder, scope=scope, key=key, examples=found))
    context.progress(90, "queueing the essays that wait for a suggestion")
    with transaction(context.sessions) as session:
        waiting = service.essays_awaiting_suggestion(session)
        newest = max((int(model["essay_model_id"]) for model in models if "essay_model_id" in model), default=0)
        queued = 0
        if newest and waiting:
            queue = context.queue
            for essay in waiting:
                if not service.prescore_in_flight(session, essay):
                    enqueue_prescore(session=session, queue=queue, essay=essay, tag=f"model:{newest}")
                    queued += 1
    return {
        "final_essays": len(examples),
        "topics": len(by_topic),
        "minimum": minimum,
        "models": models,
        "prescores_queued": queued,
    }
