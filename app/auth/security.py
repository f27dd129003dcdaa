"""Password hashes (argon2id) and signed bearer tokens (JWT, HS256) for accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.db import utcnow
from app.errors import UNAUTHORIZED, DomainError
from app.settings import Settings

TOKEN_ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    account_id: int
    role: str
    expires_at: datetime
    token_version: int = 0


class InvalidToken(Exception):
    """The token is malformed, signed with another key, or expired (``expired`` tells which)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def issue_access_token(
    *, account_id: int, role: str, settings: Settings, now: datetime | None = None, token_version: int = 0
) -> str:
    """A bearer token for the account, valid ``settings.access_token_minutes`` from ``now``.

    ``token_version`` is the account's at issue; bumping the account's (sign-out, a password
    change) revokes every token issued before.
    """
    issued = now or utcnow()
    expires = issued + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(account_id),
        "role": role,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "ver": token_version,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=TOKEN_ALGORITHM)


def read_access_token(token: str, *, settings: Settings) -> TokenClaims:
    """The claims of a valid token; raises ``InvalidToken`` otherwise."""
    try:
        claims = jwt.decode(
            token, settings.secret_key, algorithms=[TOKEN_ALGORITHM], options={"require": ["sub", "role", "exp"]}
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired; sign in again", expired=True) from None
    except jwt.PyJWTError:
        raise InvalidToken("the token is not valid") from None
    sub, role, version = claims["sub"], claims["role"], claims.get("ver", 0)
    if (
        not isinstance(sub, str)
        or not sub.isascii()
        or not sub.isdigit()
        or len(sub) > 18
        or not isinstance(role, str)
        or not isinstance(version, int)
        or isinstance(version, bool)
    ):
        raise InvalidToken("the token is not valid")
    return TokenClaims(
        account_id=int(sub),
        role=role,
        expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=utcnow().tzinfo),
        token_version=version,
    )


def check_account_state(
    claims: TokenClaims, *, is_active: bool | None, role: str | None, token_version: int | None
) -> None:
    """``unauthorized`` unless the claimed account exists, is active, keeps the claimed role and has not
    revoked the token (sign-out, a password change: ``token_version`` moved on).

    The three are ``None`` when the account does not exist. Routes on a hot path read these
    columns in their own transaction and call this (see ``app.exams.service.save_answer``).
    """
    if is_active is None or not is_active:
        raise DomainError(UNAUTHORIZED, "the account does not exist or is switched off")
    if role != claims.role:
        raise DomainError(UNAUTHORIZED, "the account's role has changed; sign in again")
    if token_version != claims.token_version:
        raise DomainError(UNAUTHORIZED, "the token has been revoked (signed out or password changed); sign in again")
