"""Candidate endpoints: self-registration and the candidate's own personal file and consents.

The file is updated with one PUT of the whole file (lists replaced), so a change is atomic
and audited as one event. Nobody but the candidate reads it here; HR officers of a body the
candidate applied to read it through the application.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.deps import CandidateAccount
from app.auth.permissions import ensure_can
from app.candidates import service
from app.candidates.schemas import (
    CandidatePersonalOut,
    ConsentsOut,
    ConsentsUpdate,
    PersonalFileIn,
    RegistrationAcceptedOut,
    RegistrationIn,
)
from app.deps import QueueDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/candidates", tags=["candidates"])


@router.post("/register", response_model=RegistrationAcceptedOut, status_code=status.HTTP_202_ACCEPTED)
def register(
    data: RegistrationIn, session: SessionDep, settings: SettingsDep, queue: QueueDep
) -> RegistrationAcceptedOut:
    """A candidate account with the file and consents, in one transaction; then sign in at /api/v1/auth/token.

    The answer is the same whether or not the e-mail or the IIN already has an account: then
    nothing is created and that account's owner is told by e-mail. Read the file at /api/v1/candidates/me.
    """
    with session.begin():
        service.register(session=session, queue=queue, data=data, secret_key=settings.secret_key)
    return RegistrationAcceptedOut()


@router.get("/me", response_model=CandidatePersonalOut)
def read_own_file(account: CandidateAccount, session: SessionDep, settings: SettingsDep) -> CandidatePersonalOut:
    with session.begin():
        candidate = service.candidate_of_account(session, account)
        ensure_can(account, "candidate.read_personal", candidate)
        return service.candidate_personal_view(candidate, secret_key=settings.secret_key)


@router.put("/me", response_model=CandidatePersonalOut)
def replace_own_file(
    data: PersonalFileIn, account: CandidateAccount, session: SessionDep, settings: SettingsDep
) -> CandidatePersonalOut:
    with session.begin():
        candidate = service.candidate_of_account(session, account)
        ensure_can(account, "candidate.update", candidate)
        service.update_file(session=session, candidate=candidate, data=data, actor=account)
    return service.candidate_personal_view(candidate, secret_key=settings.secret_key)


@router.put("/me/consents", response_model=ConsentsOut)
def change_own_consents(data: ConsentsUpdate, account: CandidateAccount, session: SessionDep) -> ConsentsOut:
    with session.begin():
        candidate = service.candidate_of_account(session, account)
        ensure_can(account, "candidate.consents.update", candidate)
        service.update_consents(session=session, candidate=candidate, data=data, actor=account)
        return ConsentsOut(**service.consents_of(candidate))
