"""Server-side sessions of the pages and their CSRF tokens.

The session cookie holds a random token; the ``web_sessions`` row holds only its SHA-256, the
account and when it was last used. A session idle for longer than ``IDLE_TIMEOUT`` is deleted
when it is next presented; signing out deletes it at once. A visitor who is not signed in gets
a random ``irikteu_visitor`` cookie instead, so the sign-in and registration forms carry a
CSRF token too: every token is an HMAC of the session or visitor value under the service secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.models import Account
from app.web.models import WebSession

SESSION_COOKIE = "irikteu_session"
VISITOR_COOKIE = "irikteu_visitor"
IDLE_TIMEOUT = timedelta(minutes=30)
_TOUCH_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most once a minute: one write per page would serialise SQLite readers."""


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, account: Account, now: datetime) -> str:
    """A new session for ``account``; returns the cookie's token (never stored)."""
    token = new_token()
    session.add(WebSession(token_sha256=_sha256(token), account_id=account.id, created_at=now, last_seen_at=now))
    session.flush()
    return token


def resume(session: Session, token: str, now: datetime) -> Account | None:
    """The active account of a live session; an idle or unknown one gives ``None`` (an idle one is deleted)."""
    row = session.scalars(select(WebSession).where(WebSession.token_sha256 == _sha256(token))).first()
    if row is None:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT:
        session.delete(row)
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.is_active:
        session.delete(row)
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return account


def end(session: Session, token: str) -> None:
    """Delete the session server-side (sign-out): the cookie's token is worthless from now on."""
    session.execute(delete(WebSession).where(WebSession.token_sha256 == _sha256(token)))


def end_all(session: Session, account_id: int) -> None:
    """Delete every session of the account (after its password changes)."""
    session.execute(delete(WebSession).where(WebSession.account_id == account_id))


def csrf_token(secret_key: str, basis: str) -> str:
    """The form token bound to a session or visitor cookie value."""
    return hmac.new(
        secret_key.encode("utf-8"), b"irikteu.web.csrf.v1:" + basis.encode("utf-8"), hashlib.sha256
    ).hexdigest()
