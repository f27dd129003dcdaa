"""The commission-scored stages (essay, practical assessment, interview): who is in them, whether they are
open, the members' own scores. Scoring an item and closing a stage, which also read interviews and the essay
pre-scores' review, are ``app.scoring.stages``, above this module and those domains.

One place for what the three stages share, so each rule is written once:

- who entered a stage and the interview shortlist come from the competition's own run of the
  core (``run_competition`` on the stored data, the same run ``progress`` shows);
- a member's score: a voting member of the commission (403 ``not_on_commission``), on the
  policy's scale (422 ``score_out_of_range``), while the stage is open (409 ``stage_closed``),
  stored by ``app.selection.service.record_member_score``; a member may replace their own
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
from app.auth.models import COMMISSION_MEMBER, Account
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.errors import NOT_ON_COMMISSION, STAGE_NOT_IN_PLAN
from app.competitions.models import SCORE_MEMBER, SCORED_STAGES, Competition, MemberScore
from app.errors import NOT_FOUND, DomainError
from app.essays.errors import (
    SCORE_OUT_OF_RANGE,
    STAGE_CLOSED,
)
from app.essays.models import StageClosure
from app.rules.calendar import working_day_deadline
from app.rules.competition import StageOutcome, run_competition
from app.selection import service as selection

SHORTLIST_EXCLUSIONS = frozenset({"not_shortlisted_for_interview", "proctor_violation"})
"""Interview-stage eliminations that mean "not on the shortlist" (``no_result`` is shortlisted, not scored)."""


# --- who is in a stage ------------------------------------------------------------------------------


def stage_outcome(*, session: Session, competition: Competition, stage: str) -> StageOutcome | None:
    """The core's outcome of ``stage`` for the stored data (``None`` when the plan has no such stage)."""
    data = selection.competition_input(session=session, competition=competition)
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
