"""Interview slots: the HR service schedules the shortlisted, the candidate is told, the commission scores.

The shortlist is the core's (``shortlist_for_interview`` inside the competition's run), final
once the essay or practical stage is closed. A slot lasts the policy's ``interview_minutes``,
starts in the future on a working day in Kazakhstan, and overlaps no other slot of the same
commission: the same competition, or another competition where one of its voting members sits.
Scores and closing are those of every scored stage (``app.essays.stages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.audit.events import audit
from app.auth.models import Account
from app.candidates.models import Candidate
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.models import VOTING_ROLES, CommissionMember, Competition
from app.errors import CONFLICT, NOT_FOUND, DomainError
from app.essays import stages
from app.interviews.errors import (
    INTERVIEW_ALREADY_HELD,
    NOT_A_WORKING_DAY,
    NOT_SHORTLISTED,
    PREVIOUS_STAGE_OPEN,
    SLOT_IN_PAST,
    SLOT_TAKEN,
)
from app.interviews.models import CANCELLED, HELD, SCHEDULED, Interview
from app.jobs.queue import JobQueue
from app.notifications.service import notify
from app.rules.calendar import is_working_day
from app.vacancies.models import Vacancy

STAGE = "interview"


def _state(interview: Interview) -> dict[str, object]:
    return {
        "starts_at": interview.starts_at.isoformat(),
        "ends_at": interview.ends_at.isoformat(),
        "status": interview.status,
    }


def get_interview(*, session: Session, interview_id: int) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise DomainError(NOT_FOUND, f"no interview {interview_id}")
    return interview


def interview_of(*, session: Session, application_id: int) -> Interview | None:
    return session.scalars(select(Interview).where(Interview.application_id == application_id)).first()


def _ensure_assessment_closed(session: Session, competition: Competition) -> None:
    """The shortlist depends on the essay or practical scores, so they must be final first."""
    assessment = next((stage for stage in ("essay", "practical") if stage in competition.stage_plan), None)
    if (
        assessment is not None
        and stages.closure(session=session, competition_id=competition.id, stage=assessment) is None
    ):
        raise DomainError(
            PREVIOUS_STAGE_OPEN, f"close the {assessment} stage first: the interview shortlist depends on its scores"
        )


def _ensure_valid_slot(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise DomainError(SLOT_IN_PAST, f"an interview is scheduled in the future; {starts_at.isoformat()} has passed")
    local_day = starts_at.astimezone(KAZAKHSTAN).date()
    if not is_working_day(local_day):
        raise DomainError(
            NOT_A_WORKING_DAY, f"{local_day.isoformat()} is not a working day in Kazakhstan", day=local_day.isoformat()
        )


def _commission_competitions(session: Session, competition: Competition) -> set[int]:
    """This competition and every competition where one of its voting members also votes."""
    voting = competition_access(session, competition).voting_member_account_ids
    shared = (
        set(
            session.scalars(
                select(CommissionMember.competition_id).where(
                    CommissionMember.account_id.in_(voting), CommissionMember.role.in_(VOTING_ROLES)
                )
            ).all()
        )
        if voting
        else set()
    )
    return shared | {competition.id}


def _ensure_slot_free(
    session: Session, competition: Competition, application_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    clash = session.scalars(
        select(Interview)
        .where(
            Interview.competition_id.in_(_commission_competitions(session, competition)),
            Interview.application_id != application_id,
            Interview.status != CANCELLED,
            Interview.starts_at < ends_at,
            Interview.ends_at > starts_at,
        )
        .order_by(Interview.starts_at)
    ).first()
    if clash is not None:
        raise DomainError(
            SLOT_TAKEN,
            f"the commission has an interview from {clash.starts_at.isoformat()} to {clash.ends_at.isoformat()}",
            taken_from=clash.starts_at.isoformat(),
            taken_until=clash.ends_at.isoformat(),
        )


def schedule(
    *,
    session: Session,
    queue: JobQueue,
    competition: Competition,
    anonymous_code: str,
    starts_at: datetime,
    actor: Account,
    now: datetime,
) -> tuple[Interview, bool]:
    """Give a shortlisted application its slot (or move it); ``(interview, changed)``.

    The same time again changes nothing. The candidate is told of every new time.
    """
    competitions.ensure_results_not_published(competition)
    stages.ensure_stage_in_plan(competition, STAGE)
    stages.ensure_stage_open(session=session, competition_id=competition.id, stage=STAGE)
    _ensure_assessment_closed(session, competition)
    application = stages.application_by_code(session=session, competition=competition, anonymous_code=anonymous_code)
    if application.status != CONFIRMED or anonymous_code not in stages.interview_shortlist(
        session=session, competition=competition
    ):
        raise DomainError(NOT_SHORTLISTED, f"{anonymous_code} is not on the interview shortlist")
    starts_at = starts_at.astimezone(UTC)
    existing = interview_of(session=session, application_id=application.id)
    if existing is not None and existing.status == SCHEDULED and existing.starts_at == starts_at:
        return existing, False
    if existing is not None and existing.status == HELD:
        raise DomainError(INTERVIEW_ALREADY_HELD, "this interview has been held; it cannot move")
    _ensure_valid_slot(starts_at, now)
    minutes = competitions.policy_of(competition).interview_minutes
    ends_at = starts_at + timedelta(minutes=minutes)
    _ensure_slot_free(session, competition, application.id, starts_at, ends_at)
    before = None if existing is None else _state(existing)
    if existing is None:
        interview = Interview(
            application_id=application.id,
            competition_id=competition.id,
            starts_at=starts_at,
            ends_at=ends_at,
            duration_minutes=minutes,
            status=SCHEDULED,
            scheduled_by=actor.id,
            scheduled_at=now,
        )
        try:
            with session.begin_nested():
                session.add(interview)
        except IntegrityError:
            raise DomainError(
                CONFLICT, "this application was given a slot at the same moment; read it and retry"
            ) from None
    else:
        interview = existing
        interview.starts_at, interview.ends_at, interview.duration_minutes = starts_at, ends_at, minutes
        interview.status, interview.scheduled_by, interview.scheduled_at = SCHEDULED, actor.id, now
        session.flush()
    audit(
        session,
        actor=actor,
        action="interview.scheduled",
        entity_type="interview",
        entity_id=interview.id,
        before=before,
        after={"anonymous_code": anonymous_code, **_state(interview)},
    )
    _notify_candidate(
        session=session, queue=queue, competition=competition, application=application, interview=interview
    )
    return interview, True


def _notify_candidate(
    *, session: Session, queue: JobQueue, competition: Competition, application: Application, interview: Interview
) -> None:
    candidate = session.get(Candidate, application.candidate_id)
    vacancy = session.get(Vacancy, competition.vacancy_id)
    assert candidate is not None and vacancy is not None
    account = candidate.account
    notify(
        session=session,
        queue=queue,
        account_id=account.id,
        to_address=account.email,
        event="interview_scheduled",
        locale=account.locale,
        context={
            "anonymous_code": application.anonymous_code,
            "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
            "starts_at": interview.starts_at.isoformat(),
        },
        dedupe_key=f"interview:{interview.id}:scheduled:{interview.starts_at.isoformat()}",
    )


def set_status(
    *, session: Session, competition: Competition, interview: Interview, status: str, actor: Account
) -> Interview:
    """Mark an interview ``held`` or ``cancelled`` (the same status again changes nothing)."""
    competitions.ensure_results_not_published(competition)
    stages.ensure_stage_open(session=session, competition_id=competition.id, stage=STAGE)
    if interview.status == status:
        return interview
    if interview.status != SCHEDULED:
        raise DomainError(CONFLICT, f"the interview is {interview.status}; only a scheduled one becomes {status}")
    before = _state(interview)
    interview.status = status
    session.flush()
    audit(
        session,
        actor=actor,
        action=f"interview.{status}",
        entity_type="interview",
        entity_id=interview.id,
        before=before,
        after=_state(interview),
    )
    return interview


def interviews_of(*, session: Session, competition: Competition) -> Sequence[tuple[Interview, Application]]:
    rows = session.execute(
        select(Interview, Application)
        .join(Application, Application.id == Interview.application_id)
        .where(Interview.competition_id == competition.id)
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    return [(interview, application) for interview, application in rows]
