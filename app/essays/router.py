"""Essays, practical tasks and the scored stages over HTTP.

``router``: the candidate writes the essay; the commission reads essays by anonymous code; the
HR service sets practical tasks. ``stages_router``: a member's score at a scored stage and the
HR service's closing of the stage (essay, practical, interview alike).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.deps import CandidateAccount, CurrentAccount
from app.auth.models import Account
from app.bounds import Id
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.deps import NowDep, QueueDep, SessionDep
from app.errors import NOT_FOUND, DomainError
from app.essays import practical, queries, service, stages
from app.essays.models import Essay, PracticalTask
from app.essays.schemas import (
    EssayDraftIn,
    EssayOut,
    EssayStartIn,
    EssaySubmitIn,
    MemberScoreOut,
    PracticalEntrantOut,
    PracticalOut,
    PracticalTaskIn,
    PracticalTaskOut,
    ScoredStage,
    ScoreIn,
    ScoreOut,
    StageClosureOut,
)
from app.prescoring.reviewed import reviewed_essays
from app.prescoring.schemas import ReviewedEssayOut, ReviewedEssaysOut
from app.scoring import stages as scoring

router = APIRouter(prefix="/api/v1/applications", tags=["essays"])
competition_router = APIRouter(prefix="/api/v1/competitions", tags=["essays"])
"""The commission's side: a competition's essays and practical tasks."""
stages_router = APIRouter(prefix="/api/v1/competitions", tags=["scored stages"])


def _topic(competition: Competition) -> dict[str, str] | None:
    if competition.essay_topic_kk is None or competition.essay_topic_ru is None:
        return None
    return {"kk": competition.essay_topic_kk, "ru": competition.essay_topic_ru}


def _essay_out(session: Session, essay: Essay, now: datetime) -> EssayOut:
    application = session.get(Application, essay.application_id)
    assert application is not None
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    limit = competitions.policy_of(competition).essay_word_limit
    left = 0 if essay.locked else max(0, int((essay.deadline_at - now).total_seconds()))
    return EssayOut(
        id=essay.id,
        application_id=essay.application_id,
        anonymous_code=application.anonymous_code,
        language=essay.language,
        topic=_topic(competition),
        text=essay.text,
        started_at=essay.started_at,
        deadline_at=essay.deadline_at,
        seconds_left=left,
        saved_at=essay.saved_at,
        submitted_at=essay.submitted_at,
        word_count=essay.word_count,
        word_limit=limit,
        over_word_limit=essay.word_count > limit,
        locked=essay.locked,
        content_hash=essay.content_hash,
    )


def _score_out(row: Any) -> MemberScoreOut | None:
    found = stages.score_out(row)
    return None if found is None else MemberScoreOut(**found)


# --- the candidate's essay ------------------------------------------------------------------------


@router.get("/{application_id}/essay")
def read_my_essay(application_id: Id, account: CandidateAccount, session: SessionDep, now: NowDep) -> EssayOut:
    """The candidate's own essay with the time left."""
    with session.begin():
        application, _competition = service.own_application(
            session=session, application_id=application_id, actor=account
        )
        essay = queries.essay_of(session=session, application_id=application.id)
        if essay is None:
            raise DomainError(NOT_FOUND, "the essay is not started")
        return _essay_out(session, essay, now)


@router.post(
    "/{application_id}/essay/start",
    status_code=201,
    responses={200: {"description": "already started: the same essay and deadline"}},
)
def start_essay(
    application_id: Id,
    data: EssayStartIn,
    account: CandidateAccount,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> EssayOut:
    """Start the 45-minute clock (the policy's ``essay_minutes``); starting again changes nothing."""
    with session.begin():
        essay, created = service.start(
            session=session, application_id=application_id, actor=account, language=data.language, now=now
        )
        if not created:
            response.status_code = 200
        return _essay_out(session, essay, now)


@router.put("/{application_id}/essay")
def save_essay_draft(
    application_id: Id, data: EssayDraftIn, account: CandidateAccount, session: SessionDep, now: NowDep
) -> EssayOut:
    """Autosave the draft (409 ``essay_time_over`` after the deadline, ``essay_locked`` after submission)."""
    with session.begin():
        essay = service.save_draft(
            session=session,
            application_id=application_id,
            actor=account,
            text=data.text,
            language=data.language,
            now=now,
        )
        return _essay_out(session, essay, now)


@router.post("/{application_id}/essay/submit")
def submit_essay(
    application_id: Id,
    data: EssaySubmitIn,
    account: CandidateAccount,
    session: SessionDep,
    now: NowDep,
    queue: QueueDep,
) -> EssayOut:
    """Submit and lock the essay (its pre-score is queued); a retry returns the same locked essay."""
    with session.begin():
        essay = service.submit(
            session=session,
            application_id=application_id,
            actor=account,
            text=data.text,
            language=data.language,
            now=now,
            queue=queue,
        )
        return _essay_out(session, essay, now)


# --- the commission's view ------------------------------------------------------------------------


def _readable(session: Session, competition_id: Id, account: Account) -> Competition:
    return competitions.managed_competition(
        session=session, competition_id=competition_id, actor=account, action="competition.progress"
    )


@competition_router.get("/{competition_id}/essays")
def list_essays(competition_id: Id, account: CurrentAccount, session: SessionDep) -> ReviewedEssaysOut:
    """The submitted essays by anonymous code (commission, HR of the body); a member sees only their own score.

    Each essay carries its pre-score (``suggestion``): a voting member sees it after giving their
    own score (``blind_first``) or at once (``assist``); the HR service once the stage is closed.
    """
    with session.begin():
        competition = _readable(session, competition_id, account)
        rows = list(queries.submitted_essays(session=session, competition=competition))
        closed, essays = reviewed_essays(session, competition, account, rows)
        return ReviewedEssaysOut(
            competition_id=competition.id,
            stage_closed=closed,
            prescoring_mode=competition.prescoring_mode,
            topic=_topic(competition),
            essays=essays,
        )


@competition_router.get("/{competition_id}/essays/{anonymous_code}")
def read_essay(
    competition_id: Id, anonymous_code: str, account: CurrentAccount, session: SessionDep
) -> ReviewedEssayOut:
    """One submitted essay by anonymous code, as in the list (commission, HR of the body)."""
    with session.begin():
        competition = _readable(session, competition_id, account)
        application = stages.application_by_code(
            session=session, competition=competition, anonymous_code=anonymous_code
        )
        essay = queries.essay_of(session=session, application_id=application.id)
        if essay is None or not essay.locked:
            raise DomainError(NOT_FOUND, f"no submitted essay {anonymous_code} in this competition")
        _closed, essays = reviewed_essays(session, competition, account, [(essay, application)])
        return essays[0]


# --- practical assessment -------------------------------------------------------------------------


def _task_out(task: PracticalTask) -> PracticalTaskOut:
    return PracticalTaskOut(
        id=task.id,
        competition_id=task.competition_id,
        title_kk=task.title_kk,
        title_ru=task.title_ru,
        instructions_kk=task.instructions_kk,
        instructions_ru=task.instructions_ru,
        level_note=task.level_note,
        updated_at=task.updated_at,
    )


@competition_router.post("/{competition_id}/practical-tasks", status_code=201)
def create_practical_task(
    competition_id: Id, data: PracticalTaskIn, account: CurrentAccount, session: SessionDep
) -> PracticalTaskOut:
    """A task of the practical assessment in Kazakh and Russian (HR of the body)."""
    with session.begin():
        competition = competitions.managed_competition(session=session, competition_id=competition_id, actor=account)
        return _task_out(
            practical.create_task(session=session, competition=competition, data=data.model_dump(), actor=account)
        )


@competition_router.put("/{competition_id}/practical-tasks/{task_id}")
def replace_practical_task(
    competition_id: Id, task_id: Id, data: PracticalTaskIn, account: CurrentAccount, session: SessionDep
) -> PracticalTaskOut:
    """Replace a task while the practical stage is open (HR of the body)."""
    with session.begin():
        competition = competitions.managed_competition(session=session, competition_id=competition_id, actor=account)
        task = practical.get_task(session=session, task_id=task_id)
        if task.competition_id != competition.id:
            raise DomainError(NOT_FOUND, f"no practical task {task_id} in this competition")
        return _task_out(
            practical.update_task(
                session=session, competition=competition, task=task, changes=data.model_dump(), actor=account
            )
        )


@competition_router.get("/{competition_id}/practical")
def read_practical(competition_id: Id, account: CurrentAccount, session: SessionDep) -> PracticalOut:
    """Tasks and the candidates who reached the stage, by anonymous code (commission, HR of the body)."""
    with session.begin():
        competition = _readable(session, competition_id, account)
        tasks = practical.tasks_of(session=session, competition=competition)
        items = scoring.stage_items(session=session, competition=competition, stage=practical.STAGE)
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for a in items], stage=practical.STAGE
        )
        closed = stages.closure(session=session, competition_id=competition.id, stage=practical.STAGE)
        return PracticalOut(
            competition_id=competition.id,
            stage_closed=closed is not None,
            tasks=[_task_out(task) for task in tasks],
            entrants=[
                PracticalEntrantOut(anonymous_code=a.anonymous_code, my_score=_score_out(mine.get(a.id))) for a in items
            ],
        )


# --- scores and closing (every scored stage) ------------------------------------------------------


@stages_router.put("/{competition_id}/stages/{stage}/scores/{anonymous_code}")
def score(
    competition_id: Id,
    stage: ScoredStage,
    anonymous_code: str,
    data: ScoreIn,
    account: CurrentAccount,
    session: SessionDep,
    now: NowDep,
) -> ScoreOut:
    """A voting member's score 1..5 with an optional note; sending it again replaces the member's own score."""
    with session.begin():
        competition = competitions.get_competition(session=session, competition_id=competition_id)
        row = scoring.score_application(
            session=session,
            competition=competition,
            stage=stage,
            anonymous_code=anonymous_code,
            scorer=account,
            score=data.score,
            comment=data.comment,
            now=now,
        )
        return ScoreOut(
            competition_id=competition.id,
            stage=stage,
            anonymous_code=anonymous_code,
            score=row.score,
            comment=row.comment,
            scored_at=row.created_at,
        )


@stages_router.post(
    "/{competition_id}/stages/{stage}/close",
    responses={409: {"description": "scoring_quorum_not_reached, essays_in_progress, essay_discussion_required"}},
)
def close_stage(
    competition_id: Id, stage: ScoredStage, account: CurrentAccount, session: SessionDep, now: NowDep, queue: QueueDep
) -> StageClosureOut:
    """Close the stage once every item has scores from two thirds of the voting members (HR of the body).

    The essay stage also waits for the recorded discussion of every flagged essay
    (409 ``essay_discussion_required``); closing it queues the training of the pre-scoring models.
    """
    with session.begin():
        competition = competitions.managed_competition(session=session, competition_id=competition_id, actor=account)
        row, _created = scoring.close_stage(
            session=session, competition=competition, stage=stage, actor=account, now=now, queue=queue
        )
        return StageClosureOut(
            competition_id=row.competition_id, stage=row.stage, closed_at=row.closed_at, closed_by=row.closed_by
        )
