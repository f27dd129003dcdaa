"""The essay pre-scorer's topics, final scores and model registry: what a model is trained on and which one serves
a topic."""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.audit.events import audit
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.db import utcnow
from app.essays.models import Essay, StageClosure
from app.prescoring.models import SCOPE_CROSS_TOPIC, SCOPE_TOPIC, EssayModel
from app.rules.member_scores import aggregate_member_scores
from app.rules.policy import SelectionPolicy
from app.selection import service as selection
from ml.essay_scoring.api import EssayInput

MODULE = "essay_prescoring"


STAGE = "essay"


def normalise_topic(text: str) -> str:
    """NFC, case-folded, whitespace collapsed: the same topic typed twice gives the same key."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def topic_key(kk: str, ru: str) -> str:
    """SHA-256 of the normalised Kazakh and Russian topic texts: one topic, one model."""
    return hashlib.sha256(f"kk:{normalise_topic(kk)}\nru:{normalise_topic(ru)}".encode()).hexdigest()


def competition_topic_key(competition: Competition) -> str | None:
    if competition.essay_topic_kk is None or competition.essay_topic_ru is None:
        return None
    return topic_key(competition.essay_topic_kk, competition.essay_topic_ru)


def topic_in(competition: Competition, language: str) -> str:
    """The competition's topic in the essay's language (empty when not set)."""
    return (competition.essay_topic_kk if language == "kk" else competition.essay_topic_ru) or ""


def final_score(scores: Sequence[int], policy: SelectionPolicy) -> int:
    """The essay's final score as a training label: the policy's aggregate, rounded half up."""
    return math.floor(aggregate_member_scores(scores, policy) + Fraction(1, 2))


def score_points(policy: SelectionPolicy) -> tuple[int, ...]:
    return tuple(range(policy.member_score_min, policy.member_score_max + 1))


def essay_input(essay: Essay, competition: Competition) -> EssayInput:
    """What the scorer reads: the text, its language, the topic in that language and the word limit."""
    return EssayInput(
        text=essay.text,
        language=essay.language,
        topic=topic_in(competition, essay.language),
        word_limit=competitions.policy_of(competition).essay_word_limit,
    )


@dataclass(frozen=True)
class FinalEssay:
    """A scored essay of a closed essay stage: a training example."""

    essay_id: int
    content_hash: str
    topic_key: str
    essay: EssayInput
    score: int
    points: tuple[int, ...]


def final_essays(session: Session) -> list[FinalEssay]:
    """Every locked essay of a closed essay stage with its final score, in essay order."""
    rows = session.execute(
        select(Essay, Application, Competition)
        .join(Application, Application.id == Essay.application_id)
        .join(Competition, Competition.id == Application.competition_id)
        .join(StageClosure, (StageClosure.competition_id == Competition.id) & (StageClosure.stage == STAGE))
        .where(Essay.locked.is_(True), Application.status == CONFIRMED)
        .order_by(Essay.id)
    ).all()
    scores = selection.counting_member_scores(session=session, application_ids=[a.id for _e, a, _c in rows])
    found = []
    for essay, application, competition in rows:
        given = scores.get(application.id, {}).get(STAGE)
        key = competition_topic_key(competition)
        if not given or key is None or essay.content_hash is None:
            continue
        policy = competitions.policy_of(competition)
        found.append(
            FinalEssay(
                essay_id=essay.id,
                content_hash=essay.content_hash,
                topic_key=key,
                essay=essay_input(essay, competition),
                score=final_score(given, policy),
                points=score_points(policy),
            )
        )
    return found


def training_data_sha256(examples: Iterable[FinalEssay]) -> str:
    """SHA-256 of the sorted ``(content hash, final score)`` pairs: the same data, the same hash."""
    pairs = sorted((example.content_hash, example.score) for example in examples)
    return hashlib.sha256(json.dumps(pairs, separators=(",", ":")).encode()).hexdigest()


def newest_model(session: Session, *, scope: str, key: str | None) -> EssayModel | None:
    query = select(EssayModel).where(EssayModel.scope == scope)
    query = query.where(EssayModel.topic_key.is_(None) if key is None else EssayModel.topic_key == key)
    return session.scalars(query.order_by(EssayModel.id.desc()).limit(1)).first()


def serving_model(session: Session, key: str | None) -> EssayModel | None:
    """The newest model of the topic, else the newest cross-topic model, else none."""
    topic = None if key is None else newest_model(session, scope=SCOPE_TOPIC, key=key)
    return topic or newest_model(session, scope=SCOPE_CROSS_TOPIC, key=None)


def register_model(
    session: Session,
    *,
    scope: str,
    key: str | None,
    card: Mapping[str, Any],
    params_sha256: str,
    data_sha256: str,
    n_train: int,
    metrics: Mapping[str, Any],
    artifact: bytes,
) -> EssayModel:
    """Store a trained scorer in the registry (it serves from now on), audited with its hashes."""
    row = EssayModel(
        scope=scope,
        topic_key=key,
        name=str(card.get("name", "essay-scorer")),
        version=str(card.get("version", "")),
        params_sha256=params_sha256,
        training_data_sha256=data_sha256,
        n_train=n_train,
        metrics=_jsonable(metrics),
        encoder=_jsonable(card.get("encoder") or {}),
        artifact=artifact,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=None,
        action="essay_model.trained",
        entity_type="essay_model",
        entity_id=row.id,
        after={
            "scope": scope,
            "topic_key": key,
            "name": row.name,
            "version": row.version,
            "params_sha256": params_sha256,
            "training_data_sha256": data_sha256,
            "n_train": n_train,
            "metrics": row.metrics,
        },
    )
    return row


def list_models(session: Session) -> Sequence[EssayModel]:
    return session.scalars(select(EssayModel).order_by(EssayModel.id.desc())).all()


def _jsonable(value: Any) -> Any:
    """Plain JSON (numpy numbers from a scorer's metrics become floats)."""
    return json.loads(json.dumps(value, default=float))
