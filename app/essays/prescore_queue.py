"""Asking for the ML pre-score of a submitted essay (a job of kind ``essay_prescore``) and, once the essay
stage has closed, for the training of the pre-scoring models on its final scores (``essay_models_train``).

The essays domain queues these jobs by their kinds and never imports the pre-scoring gate; the gate
(``app.prescoring``) registers the jobs' handlers and decides there whether a suggestion is made.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.competitions.models import Competition
from app.essays.models import Essay
from app.jobs.queue import JobQueue

PRESCORE_JOB = "essay_prescore"
TRAIN_JOB = "essay_models_train"


def prescore_key(essay: Essay) -> str:
    """The dedupe key of the essay's pre-score job: the essay and the hash of its submitted text."""
    return f"{PRESCORE_JOB}:{essay.id}:{essay.content_hash}"


def enqueue_prescore(*, session: Session, queue: JobQueue, essay: Essay, tag: str | None = None) -> str:
    """Queue the essay's pre-score in the caller's transaction (sent on commit).

    The key is the essay and its hash, so locking twice queues once; ``tag`` makes a later
    attempt distinct (a new model, a request after the module was switched back on).
    """
    assert essay.locked and essay.content_hash is not None
    key = prescore_key(essay) if tag is None else f"{prescore_key(essay)}:{tag}"
    return queue.enqueue(
        PRESCORE_JOB, {"essay_id": essay.id, "content_hash": essay.content_hash}, dedupe_key=key, session=session
    )


def enqueue_training(*, session: Session, queue: JobQueue, competition: Competition) -> str:
    """Queue the training that a closed essay stage makes possible (once per competition)."""
    return queue.enqueue(
        TRAIN_JOB, {"competition_id": competition.id}, dedupe_key=f"{TRAIN_JOB}:{competition.id}", session=session
    )
