"""Interviews over HTTP: the HR service schedules slots, the commission sees them by code, the candidate theirs."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.applications.models import Application
from app.auth.deps import CandidateAccount, CurrentAccount
from app.bounds import Id
from app.competitions import service as competitions
from app.deps import NowDep, QueueDep, SessionDep
from app.errors import NOT_FOUND, DomainError
from app.essays import service as essays
from app.essays import stages
from app.essays.schemas import MemberScoreOut
from app.interviews import service
from app.interviews.models import Interview
from app.interviews.schemas import InterviewIn, InterviewOut, InterviewsOut, InterviewStatusIn, MyInterviewOut

router = APIRouter(prefix="/api/v1/interviews", tags=["interviews"])
competition_router = APIRouter(prefix="/api/v1/competitions", tags=["interviews"])
application_router = APIRouter(prefix="/api/v1/applications", tags=["interviews"])


def _out(interview: Interview, application: Application, my_score: MemberScoreOut | None = None) -> InterviewOut:
    return InterviewOut(
        id=interview.id,
        competition_id=interview.competition_id,
        anonymous_code=application.anonymous_code,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        duration_minutes=interview.duration_minutes,
        status=interview.status,
        recording_ref=interview.recording_ref,
        transcript_ref=interview.transcript_ref,
        my_score=my_score,
    )


@competition_router.post(
    "/{competition_id}/interviews",
    status_code=201,
    responses={200: {"description": "the same slot again: nothing changed"}},
)
def schedule_interview(
    competition_id: Id,
    data: InterviewIn,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    now: NowDep,
    response: Response,
) -> InterviewOut:
    """Schedule (or move) a shortlisted candidate's slot of ``interview_minutes`` (HR of the body)."""
    with session.begin():
        competition = competitions.managed_competition(session=session, competition_id=competition_id, actor=account)
        interview, changed = service.schedule(
            session=session,
            queue=queue,
            competition=competition,
            anonymous_code=data.anonymous_code,
            starts_at=data.starts_at,
            actor=account,
            now=now,
        )
        if not changed:
            response.status_code = 200
        application = session.get(Application, interview.application_id)
        assert application is not None
        return _out(interview, application)


@competition_router.get("/{competition_id}/interviews")
def list_interviews(competition_id: Id, account: CurrentAccount, session: SessionDep) -> InterviewsOut:
    """The shortlist and the slots by anonymous code (commission, HR of the body); a member sees their own score."""
    with session.begin():
        competition = competitions.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.progress"
        )
        rows = service.interviews_of(session=session, competition=competition)
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for _i, a in rows], stage=service.STAGE
        )
        closed = stages.closure(session=session, competition_id=competition.id, stage=service.STAGE)
        interviews = []
        for interview, application in rows:
            found = stages.score_out(mine.get(application.id))
            interviews.append(_out(interview, application, None if found is None else MemberScoreOut(**found)))
        return InterviewsOut(
            competition_id=competition.id,
            stage_closed=closed is not None,
            shortlist=stages.interview_shortlist(session=session, competition=competition),
            interviews=interviews,
        )


@router.post("/{interview_id}/status")
def set_interview_status(
    interview_id: Id, data: InterviewStatusIn, account: CurrentAccount, session: SessionDep
) -> InterviewOut:
    """Mark the interview held or cancelled (HR of the body); a cancelled one is neither scored nor waited for."""
    with session.begin():
        interview = service.get_interview(session=session, interview_id=interview_id)
        competition = competitions.managed_competition(
            session=session, competition_id=interview.competition_id, actor=account
        )
        service.set_status(
            session=session, competition=competition, interview=interview, status=data.status, actor=account
        )
        application = session.get(Application, interview.application_id)
        assert application is not None
        return _out(interview, application)


@application_router.get("/{application_id}/interview")
def read_my_interview(application_id: Id, account: CandidateAccount, session: SessionDep) -> MyInterviewOut:
    """The candidate's own interview slot."""
    with session.begin():
        application, _competition = essays.own_application(
            session=session, application_id=application_id, actor=account
        )
        interview = service.interview_of(session=session, application_id=application.id)
        if interview is None:
            raise DomainError(NOT_FOUND, "no interview is scheduled for this application")
        return MyInterviewOut(
            anonymous_code=application.anonymous_code,
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
            duration_minutes=interview.duration_minutes,
            status=interview.status,
        )
