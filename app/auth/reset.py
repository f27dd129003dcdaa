"""Password reset by an e-mail link: a signed, short-lived token bound to the account's current password hash.

The token names the account and when it was issued; its HMAC covers the account's password hash
too, so it stops working the moment the password changes (it is good for one reset) and no table
is needed. Asking for a reset says the same whether the e-mail is known or not; the letter goes
through the notifications' outbox in the account's language.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.errors import RESET_LINK_EXPIRED, RESET_LINK_INVALID
from app.auth.models import Account
from app.auth.security import hash_password
from app.errors import DomainError
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.notifications.service import notify
from app.settings import Settings

LIFETIME = timedelta(hours=1)
_PURPOSE = b"irikteu.auth.password_reset.v1"


class NewPasswordIn(BaseModel):
    """The new password: the same length rule as at registration."""

    password: str = Field(min_length=10, max_length=200)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(payload: str, password_hash: str, secret_key: str) -> str:
    key = hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()
    return _b64(hmac.new(key, f"{payload}.{password_hash}".encode(), hashlib.sha256).digest())


def make_token(account: Account, *, secret_key: str, issued_at: datetime) -> str:
    payload = _b64(json.dumps({"a": account.id, "t": int(issued_at.timestamp())}, separators=(",", ":")).encode())
    return f"{payload}.{_signature(payload, account.password_hash, secret_key)}"


def account_of_token(session: Session, token: str, *, secret_key: str, now: datetime) -> Account:
    """The active account a genuine, unexpired token of its current password names; a domain error otherwise."""
    payload, dot, signature = token.partition(".")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        account_id, issued = int(claims["a"]), int(claims["t"])
    except (ValueError, KeyError, TypeError):
        raise DomainError(RESET_LINK_INVALID, "not a password reset token") from None
    account = session.get(Account, account_id)
    if (
        not dot
        or account is None
        or not account.is_active
        or not hmac.compare_digest(signature, _signature(payload, account.password_hash, secret_key))
    ):
        raise DomainError(RESET_LINK_INVALID, "the token does not match an account's current password")
    if now.timestamp() - issued > LIFETIME.total_seconds():
        raise DomainError(RESET_LINK_EXPIRED, f"the link expired after {LIFETIME}")
    return account


def request_reset(*, session: Session, queue: JobQueue, email: str, settings: Settings, now: datetime) -> None:
    """E-mail a reset link to the active account with ``email``; an unknown e-mail gets nothing, silently."""
    account = session.scalars(select(Account).where(Account.email == email.strip().lower())).first()
    if account is None or not account.is_active:
        return
    link = (
        f"{settings.public_base_url.rstrip('/')}/password-reset/new?token="
        f"{make_token(account, secret_key=settings.secret_key, issued_at=now)}"
    )
    notify(
        session=session,
        queue=queue,
        account_id=account.id,
        to_address=account.email,
        event="password_reset",
        context={"reset_url": link},
        locale=account.locale,
        dedupe_key=f"password_reset:{account.id}:{int(now.timestamp())}",
    )
    record(
        session,
        action="account.password_reset_requested",
        entity_type="account",
        entity_id=str(account.id),
        actor=str(account.id),
        actor_role=account.role,
        payload={"request_id": current_request_id()},
    )


def reset_password(*, session: Session, token: str, data: NewPasswordIn, settings: Settings, now: datetime) -> Account:
    """Set the new password; the link (and any other link issued before) stops working."""
    account = account_of_token(session, token, secret_key=settings.secret_key, now=now)
    account.password_hash = hash_password(data.password)
    session.flush()
    record(
        session,
        action="account.password_reset",
        entity_type="account",
        entity_id=str(account.id),
        actor=str(account.id),
        actor_role=account.role,
        payload={"request_id": current_request_id()},
    )
    return account
