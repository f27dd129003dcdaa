"""Helpers for tests: accounts of every role and the bearer headers to act as them (never used by the service)."""

from __future__ import annotations

import itertools
import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.security import hash_password, issue_access_token
from app.settings import Settings

TEST_PASSWORD = "test-password-1"
_sequence = itertools.count(1)


@lru_cache(maxsize=1)
def _test_password_hash() -> str:
    # Hashing once keeps tests fast: argon2 is slow on purpose.
    return hash_password(TEST_PASSWORD)


def make_state_body(
    session: Session,
    *,
    code: str | None = None,
    name_kk: str | None = None,
    name_ru: str | None = None,
    region: str = "Astana",
) -> StateBody:
    """A state body (flushed, so it has an id); unique code unless given."""
    code = code or f"TEST-{uuid.uuid4().hex[:8].upper()}"
    body = StateBody(
        code=code, name_kk=name_kk or f"Сынақ органы {code}", name_ru=name_ru or f"Тестовый орган {code}", region=region
    )
    session.add(body)
    session.flush()
    return body


def make_account(
    session: Session,
    *,
    role: str,
    state_body_id: int | None = None,
    email: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
    locale: str = "kk",
    is_active: bool = True,
) -> Account:
    """An account of ``role`` (flushed); an HR officer without a state body gets a fresh one.

    The password is ``TEST_PASSWORD`` unless given.
    """
    if role == HR_OFFICER and state_body_id is None:
        state_body_id = make_state_body(session).id
    number = next(_sequence)
    account = Account(
        email=(email or f"{role}-{number}-{uuid.uuid4().hex[:6]}@test.irikteu.kz").lower(),
        password_hash=hash_password(password) if password else _test_password_hash(),
        role=role,
        state_body_id=state_body_id,
        display_name=display_name or f"{role} {number}",
        locale=locale,
        is_active=is_active,
    )
    session.add(account)
    session.flush()
    return account


def auth_headers(app_or_settings: Any, account: Account) -> dict[str, str]:
    """``{"Authorization": "Bearer <token>"}`` for ``account``; pass the FastAPI app or its Settings."""
    settings: Settings = app_or_settings if isinstance(app_or_settings, Settings) else app_or_settings.state.settings
    token = issue_access_token(account_id=account.id, role=account.role, settings=settings)
    return {"Authorization": f"Bearer {token}"}
