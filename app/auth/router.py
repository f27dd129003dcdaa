"""Identity endpoints: the token, the signed-in account, and the administrator's account and state-body creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.deps import AdministratorAccount, CurrentAccount
from app.auth.schemas import AccountOut, StaffAccountIn, StateBodyIn, StateBodyOut, TokenOut
from app.auth.security import issue_access_token
from app.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

_password_authenticator = service.PasswordAuthenticator()


@router.post("/token", response_model=TokenOut)
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
          settings: SettingsDep) -> TokenOut:
    """OAuth2 password flow: ``username`` is the e-mail. 401 ``invalid_credentials`` on any mismatch."""
    with session.begin():
        account = _password_authenticator.authenticate(
            session=session, credentials=service.PasswordCredentials(email=form.username, password=form.password))
    return TokenOut(access_token=issue_access_token(account_id=account.id, role=account.role, settings=settings))


@router.get("/me", response_model=AccountOut)
def me(account: CurrentAccount) -> AccountOut:
    return AccountOut.model_validate(account)


@admin_router.post("/state-bodies", response_model=StateBodyOut, status_code=status.HTTP_201_CREATED)
def create_state_body(data: StateBodyIn, session: SessionDep, actor: AdministratorAccount) -> StateBodyOut:
    with session.begin():
        body = service.create_state_body(session=session, data=data, actor=actor)
    return StateBodyOut.model_validate(body)


@admin_router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create_account(data: StaffAccountIn, session: SessionDep, actor: AdministratorAccount,
                   settings: SettingsDep) -> AccountOut:
    with session.begin():
        account = service.create_staff_account(session=session, data=data, actor=actor,
                                               secret_key=settings.secret_key)
    return AccountOut.model_validate(account)
