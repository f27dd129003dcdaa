"""Who may read a background job: whoever may read the object it works on (``job.read`` in the permission table).

A job carries no owner of its own; its payload names its object. The facts come from that
object: an essay's or a competition's pre-score or training (HR of the body, administrators —
not the commission, whose members score essays blind first), a campaign's sending (HR of its
body), a test session's automatic submission (the candidate who sits it), a recording's
transcription (HR of the body and the commission). Any other job (e-mail sending, digests,
retention) is the administrators' only. Nobody reads a job without signing in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import AlertCampaign
from app.applications.models import Application
from app.competitions.access import competition_access
from app.competitions.models import Competition
from app.essays.models import Essay
from app.exams.models import TestBooking, TestSession
from app.interviews.models import Interview
from app.jobs.models import Job
from app.transcripts.models import Recording


@dataclass(frozen=True)
class JobAccess:
    """The facts ``job.read`` reads: the object's state body, its commission (when it may read it), its owner."""

    state_body_id: int | None = None
    member_account_ids: frozenset[int] = frozenset()
    account_id: int | None = None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _competition_body(session: Session, competition_id: int | None) -> JobAccess | None:
    competition = None if competition_id is None else session.get(Competition, competition_id)
    return None if competition is None else JobAccess(state_body_id=competition.state_body_id)


def job_access(session: Session, job: Job) -> Iterator[JobAccess]:
    """The facts of each object ``job`` works on (none: only administrators may read it)."""
    payload = job.payload if isinstance(job.payload, dict) else {}
    essay_id = _int(payload.get("essay_id"))
    if essay_id is not None:
        essay = session.get(Essay, essay_id)
        application = None if essay is None else session.get(Application, essay.application_id)
        facts = None if application is None else _competition_body(session, application.competition_id)
        if facts is not None:
            yield facts
    facts = _competition_body(session, _int(payload.get("competition_id")))
    if facts is not None:
        yield facts
    campaign_id = _int(payload.get("campaign_id"))
    campaign = None if campaign_id is None else session.get(AlertCampaign, campaign_id)
    if campaign is not None:
        yield JobAccess(state_body_id=campaign.state_body_id)
    session_id = _int(payload.get("session_id"))
    test_session = None if session_id is None else session.get(TestSession, session_id)
    booking = None if test_session is None else session.get(TestBooking, test_session.booking_id)
    if booking is not None:
        yield JobAccess(account_id=booking.account_id)
    # distinct ids, not rows: PostgreSQL compares no JSON columns (the competition's policy, outcome)
    competition_ids = session.scalars(
        select(Interview.competition_id)
        .join(Recording, Recording.interview_id == Interview.id)
        .where(Recording.job_id == job.id)
        .distinct()
    ).all()
    for competition_id in competition_ids:
        competition = session.get(Competition, competition_id)
        if competition is None:
            continue
        facts_of = competition_access(session, competition)
        yield JobAccess(state_body_id=facts_of.state_body_id, member_account_ids=facts_of.member_account_ids)
