"""Typed dependencies for the signed-in account: ``CurrentAccount`` and the ``require_roles`` gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.auth.models import ADMINISTRATOR, CANDIDATE, HR_OFFICER, ROLES, Account
from app.auth.security import InvalidToken, read_access_token
from app.deps import SessionDep, SettingsDep
from app.problems import ProblemError

TOKEN_URL = "/api/v1/auth/token"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_current_account(token: Annotated[str | None, Depends(_bearer)], session: SessionDep,
                        settings: SettingsDep) -> Account:
    """The active account the bearer token names; the 401 ``unauthorized`` problem otherwise."""
    if not token:
        raise ProblemError("sign in and send the token as 'Authorization: Bearer <token>'",
                           status=401, code="unauthorized")
    try:
        claims = read_access_token(token, settings=settings)
    except InvalidToken as exc:
        raise ProblemError(str(exc), status=401, code="unauthorized") from None
    account = session.get(Account, claims.account_id)
    # End the read at once: on SQLite every transaction holds the write lock, and routes open their own.
    session.commit()
    if account is None or not account.is_active:
        raise ProblemError("the account does not exist or is switched off", status=401, code="unauthorized")
    if account.role != claims.role:
        raise ProblemError("the account's role has changed; sign in again", status=401, code="unauthorized")
    return account


CurrentAccount = Annotated[Account, Depends(get_current_account)]


def require_roles(*roles: str) -> Callable[[Account], Account]:
    """A dependency that passes the signed-in account through when its role is one of ``roles``.

    Use as ``account: Annotated[Account, Depends(require_roles("hr_officer"))]`` or in a
    route's ``dependencies=[...]``. No token or a bad one: 401 ``unauthorized``; another role:
    403 ``forbidden``.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {ROLES}")
    allowed = frozenset(roles)

    def dependency(account: CurrentAccount) -> Account:
        if account.role not in allowed:
            raise ProblemError(f"this needs the role {' or '.join(roles)}; you are {account.role}",
                               status=403, code="forbidden")
        return account

    return dependency


CandidateAccount = Annotated[Account, Depends(require_roles(CANDIDATE))]
HROfficerAccount = Annotated[Account, Depends(require_roles(HR_OFFICER))]
AdministratorAccount = Annotated[Account, Depends(require_roles(ADMINISTRATOR))]
