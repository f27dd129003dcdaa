"""Typed dependencies for the signed-in account: ``CurrentAccount`` and the ``require_roles`` gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from app.auth.models import ADMINISTRATOR, CANDIDATE, HR_OFFICER, ROLES, Account
from app.auth.security import InvalidToken, TokenClaims, check_account_state, read_access_token
from app.deps import SessionDep, SettingsDep
from app.problems import ProblemError
from app.settings import Settings

TOKEN_URL = "/api/v1/auth/token"
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def read_bearer_claims(token: str | None, settings: Settings) -> TokenClaims:
    """The claims of the bearer token, checked without the database; the 401 ``unauthorized`` problem otherwise."""
    if not token:
        raise ProblemError(
            "sign in and send the token as 'Authorization: Bearer <token>'", status=401, code="unauthorized"
        )
    try:
        return read_access_token(token, settings=settings)
    except InvalidToken as exc:
        raise ProblemError(str(exc), status=401, code="unauthorized") from None


def get_current_account(
    token: Annotated[str | None, Depends(_bearer)], session: SessionDep, settings: SettingsDep
) -> Account:
    """The active account the bearer token names; the 401 ``unauthorized`` problem otherwise."""
    claims = read_bearer_claims(token, settings)
    account = session.get(Account, claims.account_id)
    # End the read at once: on SQLite every transaction holds the write lock, and routes open their own.
    session.commit()
    check_account_state(
        claims,
        is_active=None if account is None else account.is_active,
        role=None if account is None else account.role,
        token_version=None if account is None else account.token_version,
    )
    assert account is not None
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
            raise ProblemError(
                f"this needs the role {' or '.join(roles)}; you are {account.role}", status=403, code="forbidden"
            )
        return account

    return dependency


CandidateAccount = Annotated[Account, Depends(require_roles(CANDIDATE))]
HROfficerAccount = Annotated[Account, Depends(require_roles(HR_OFFICER))]
AdministratorAccount = Annotated[Account, Depends(require_roles(ADMINISTRATOR))]


_candidate_only = require_roles(CANDIDATE)


def _refuse_other_role(request: Request, token: str | None, settings: Settings) -> None:
    with request.app.state.sessions() as session:
        _candidate_only(get_current_account(token, session, settings))


async def get_candidate_claims(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> TokenClaims:
    """A candidate's token claims read without a database round trip, for routes on a hot path.

    The route MUST then check the account in its own transaction: read ``is_active`` and ``role``
    and call ``check_account_state`` (one query with the route's own read, one transaction less
    than ``CandidateAccount``). A token of another role takes ``CandidateAccount``'s full path, so
    its refusal (401 or 403) reads the same. Async on purpose: decoding an HS256 token is a few
    microseconds of CPU, cheaper on the event loop than a hop to the thread pool.
    """
    settings: Settings = request.app.state.settings
    claims = read_bearer_claims(token, settings)
    if claims.role == CANDIDATE:
        return claims
    await run_in_threadpool(_refuse_other_role, request, token, settings)
    raise ProblemError("the account's role has changed; sign in again", status=401, code="unauthorized")


CandidateClaims = Annotated[TokenClaims, Depends(get_candidate_claims)]
