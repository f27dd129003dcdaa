"""Essay pre-scoring behind the commission's review gate (human-review gate 1).

- A locked essay queues ``essay_prescore`` in the transaction that locks it; the job stores a
  suggestion (a ``member_scores`` row of type ``ml_suggestion`` plus an ``essay_suggestions``
  row) or the reason there is none. Nothing is computed in a request.
- A closed essay stage queues ``essay_models_train``: each essay's final score (the competition's
  aggregate of the counting member scores, rounded half up) trains the topic's model and the
  cross-topic model once there are enough (``essay_prescoring_min_topic_essays``).
- Who sees a suggestion: a voting member in ``blind_first`` mode after their own score, in
  ``assist`` mode at once; the HR service, administrators and the secretary once the stage is
  closed (so no one outside the scoring members can pass it on while scores are given);
  candidates never. With the module switched off nobody sees one and nothing new is stored.
- Flags: a member ``DISCUSSION_GAP`` (2) or more points from the suggestion, or two members that
  far apart, flag the essay (suggestion flags only while the module is on); the chair records the
  discussion; the essay stage does not close while a flag has none (409
  ``essay_discussion_required``); a later score that raises a new flag needs a new discussion.

The suggestion never counts: totals, pass marks, the protocol and notifications read
``counting_member_scores``, which takes members' scores only.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.audit.service import SYSTEM_ACTOR, record
from app.auth.models import Account
from app.auth.permissions import can
from app.competitions import service as competitions
from app.competitions.access import CompetitionAccess, competition_access
from app.competitions.events import audit
from app.competitions.models import (
    CHAIR,
    RESULTS_PUBLISHED,
    SCORE_MEMBER,
    SCORE_ML_SUGGESTION,
    CommissionMember,
    Competition,
    MemberScore,
)
from app.db import utcnow
from app.essays.models import Essay, StageClosure
from app.jobs.models import Job
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.mlops.service import is_enabled
from app.prescoring.gate import GateThresholds, choose_model
from app.prescoring.models import (
    ASSIST,
    BLIND_FIRST,
    PRESCORING_MODES,
    SCOPE_CROSS_TOPIC,
    SCOPE_TOPIC,
    SUGGESTED,
    UNAVAILABLE,
    EssayDiscussion,
    EssayModel,
    EssaySuggestion,
)
from app.prescoring.texts import REASON_NOT_RUN, REASON_PENDING, REASON_SWITCHED_OFF, unavailable_message
from app.problems import ProblemError
from app.rules.member_scores import aggregate_member_scores
from app.rules.policy import SelectionPolicy
from ml.essay_scoring.api import EssayInput, Suggestion

MODULE = "essay_prescoring"
PRESCORE_JOB = "essay_prescore"
TRAIN_JOB = "essay_models_train"
STAGE = "essay"
_ACTIVE_JOB_STATUSES = ("queued", "running", "retrying")


# --- topics and final scores ------------------------------------------------------------------------

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
    return EssayInput(text=essay.text, language=essay.language, topic=topic_in(competition, essay.language),
                      word_limit=competitions.policy_of(competition).essay_word_limit)


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
        .order_by(Essay.id)).all()
    scores = competitions.counting_member_scores(session=session, application_ids=[a.id for _e, a, _c in rows])
    found = []
    for essay, application, competition in rows:
        given = scores.get(application.id, {}).get(STAGE)
        key = competition_topic_key(competition)
        if not given or key is None or essay.content_hash is None:
            continue
        policy = competitions.policy_of(competition)
        found.append(FinalEssay(essay_id=essay.id, content_hash=essay.content_hash, topic_key=key,
                                essay=essay_input(essay, competition), score=final_score(given, policy),
                                points=score_points(policy)))
    return found


def training_data_sha256(examples: Iterable[FinalEssay]) -> str:
    """SHA-256 of the sorted ``(content hash, final score)`` pairs: the same data, the same hash."""
    pairs = sorted((example.content_hash, example.score) for example in examples)
    return hashlib.sha256(json.dumps(pairs, separators=(",", ":")).encode()).hexdigest()


# --- the registry -----------------------------------------------------------------------------------

def newest_model(session: Session, *, scope: str, key: str | None) -> EssayModel | None:
    query = select(EssayModel).where(EssayModel.scope == scope)
    query = query.where(EssayModel.topic_key.is_(None) if key is None else EssayModel.topic_key == key)
    return session.scalars(query.order_by(EssayModel.id.desc()).limit(1)).first()


def serving_model(session: Session, key: str | None) -> EssayModel | None:
    """The newest model of the topic, else the newest cross-topic model, else none."""
    topic = None if key is None else newest_model(session, scope=SCOPE_TOPIC, key=key)
    return topic or newest_model(session, scope=SCOPE_CROSS_TOPIC, key=None)


def register_model(session: Session, *, scope: str, key: str | None, card: Mapping[str, Any],
                   params_sha256: str, data_sha256: str, n_train: int, metrics: Mapping[str, Any],
                   artifact: bytes) -> EssayModel:
    """Store a trained scorer in the registry (it serves from now on), audited with its hashes."""
    row = EssayModel(scope=scope, topic_key=key, name=str(card.get("name", "essay-scorer")),
                     version=str(card.get("version", "")), params_sha256=params_sha256,
                     training_data_sha256=data_sha256, n_train=n_train, metrics=_jsonable(metrics),
                     encoder=_jsonable(card.get("encoder") or {}), artifact=artifact, created_at=utcnow())
    session.add(row)
    session.flush()
    audit(session, actor=None, action="essay_model.trained", entity_type="essay_model", entity_id=row.id,
          after={"scope": scope, "topic_key": key, "name": row.name, "version": row.version,
                 "params_sha256": params_sha256, "training_data_sha256": data_sha256, "n_train": n_train,
                 "metrics": row.metrics})
    return row


def list_models(session: Session) -> Sequence[EssayModel]:
    return session.scalars(select(EssayModel).order_by(EssayModel.id.desc())).all()


def _jsonable(value: Any) -> Any:
    """Plain JSON (numpy numbers from a scorer's metrics become floats)."""
    return json.loads(json.dumps(value, default=float))


# --- queueing ---------------------------------------------------------------------------------------

def _prescore_key(essay: Essay) -> str:
    return f"{PRESCORE_JOB}:{essay.id}:{essay.content_hash}"


def enqueue_prescore(*, session: Session, queue: JobQueue, essay: Essay, tag: str | None = None) -> str:
    """Queue the essay's pre-score in the caller's transaction (sent on commit).

    The key is the essay and its hash, so locking twice queues once; ``tag`` makes a later
    attempt distinct (a new model, a request after the module was switched back on).
    """
    assert essay.locked and essay.content_hash is not None
    key = _prescore_key(essay) if tag is None else f"{_prescore_key(essay)}:{tag}"
    return queue.enqueue(PRESCORE_JOB, {"essay_id": essay.id, "content_hash": essay.content_hash},
                         dedupe_key=key, session=session)


def enqueue_training(*, session: Session, queue: JobQueue, competition: Competition) -> str:
    """Queue the training that a closed essay stage makes possible (once per competition)."""
    return queue.enqueue(TRAIN_JOB, {"competition_id": competition.id},
                         dedupe_key=f"{TRAIN_JOB}:{competition.id}", session=session)


def prescore_in_flight(session: Session, essay: Essay) -> bool:
    """Whether a pre-score job of this essay is queued or running."""
    return session.scalars(select(Job.id).where(
        Job.kind == PRESCORE_JOB, Job.dedupe_key.like(f"{_prescore_key(essay)}%"),
        Job.status.in_(_ACTIVE_JOB_STATUSES)).limit(1)).first() is not None


def essays_awaiting_suggestion(session: Session, competition_id: int | None = None) -> list[Essay]:
    """Locked essays of open essay stages (results not published) that have no suggestion yet."""
    closed = select(StageClosure.competition_id).where(StageClosure.stage == STAGE)
    suggested = select(EssaySuggestion.essay_id).where(EssaySuggestion.status == SUGGESTED)
    query = (select(Essay).join(Application, Application.id == Essay.application_id)
             .join(Competition, Competition.id == Application.competition_id)
             .where(Essay.locked.is_(True), Application.status == CONFIRMED,
                    Competition.status != RESULTS_PUBLISHED, Competition.id.not_in(closed),
                    Essay.id.not_in(suggested)))
    if competition_id is not None:
        query = query.where(Competition.id == competition_id)
    return list(session.scalars(query.order_by(Essay.id)).all())


def requeue(*, session: Session, queue: JobQueue, competition: Competition, actor: Account) -> list[str]:
    """Queue a pre-score for each essay of the competition that has none and no job under way (HR of the body:
    after the module was switched back on, or a model appeared). Returns the anonymous codes queued."""
    if not is_enabled(session, MODULE):
        raise ProblemError("the essay pre-scoring module is switched off by an administrator", status=409,
                           code="ml_module_disabled", module=MODULE)
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
        audit(session, actor=actor, action="prescoring.requeued", entity_type="competition",
              entity_id=competition.id, after={"essays": [essay.id for essay, _code in queued]})
    return [code for _essay, code in queued]


# --- storing a job's outcome --------------------------------------------------------------------------

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


def prescore_task(session: Session, *, essay_id: int, content_hash: str,
                  thresholds: GateThresholds = GateThresholds()) -> PrescoreTask:
    """Decide what a pre-score job does; ``skipped`` says why it does nothing."""
    if not is_enabled(session, MODULE):
        return PrescoreTask(skipped=REASON_SWITCHED_OFF)
    essay = session.get(Essay, essay_id)
    if essay is None or not essay.locked or essay.content_hash != content_hash:
        return PrescoreTask(skipped="essay_not_locked")
    application = session.get(Application, essay.application_id)
    assert application is not None
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    if competition.status == RESULTS_PUBLISHED or _stage_closed(session, competition.id) \
            or application.status != CONFIRMED:
        return PrescoreTask(skipped="stage_closed")
    existing = suggestion_of(session, essay)
    if existing is not None and existing.status == SUGGESTED:
        return PrescoreTask(skipped="already_suggested")
    key = competition_topic_key(competition)
    model, held_back = choose_model([None if key is None else newest_model(session, scope=SCOPE_TOPIC, key=key),
                                     newest_model(session, scope=SCOPE_CROSS_TOPIC, key=None)], thresholds)
    cohort: tuple[EssayInput, ...] = ()
    if model is not None and model.scope == SCOPE_CROSS_TOPIC:
        from app.essays.service import submitted_essays  # app.essays.service imports this module

        cohort = tuple(essay_input(peer, competition)
                       for peer, peer_application in submitted_essays(session=session, competition=competition)
                       if peer.id != essay.id and peer.language == essay.language
                       and peer_application.status == CONFIRMED)
    return PrescoreTask(essay_id=essay.id, essay=essay_input(essay, competition), model=model, cohort=cohort,
                        held_back=held_back)


def suggestion_of(session: Session, essay: Essay) -> EssaySuggestion | None:
    return session.scalars(select(EssaySuggestion).where(
        EssaySuggestion.essay_id == essay.id, EssaySuggestion.content_hash == essay.content_hash)).first()


def store_outcome(session: Session, *, essay_id: int, suggestion: Suggestion,
                  model: Mapping[str, Any]) -> EssaySuggestion | None:
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
        score_row = competitions.record_member_score(session=session, application=application, stage=STAGE,
                                                     scorer=None, score=int(suggestion.score),
                                                     score_type=SCORE_ML_SUGGESTION, replace=True)
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
    label = f"{card['name']}@{card.get('version')}#{str(card.get('params_sha256') or '')[:12]}" \
        if card.get("name") else None
    record(session, action="essay.prescored", entity_type="essay", entity_id=str(essay.id), actor=SYSTEM_ACTOR,
           actor_role=SYSTEM_ACTOR, model_version=label,
           payload={"before": None, "after": {"status": row.status, "reason": row.reason, "score": suggestion.score,
                                              "confidence": row.confidence, "model": card},
                    "request_id": current_request_id()})
    return row


def _stage_closed(session: Session, competition_id: int) -> bool:
    return session.scalars(select(StageClosure.id).where(StageClosure.competition_id == competition_id,
                                                         StageClosure.stage == STAGE)).first() is not None


# --- flags and discussions ----------------------------------------------------------------------------

DISCUSSION_GAP = 2
"""Points between a member and the pre-score, or between two members, that flag an essay (the issue's rule)."""
SUGGESTION_GAP = "suggestion_gap"
MEMBERS_APART = "members_apart"


@dataclass(frozen=True)
class Flag:
    """One reason to discuss an essay; ``key`` names who is involved (account ids, never shown)."""

    key: str
    kind: str
    gap: int

    def stored(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "gap": self.gap}


def essay_flags(member_scores: Sequence[tuple[int, int]], suggestion: int | None,
                gap: int = DISCUSSION_GAP) -> list[Flag]:
    """The flags of one essay from ``(scorer account id, score)`` pairs and the suggestion (if any).

    A member ``gap`` or more from the suggestion: ``suggestion_gap``; two members ``gap`` or more
    apart: ``members_apart`` (one flag per such pair).
    """
    ordered = sorted(member_scores)
    flags = []
    if suggestion is not None:
        flags += [Flag(key=f"{SUGGESTION_GAP}:{scorer}", kind=SUGGESTION_GAP, gap=abs(score - suggestion))
                  for scorer, score in ordered if abs(score - suggestion) >= gap]
    for index, (first, first_score) in enumerate(ordered):
        for second, second_score in ordered[index + 1:]:
            if abs(first_score - second_score) >= gap:
                flags.append(Flag(key=f"{MEMBERS_APART}:{first}:{second}", kind=MEMBERS_APART,
                                  gap=abs(first_score - second_score)))
    return flags


@dataclass
class DiscussionState:
    """An essay's flags and the discussions recorded for it."""

    flags: list[Flag] = field(default_factory=list)
    discussions: list[EssayDiscussion] = field(default_factory=list)

    @property
    def discussed_keys(self) -> set[str]:
        return {str(reason.get("key")) for row in self.discussions for reason in row.reasons}

    @property
    def required(self) -> bool:
        """Whether a flag has no discussion yet (the stage cannot close)."""
        covered = self.discussed_keys
        return any(flag.key not in covered for flag in self.flags)

    def public(self) -> dict[str, Any]:
        """What the commission and the HR service see: kinds and gaps, never whose scores."""
        covered = self.discussed_keys
        return {
            "flagged": bool(self.flags), "required": self.required,
            "flags": [{"kind": flag.kind, "gap": flag.gap, "discussed": flag.key in covered} for flag in self.flags],
            "discussions": [{"note": row.note, "resolved_by": row.resolved_by, "resolved_at": row.resolved_at,
                             "flags": [{"kind": r.get("kind"), "gap": r.get("gap")} for r in row.reasons]}
                            for row in self.discussions],
        }


def suggested_scores(session: Session, application_ids: Sequence[int]) -> dict[int, int]:
    """The pre-score of each application's essay, where one was suggested."""
    if not application_ids:
        return {}
    rows = session.execute(select(EssaySuggestion.application_id, MemberScore.score)
                           .join(MemberScore, MemberScore.id == EssaySuggestion.member_score_id)
                           .where(EssaySuggestion.application_id.in_(application_ids),
                                  EssaySuggestion.status == SUGGESTED)).all()
    return {application_id: score for application_id, score in rows}


def discussion_states(session: Session, *, application_ids: Sequence[int],
                      gap: int = DISCUSSION_GAP) -> dict[int, DiscussionState]:
    """Flags and discussions of each application's essay (suggestion flags only while the module is on)."""
    states = {application_id: DiscussionState() for application_id in application_ids}
    if not application_ids:
        return states
    scores: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for application_id, scorer, score in session.execute(
            select(MemberScore.application_id, MemberScore.scorer_account_id, MemberScore.score).where(
                MemberScore.application_id.in_(application_ids), MemberScore.stage == STAGE,
                MemberScore.score_type == SCORE_MEMBER)).all():
        if scorer is not None:  # a member score always has its scorer (a check constraint)
            scores[application_id].append((scorer, score))
    suggested = suggested_scores(session, application_ids) if is_enabled(session, MODULE) else {}
    for row in session.scalars(select(EssayDiscussion).where(EssayDiscussion.application_id.in_(application_ids))
                               .order_by(EssayDiscussion.id)).all():
        states[row.application_id].discussions.append(row)
    for application_id in application_ids:
        states[application_id].flags = essay_flags(scores[application_id], suggested.get(application_id), gap)
    return states


def undiscussed_essays(session: Session, *, competition: Competition, gap: int = DISCUSSION_GAP) -> list[str]:
    """Anonymous codes of the competition's flagged essays without a discussion of every flag."""
    rows = session.execute(select(Application.id, Application.anonymous_code)
                           .join(Essay, Essay.application_id == Application.id)
                           .where(Application.competition_id == competition.id, Essay.locked.is_(True))
                           .order_by(Application.applied_at, Application.id)).all()
    states = discussion_states(session, application_ids=[application_id for application_id, _c in rows], gap=gap)
    return [code for application_id, code in rows if states[application_id].required]


def ensure_discussed(session: Session, *, competition: Competition, gap: int = DISCUSSION_GAP) -> None:
    """409 ``essay_discussion_required`` naming the flagged essays no discussion settled."""
    pending = undiscussed_essays(session, competition=competition, gap=gap)
    if pending:
        raise ProblemError(f"{len(pending)} flagged essay(s) need the commission's recorded discussion before the "
                           "essay stage closes", status=409, code="essay_discussion_required",
                           anonymous_codes=pending)


def _chair_id(session: Session, competition: Competition) -> int | None:
    return session.scalars(select(CommissionMember.account_id).where(
        CommissionMember.competition_id == competition.id, CommissionMember.role == CHAIR)).first()


def record_discussion(*, session: Session, competition: Competition, anonymous_code: str, actor: Account,
                      note: str, gap: int = DISCUSSION_GAP) -> DiscussionState:
    """The chair records the commission's discussion of a flagged essay; it settles the flags raised now."""
    if actor.id != _chair_id(session, competition):
        raise ProblemError("only the chair of this competition's commission records a discussion", status=403,
                           code="not_commission_chair")
    competitions.ensure_results_not_published(competition)
    if _stage_closed(session, competition.id):
        raise ProblemError("the essay stage of this competition is closed", status=409, code="stage_closed")
    application = session.scalars(select(Application).where(
        Application.competition_id == competition.id, Application.anonymous_code == anonymous_code)).first()
    essay = None if application is None else session.scalars(
        select(Essay).where(Essay.application_id == application.id)).first()
    if application is None or essay is None or not essay.locked:
        raise ProblemError(f"no submitted essay {anonymous_code} in this competition", status=404, code="not_found")
    state = discussion_states(session, application_ids=[application.id], gap=gap)[application.id]
    if not state.flags:
        raise ProblemError("this essay is not flagged for discussion", status=409, code="essay_not_flagged")
    row = EssayDiscussion(application_id=application.id, stage=STAGE, reasons=[f.stored() for f in state.flags],
                          resolved_by=actor.id, note=note, resolved_at=utcnow())
    session.add(row)
    session.flush()
    state.discussions.append(row)
    audit(session, actor=actor, action="essay.discussion_recorded", entity_type="application",
          entity_id=application.id, after={"flags": row.reasons, "note": note})
    return state


# --- the review mode --------------------------------------------------------------------------------

def set_mode(*, session: Session, competition: Competition, mode: str, actor: Account) -> None:
    """Set ``blind_first`` or ``assist`` (HR of the body or the chair) before any member has scored an essay."""
    access = competition_access(session, competition)
    if not (can(actor, "competition.manage", access) or actor.id == _chair_id(session, competition)):
        raise ProblemError("the HR service of the body or the commission's chair sets the review mode",
                           status=403, code="forbidden")
    if mode not in PRESCORING_MODES:
        raise ProblemError(f"mode: one of {', '.join(PRESCORING_MODES)}", status=422, code="validation_error")
    competitions.ensure_results_not_published(competition)
    if mode == competition.prescoring_mode:
        return
    scored = session.scalars(select(MemberScore.id).join(Application, Application.id == MemberScore.application_id)
                             .where(Application.competition_id == competition.id, MemberScore.stage == STAGE,
                                    MemberScore.score_type == SCORE_MEMBER).limit(1)).first()
    if scored is not None:
        raise ProblemError("members have started scoring essays; the review mode can no longer change",
                           status=409, code="prescoring_mode_locked")
    before = competition.prescoring_mode
    competition.prescoring_mode = mode
    audit(session, actor=actor, action="competition.prescoring_mode_set", entity_type="competition",
          entity_id=competition.id, before={"prescoring_mode": before}, after={"prescoring_mode": mode})


# --- what a reader of the essays sees -----------------------------------------------------------------

@dataclass(frozen=True)
class Reader:
    """Who reads the commission's essay view and what they may see of the pre-scores."""

    account: Account
    voting_member: bool
    stage_closed: bool
    mode: str
    module_on: bool

    def sees_suggestion(self, scored_it: bool) -> bool:
        if self.voting_member:
            return self.stage_closed or self.mode == ASSIST or scored_it
        # the HR service, administrators and the secretary: once the scores are final
        return self.stage_closed

    def sees_flags(self, scored_it: bool) -> bool:
        """Flags tell how far apart the scores are: a voting member sees them after scoring themself."""
        return not self.voting_member or self.stage_closed or scored_it


def reader(session: Session, *, competition: Competition, account: Account, access: CompetitionAccess | None = None,
           stage_closed: bool) -> Reader:
    facts = access or competition_access(session, competition)
    return Reader(account=account, voting_member=account.id in facts.voting_member_account_ids,
                  stage_closed=stage_closed, mode=competition.prescoring_mode or BLIND_FIRST,
                  module_on=is_enabled(session, MODULE))


def _unavailable(reason: str, model: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"status": UNAVAILABLE, "reason": reason, "message": unavailable_message(reason, model)}


def suggestion_out(row: EssaySuggestion, score: int) -> dict[str, Any]:
    return {"status": SUGGESTED, "score": score, "probabilities": dict(row.probabilities or {}),
            "confidence": row.confidence, "top_features": list(row.top_features), "model": dict(row.model),
            "suggested_at": row.created_at}


def suggestion_views(session: Session, *, who: Reader, essays: Sequence[Essay],
                     scored: Mapping[int, bool]) -> dict[int, dict[str, Any]]:
    """The ``suggestion`` block of each essay (by application id) as ``who`` may see it.

    ``scored`` says per application whether ``who`` has given their own score.
    """
    views: dict[int, dict[str, Any]] = {}
    if not essays:
        return views
    rows = {row.essay_id: row for row in session.scalars(select(EssaySuggestion).where(
        EssaySuggestion.essay_id.in_([essay.id for essay in essays]))).all()}
    scores = dict(session.execute(select(MemberScore.id, MemberScore.score).where(
        MemberScore.id.in_([row.member_score_id for row in rows.values() if row.member_score_id is not None])))
        .all())
    for essay in essays:
        row = rows.get(essay.id)
        if not who.module_on:
            views[essay.application_id] = _unavailable(REASON_SWITCHED_OFF)
        elif row is None:
            views[essay.application_id] = _unavailable(REASON_NOT_RUN if who.stage_closed else REASON_PENDING)
        elif row.status == UNAVAILABLE:
            views[essay.application_id] = _unavailable(str(row.reason), row.model)
        elif not who.sees_suggestion(scored.get(essay.application_id, False)):
            views[essay.application_id] = {"status": "hidden_until_you_score" if who.voting_member
                                           else "hidden_until_stage_closed"}
        else:
            assert row.member_score_id is not None
            views[essay.application_id] = suggestion_out(row, scores[row.member_score_id])
    return views


def essay_of_application(session: Session, application_id: int) -> Essay | None:
    return session.scalars(select(Essay).where(Essay.application_id == application_id)).first()
