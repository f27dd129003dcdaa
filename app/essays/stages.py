"""The commission-scored stages (essay, practical assessment, interview): who is in them, scoring, closing.

One place for what the three stages share, so each rule is written once:

- who entered a stage and the interview shortlist come from the competition's own run of the
  core (``run_competition`` on the stored data, the same run ``progress`` shows);
- a member's score: a voting member of the commission (403 ``not_on_commission``), on the
  policy's scale (422 ``score_out_of_range``), while the stage is open (409 ``stage_closed``),
  stored by ``app.competitions.service.record_member_score``; a member may replace their own
  score until the stage closes (the audit event keeps before and after);
- closing: every item the stage waits for (a submitted essay, an entrant of the practical
  assessment, an interview not cancelled) needs scores from at least ``essay_min_scoring_share``
  of the voting members (``scoring_quorum_reached``), else 409 ``scoring_quorum_not_reached``.

Only ``member`` scores count for the quorum. An essay's ML pre-score (``app.prescoring``) is stored
as ``score_type='ml_suggestion'`` beside them and never counts; members are shown only their own
score, and the pre-score as the competition's review mode allows (blind-first: after their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.events import audit
from app.auth.models import COMMISSION_MEMBER, Account
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.errors import NOT_ON_COMMISSION, STAGE_NOT_IN_PLAN
from app.competitions.models import SCORE_MEMBER, SCORED_STAGES, Competition, MemberScore
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.essays.errors import (
    ESSAY_NOT_SUBMITTED,
    ESSAYS_IN_PROGRESS,
    SCORE_OUT_OF_RANGE,
    SCORING_QUORUM_NOT_REACHED,
    STAGE_CLOSED,
    STAGE_NOT_REACHED,
)
from app.essays.models import Essay, StageClosure
from app.essays.prescore_queue import enqueue_training
from app.interviews.errors import INTERVIEW_NOT_SCHEDULED, INTERVIEW_NOT_STARTED
from app.interviews.models import CANCELLED, Interview
from app.jobs.queue import JobQueue
from app.prescoring.review import ensure_discussed
from app.rules.calendar import working_day_deadline
from app.rules.competition import StageOutcome, run_competition
from app.rules.member_scores import scoring_quorum_reached

SHORTLIST_EXCLUSIONS = frozenset({"not_shortlisted_for_interview", "proctor_violation"})
"""Interview-stage eliminations that mean "not on the shortlist" (``no_result`` is shortlisted, not scored)."""


# --- who is in a stage ------------------------------------------------------------------------------


def stage_outcome(*, session: Session, competition: Competition, stage: str) -> StageOutcome | None:
    """The core's outcome of ``stage`` for the stored data (``None`` when the plan has no such stage)."""
    data = competitions.competition_input(session=session, competition=competition)
    outcome = run_competition(data, competitions.policy_of(competition))
    return next((item for item in outcome.stages if item.stage == stage), None)


def stage_entrants(*, session: Session, competition: Competition, stage: str) -> list[str]:
    """Anonymous codes of the candidates who reached ``stage``, in application order."""
    outcome = stage_outcome(session=session, competition=competition, stage=stage)
    return [] if outcome is None else list(outcome.entered)


def interview_shortlist(*, session: Session, competition: Competition) -> list[str]:
    """Anonymous codes on the interview shortlist (``shortlist_for_interview`` inside the core's run)."""
    outcome = stage_outcome(session=session, competition=competition, stage="interview")
    if outcome is None:
        return []
    return [code for code in outcome.entered if outcome.eliminated.get(code) not in SHORTLIST_EXCLUSIONS]


def application_by_code(*, session: Session, competition: Competition, anonymous_code: str) -> Application:
    application = session.scalars(
        select(Application).where(
            Application.competition_id == competition.id, Application.anonymous_code == anonymous_code
        )
    ).first()
    if application is None:
        raise DomainError(NOT_FOUND, f"no application {anonymous_code} in this competition")
    return application


def ensure_stage_in_plan(competition: Competition, stage: str) -> None:
    if stage not in SCORED_STAGES or stage not in competition.stage_plan:
        raise DomainError(STAGE_NOT_IN_PLAN, f"stage {stage!r} is not a scored stage of this competition")


# --- closing ----------------------------------------------------------------------------------------


def closure(*, session: Session, competition_id: int, stage: str) -> StageClosure | None:
    return session.scalars(
        select(StageClosure).where(StageClosure.competition_id == competition_id, StageClosure.stage == stage)
    ).first()


def ensure_stage_open(*, session: Session, competition_id: int, stage: str) -> None:
    """409 ``stage_closed`` once the HR service has closed ``stage``: its scores and work are final."""
    closed = closure(session=session, competition_id=competition_id, stage=stage)
    if closed is not None:
        raise DomainError(
            STAGE_CLOSED, f"the {stage} stage of this competition was closed at {closed.closed_at.isoformat()}"
        )


def stage_items(*, session: Session, competition: Competition, stage: str) -> list[Application]:
    """The applications whose scores ``stage`` waits for before it can close, in application order."""
    query = select(Application).where(Application.competition_id == competition.id)
    if stage == "essay":
        query = query.join(Essay, Essay.application_id == Application.id).where(Essay.locked.is_(True))
    elif stage == "interview":
        query = query.join(Interview, Interview.application_id == Application.id).where(Interview.status != CANCELLED)
    else:
        codes = stage_entrants(session=session, competition=competition, stage=stage)
        query = query.where(Application.anonymous_code.in_(codes))
    return list(session.scalars(query.order_by(Application.applied_at, Application.id)).all())


def scorers_per_application(
    *, session: Session, application_ids: Sequence[int], stage: str, voting_member_ids: frozenset[int]
) -> dict[int, int]:
    """How many voting members have given a counting score to each application at ``stage``."""
    counts = dict.fromkeys(application_ids, 0)
    if not application_ids:
        return counts
    rows = session.execute(
        select(MemberScore.application_id, MemberScore.scorer_account_id).where(
            MemberScore.application_id.in_(application_ids),
            MemberScore.stage == stage,
            MemberScore.score_type == SCORE_MEMBER,
        )
    ).all()
    for application_id, scorer in rows:
        if scorer in voting_member_ids:
            counts[application_id] += 1
    return counts


def close_stage(
    *,
    session: Session,
    competition: Competition,
    stage: str,
    actor: Account,
    now: datetime,
    queue: JobQueue | None = None,
) -> tuple[StageClosure, bool]:
    """Close ``stage`` when every item has the scoring quorum; ``(closure, newly_closed)``.

    Closing twice returns the first closure. An essay still being written (started, not
    submitted, before its deadline) keeps the essay stage open: 409 ``essays_in_progress``;
    so does a flagged essay without the chair's recorded discussion: 409
    ``essay_discussion_required``. With ``queue``, closing the essay stage queues the training
    of the pre-scoring models on the final scores.
    """
    competitions.ensure_results_not_published(competition)
    ensure_stage_in_plan(competition, stage)
    existing = closure(session=session, competition_id=competition.id, stage=stage)
    if existing is not None:
        return existing, False
    if stage == "essay":
        writing = session.scalars(
            select(Application.anonymous_code)
            .join(Essay, Essay.application_id == Application.id)
            .where(Application.competition_id == competition.id, Essay.locked.is_(False), Essay.deadline_at >= now)
        ).all()
        if writing:
            raise DomainError(
                ESSAYS_IN_PROGRESS, f"{len(writing)} essay(s) are still being written", anonymous_codes=list(writing)
            )
    voting = competition_access(session, competition).voting_member_account_ids
    items = stage_items(session=session, competition=competition, stage=stage)
    counts = scorers_per_application(
        session=session, application_ids=[a.id for a in items], stage=stage, voting_member_ids=voting
    )
    policy = competitions.policy_of(competition)
    short = [
        {"anonymous_code": a.anonymous_code, "scored": counts[a.id], "members": len(voting)}
        for a in items
        if not voting or not scoring_quorum_reached(counts[a.id], len(voting), policy)
    ]
    if short or not voting:
        share = policy.essay_min_scoring_share
        raise DomainError(
            SCORING_QUORUM_NOT_REACHED,
            f"every item needs scores from at least {share.numerator}/{share.denominator} of the "
            f"{len(voting)} voting member(s); {len(short)} item(s) do not have them",
            missing=short,
        )
    if stage == "essay":
        ensure_discussed(session, competition=competition)
    row = StageClosure(competition_id=competition.id, stage=stage, closed_at=utcnow(), closed_by=actor.id)
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        action="stage.closed",
        entity_type="competition",
        entity_id=competition.id,
        before={"stage": stage, "closed": False},
        after={"stage": stage, "closed": True, "items": len(items), "voting_members": len(voting)},
    )
    if stage == "essay" and queue is not None:
        enqueue_training(session=session, queue=queue, competition=competition)
    return row, True


# --- scoring ----------------------------------------------------------------------------------------


def ensure_on_commission(*, session: Session, competition: Competition, account: Account) -> frozenset[int]:
    """The voting member ids when ``account`` is one of them; 403 ``not_on_commission`` otherwise."""
    voting = competition_access(session, competition).voting_member_account_ids
    if account.role != COMMISSION_MEMBER or account.id not in voting:
        raise DomainError(
            NOT_ON_COMMISSION, "only a voting member (chair or member) of this competition's commission scores it"
        )
    return voting


def ensure_score_in_range(competition: Competition, score: int) -> None:
    policy = competitions.policy_of(competition)
    low, high = policy.member_score_min, policy.member_score_max
    if not low <= score <= high:
        raise DomainError(
            SCORE_OUT_OF_RANGE, f"a score is a whole number from {low} to {high}; got {score}", min=low, max=high
        )


def _ensure_scorable(
    *, session: Session, competition: Competition, application: Application, stage: str, now: datetime
) -> None:
    """What the item itself needs before a member scores it at ``stage``."""
    if stage == "essay":
        essay = session.scalars(select(Essay).where(Essay.application_id == application.id)).first()
        if essay is None or not essay.locked:
            raise DomainError(ESSAY_NOT_SUBMITTED, "the essay is not submitted; only a locked essay is scored")
    elif stage == "interview":
        interview = session.scalars(select(Interview).where(Interview.application_id == application.id)).first()
        if interview is None or interview.status == CANCELLED:
            raise DomainError(INTERVIEW_NOT_SCHEDULED, "this application has no interview to score")
        if now < interview.starts_at:
            raise DomainError(
                INTERVIEW_NOT_STARTED, f"the interview starts at {interview.starts_at.isoformat()}; score it after"
            )
    elif application.anonymous_code not in stage_entrants(session=session, competition=competition, stage=stage):
        raise DomainError(STAGE_NOT_REACHED, f"this candidate has not reached the {stage} stage")


def score_application(
    *,
    session: Session,
    competition: Competition,
    stage: str,
    anonymous_code: str,
    scorer: Account,
    score: int,
    comment: str | None,
    now: datetime,
) -> MemberScore:
    """A voting member scores one application at ``stage``; a second call replaces their own score."""
    ensure_on_commission(session=session, competition=competition, account=scorer)
    ensure_stage_in_plan(competition, stage)
    ensure_stage_open(session=session, competition_id=competition.id, stage=stage)
    ensure_score_in_range(competition, score)
    application = application_by_code(session=session, competition=competition, anonymous_code=anonymous_code)
    _ensure_scorable(session=session, competition=competition, application=application, stage=stage, now=now)
    return competitions.record_member_score(
        session=session, application=application, stage=stage, scorer=scorer, score=score, comment=comment, replace=True
    )


def own_scores(
    *, session: Session, scorer: Account, application_ids: Sequence[int], stage: str
) -> dict[int, MemberScore]:
    """The scorer's own member scores per application: the only scores a member sees (blind-first)."""
    if not application_ids:
        return {}
    rows = session.scalars(
        select(MemberScore).where(
            MemberScore.application_id.in_(application_ids),
            MemberScore.stage == stage,
            MemberScore.score_type == SCORE_MEMBER,
            MemberScore.scorer_account_id == scorer.id,
        )
    ).all()
    return {row.application_id: row for row in rows}


def score_out(row: MemberScore | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"score": row.score, "comment": row.comment, "scored_at": row.created_at}


def essay_scoring_due(competition: Competition, submitted_at: datetime) -> date:
    """The last day for the members' scores of an essay: ``essay_scoring_working_days`` working days after
    the day (in Kazakhstan) it was submitted."""
    day = submitted_at.astimezone(KAZAKHSTAN).date()
    return working_day_deadline(day, competitions.policy_of(competition).essay_scoring_working_days)
