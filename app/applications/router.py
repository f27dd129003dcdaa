"""Applications over HTTP: apply, the candidate's own list, the HR decision, recorded stage results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.applications import service
from app.applications.schemas import (
    AnonymousApplicationOut,
    ApplicationOut,
    RejectIn,
    StageResultsIn,
    StageResultsOut,
)
from app.auth.deps import CandidateAccount, CurrentAccount
from app.auth.permissions import can
from app.bounds import Id
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.deps import QueueDep, SessionDep, TodayDep
from app.selection import service as selection

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
competition_router = APIRouter(prefix="/api/v1/competitions", tags=["applications"])
"""Applying to a competition and its list of applications."""


@competition_router.post(
    "/{competition_id}/applications",
    status_code=201,
    responses={200: {"description": "a retry with the same Idempotency-Key: the first application"}},
)
def apply(
    competition_id: Id,
    account: CandidateAccount,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> ApplicationOut:
    """Apply to an open competition: the qualification check runs and the anonymous code is issued."""
    with session.begin():
        application, created = service.apply(
            session=session,
            queue=queue,
            competition_id=competition_id,
            actor=account,
            today=today,
            idempotency_key=idempotency_key,
        )
        if not created:
            response.status_code = 200
        return service.to_out(session, application, today=today, personal=False)


@competition_router.get("/{competition_id}/applications")
def list_competition_applications(
    competition_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> list[ApplicationOut] | list[AnonymousApplicationOut]:
    """HR of the body: the full applications with personal data. Commission, proctors, administrators:
    anonymous codes and stage data only (names of the ranked once results are published; never to proctors)."""
    with session.begin():
        competition = competitions.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.read"
        )
        applications = service.competition_applications(session=session, competition=competition)
        access = competition_access(session, competition)
        if can(account, "competition.read_personal", access):
            return [service.to_out(session, a, today=today, personal=True) for a in applications]
        names = (
            selection.ranked_names(session=session, competition=competition)
            if can(account, "competition.read_names", access)
            else {}
        )
        return [service.to_anonymous_out(session, a, competition, names) for a in applications]


@router.get("/mine")
def my_applications(account: CandidateAccount, session: SessionDep, today: TodayDep) -> list[ApplicationOut]:
    """The candidate's own applications, each with the qualification check explained per requirement."""
    with session.begin():
        return [
            service.to_out(session, a, today=today, personal=False)
            for a in service.own_applications(session=session, actor=account)
        ]


@router.get("/{application_id}")
def read_application(
    application_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> ApplicationOut:
    """The candidate's own application, or one of the HR officer's body (with personal data)."""
    with session.begin():
        application = service.readable_application(session=session, application_id=application_id, actor=account)
        return service.to_out(session, application, today=today, personal=account.role != "candidate")


@router.post("/{application_id}/confirm")
def confirm_application(
    application_id: Id, account: CurrentAccount, session: SessionDep, queue: QueueDep, today: TodayDep
) -> ApplicationOut:
    """The HR service confirms the qualification (within 1 working day of the application)."""
    with session.begin():
        application = service.confirm(session=session, queue=queue, application_id=application_id, actor=account)
        return service.to_out(session, application, today=today, personal=True)


@router.post("/{application_id}/reject")
def reject_application(
    application_id: Id, data: RejectIn, account: CurrentAccount, session: SessionDep, queue: QueueDep, today: TodayDep
) -> ApplicationOut:
    with session.begin():
        application = service.reject(
            session=session, queue=queue, application_id=application_id, actor=account, reason=data.reason
        )
        return service.to_out(session, application, today=today, personal=True)


@router.post("/{application_id}/stage-results")
def record_stage_results(
    application_id: Id, data: StageResultsIn, account: CurrentAccount, session: SessionDep
) -> StageResultsOut:
    """Record results by hand (HR of the body or an administrator) until test sessions record them."""
    with session.begin():
        row = service.record_stage_results(session=session, application_id=application_id, actor=account, data=data)
        out = service.stage_results_out(row)
        assert out is not None
        return out
