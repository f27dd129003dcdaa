"""Scoring an item of a commission-scored stage (essay, practical assessment, interview) and closing the stage.

Above the domains whose items are scored (``app.essays``, ``app.interviews``) and the essay pre-scores' review
(``app.prescoring``), none of which imports it back: closing the essay stage waits for the chair's recorded
discussion of every flagged pre-score, and queues the training of the pre-scoring models on the final scores.
Who is in a stage, whether it is open and a member's own scores are ``app.essays.stages``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.events import audit
from app.auth.models import Account
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.models import Competition, MemberScore
from app.db import utcnow
from app.errors import DomainError
from app.essays.errors import (
    ESSAY_NOT_SUBMITTED,
    ESSAYS_IN_PROGRESS,
    SCORING_QUORUM_NOT_REACHED,
    STAGE_NOT_REACHED,
)
from app.essays.models import Essay, StageClosure
from app.essays.prescore_queue import enqueue_training
from app.essays.stages import (
    application_by_code,
    closure,
    ensure_on_commission,
    ensure_score_in_range,
    ensure_stage_in_plan,
    ensure_stage_open,
    scorers_per_application,
    stage_entrants,
)
from app.interviews.errors import INTERVIEW_NOT_SCHEDULED, INTERVIEW_NOT_STARTED
from app.interviews.models import CANCELLED, Interview
from app.jobs.queue import JobQueue
from app.prescoring.review import ensure_discussed
from app.rules.member_scores import scoring_quorum_reached
from app.selection import service as selection


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
    return selection.record_member_score(
        session=session, application=application, stage=stage, scorer=scorer, score=score, comment=comment, replace=True
    )
