"""Invitations and reserves of the talent pool for HR (the ranked search is ``app.matching.router``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth.deps import HROfficerAccount, require_roles
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.bounds import Id
from app.deps import QueueDep, SessionDep, SettingsDep, TodayDep
from app.talent import service
from app.talent.models import TalentInvitation
from app.talent.schemas import (
    InvitationIn,
    InvitationOut,
    ReserveIn,
    ReserveOut,
)

router = APIRouter(prefix="/api/v1/talent", tags=["talent"])

HRorAdmin = Annotated[Account, Depends(require_roles(HR_OFFICER, ADMINISTRATOR))]


def _invitation_out(invitation: TalentInvitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        candidate_id=invitation.candidate_id,
        vacancy_id=invitation.vacancy_id,
        invited_by=invitation.invited_by,
        message=invitation.message,
        score=invitation.score,
        notification_id=invitation.notification_id,
        created_at=invitation.created_at,
    )


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
def invite(
    data: InvitationIn,
    account: HROfficerAccount,
    session: SessionDep,
    queue: QueueDep,
    settings: SettingsDep,
    today: TodayDep,
) -> InvitationOut:
    """Invite a pool member to apply for a published vacancy of your body (recorded; they are notified)."""
    with session.begin():
        return _invitation_out(
            service.invite(session=session, queue=queue, data=data, actor=account, settings=settings, on=today)
        )


@router.get("/invitations")
def list_invitations(vacancy_id: Id, account: HROfficerAccount, session: SessionDep) -> list[InvitationOut]:
    with session.begin():
        return [
            _invitation_out(i)
            for i in service.invitations_for_vacancy(session=session, vacancy_id=vacancy_id, actor=account)
        ]


@router.get("/reserves")
def list_reserves(account: HRorAdmin, session: SessionDep, candidate_id: Id | None = None) -> list[ReserveOut]:
    """Reserve memberships (regional and presidential youth): an HR officer's body's records, all for administrators."""
    with session.begin():
        return service.list_reserve_memberships(session=session, actor=account, candidate_id=candidate_id)


@router.post("/reserves", status_code=status.HTTP_201_CREATED)
def add_reserve(data: ReserveIn, account: HRorAdmin, session: SessionDep) -> ReserveOut:
    with session.begin():
        membership = service.add_reserve_membership(session=session, data=data, actor=account)
        return service.reserve_out(membership)


@router.delete("/reserves/{membership_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_reserve(membership_id: Id, account: HRorAdmin, session: SessionDep) -> None:
    with session.begin():
        service.remove_reserve_membership(session=session, membership_id=membership_id, actor=account)
