"""Identity endpoints: the token, the signed-in account, and the administrator's account and state-body creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.deps import AdministratorAccount, CurrentAccount
from app.auth.schemas import AccountOut, PasswordChangeIn, StaffAccountIn, StateBodyIn, StateBodyOut, TokenOut
from app.auth.security import issue_access_token
from app.db import utcnow
from app.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

_password_authenticator = service.PasswordAuthenticator()


@router.post("/token", response_model=TokenOut)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    """OAuth2 password flow: ``username`` is the e-mail. 401 ``invalid_credentials`` on any mismatch.

    Repeated failures for one e-mail (or from one address) are answered 429 ``sign_in_throttled``
    with ``Retry-After`` (a delay that doubles), then 429 ``sign_in_locked`` for 15 minutes, even
    with the right password; every failure and lock is audited (``app.auth.throttle``).
    """
    address = request.client.host if request.client else "unknown"
    with session.begin():
        outcome = service.sign_in(
            session=session,
            address=address,
            now=utcnow(),
            authenticator=_password_authenticator,
            credentials=service.PasswordCredentials(email=form.username, password=form.password),
        )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.account is not None
    account = outcome.account
    return TokenOut(
        access_token=issue_access_token(
            account_id=account.id, role=account.role, settings=settings, token_version=account.token_version
        )
    )


@router.get("/me", response_model=AccountOut)
def me(account: CurrentAccount) -> AccountOut:
    return AccountOut.model_validate(account)


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def sign_out(account: CurrentAccount, session: SessionDep) -> Response:
    """Revoke every token of the signed-in account (this one included): sign in again to go on."""
    with session.begin():
        service.revoke_tokens(session=session, account=session.merge(account), reason="signed_out")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/password", response_model=TokenOut)
def change_password(
    data: PasswordChangeIn, account: CurrentAccount, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    """A new password; every earlier token is revoked and a fresh token comes back.

    401 ``invalid_credentials`` when the current password is wrong (counted and locked like failed
    sign-ins: 429); 422 when the new one breaks the password rule (10 characters, 4 different, not a
    common password).
    """
    with session.begin():
        current = session.merge(account)
        error = service.change_password(
            session=session,
            account=current,
            current_password=data.current_password,
            new_password=data.new_password,
            now=utcnow(),
        )
    if error is not None:
        raise error
    return TokenOut(
        access_token=issue_access_token(
            account_id=current.id, role=current.role, settings=settings, token_version=current.token_version
        )
    )


@admin_router.post("/state-bodies", response_model=StateBodyOut, status_code=status.HTTP_201_CREATED)
def create_state_body(data: StateBodyIn, session: SessionDep, actor: AdministratorAccount) -> StateBodyOut:
    with session.begin():
        body = service.create_state_body(session=session, data=data, actor=actor)
    return StateBodyOut.model_validate(body)


@admin_router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create_account(
    data: StaffAccountIn, session: SessionDep, actor: AdministratorAccount, settings: SettingsDep
) -> AccountOut:
    with session.begin():
        account = service.create_staff_account(session=session, data=data, actor=actor, secret_key=settings.secret_key)
    return AccountOut.model_validate(account)
