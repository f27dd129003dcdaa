"""Sign-in behind an ``Authenticator`` interface, and the administrator's changes to accounts and state bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth import throttle
from app.auth.crypto import iin_lookup_hash
from app.auth.errors import (
    EMAIL_ALREADY_REGISTERED,
    IIN_ERRORS,
    INVALID_CREDENTIALS,
    SIGN_IN_LOCKED,
    SIGN_IN_THROTTLED,
    STATE_BODY_CODE_TAKEN,
    STATE_BODY_NOT_FOUND,
    STATE_BODY_REQUIRED,
)
from app.auth.models import CANDIDATE, HR_OFFICER, Account, StateBody
from app.auth.permissions import ensure_can
from app.auth.schemas import StaffAccountIn, StateBodyIn
from app.auth.security import hash_password, verify_password
from app.db import utcnow
from app.errors import VALIDATION_ERROR, DomainError
from app.logs import current_request_id
from app.rules.iin import InvalidIIN, parse_iin

CredentialsT_contra = TypeVar("CredentialsT_contra", contravariant=True)


class Authenticator(Protocol[CredentialsT_contra]):
    """One way of proving who one is; returns the active account or raises the 401 problem.

    ``PasswordAuthenticator`` is the one in service. An NCA EDS (ЭЦП of the National
    Certification Authority, НУЦ РК) authenticator would plug in beside it, not implemented here:

    1. ``POST /api/v1/auth/eds/challenge`` stores a random one-time challenge with a short expiry.
    2. The browser signs the challenge with the person's AUTH key through NCALayer and sends the
       detached CMS signature to ``POST /api/v1/auth/eds/token``.
    3. ``EdsAuthenticator.authenticate`` verifies the CMS signature over the challenge, the
       certificate chain up to the NCA root, its validity period, revocation (OCSP/CRL) and the
       key usage for client authentication, then marks the challenge used.
    4. The IIN comes from the certificate subject's SERIALNUMBER (``IIN123456789012``); the
       account is found through ``app.auth.crypto.iin_lookup_hash`` (a candidate's keyed IIN
       hash), never by a plaintext IIN. The same ``issue_access_token`` then signs the token.
    """

    method: str

    def authenticate(self, *, session: Session, credentials: CredentialsT_contra) -> Account: ...


@dataclass(frozen=True)
class PasswordCredentials:
    email: str
    password: str


_WRONG = "the e-mail or the password is wrong"
# Verifying against a throw-away hash when the e-mail is unknown keeps both failures equally slow.
_DUMMY_HASH = hash_password("irikteu-no-such-account")


class PasswordAuthenticator:
    """E-mail and password (argon2id hash); 401 ``invalid_credentials`` for any mismatch."""

    method = "password"

    def authenticate(self, *, session: Session, credentials: PasswordCredentials) -> Account:
        email = credentials.email.strip().lower()
        account = session.scalars(select(Account).where(Account.email == email)).first()
        if account is None:
            verify_password(_DUMMY_HASH, credentials.password)
            raise DomainError(INVALID_CREDENTIALS, _WRONG)
        if not verify_password(account.password_hash, credentials.password):
            raise DomainError(INVALID_CREDENTIALS, _WRONG)
        if not account.is_active:
            raise DomainError(INVALID_CREDENTIALS, "the account is switched off")
        return account


@dataclass(frozen=True)
class SignInOutcome:
    """The signed-in account, or the refusal to raise once the failure's records have committed."""

    account: Account | None
    error: DomainError | None


def _refusal_error(refused: throttle.Refusal) -> DomainError:
    if refused.locked:
        return DomainError(
            SIGN_IN_LOCKED,
            f"sign-in is locked after repeated failures; try again in {refused.retry_after} seconds",
            retry_after=refused.retry_after,
        )
    return DomainError(
        SIGN_IN_THROTTLED,
        f"too many failed sign-ins; try again in {refused.retry_after} seconds",
        retry_after=refused.retry_after,
    )


def sign_in(
    *,
    session: Session,
    credentials: PasswordCredentials,
    address: str,
    now: datetime,
    authenticator: Authenticator[PasswordCredentials] | None = None,
) -> SignInOutcome:
    """One sign-in attempt behind the throttles (``app.auth.throttle``), in the caller's transaction.

    Never raises for a failed attempt: it counts and audits it and returns the error, so the
    caller commits the count before answering (a rolled-back count would throttle nothing).
    """
    email = credentials.email.strip().lower()[:254]
    rows = [
        throttle.load(session, "account", email, now=now),
        throttle.load(session, "address", address[:254], now=now),
    ]
    known = session.scalars(select(Account.id).where(Account.email == email)).first()
    refusals = [refused for row in rows if (refused := throttle.refusal(row, now=now)) is not None]
    error: DomainError | None
    if refusals:
        worst = max(refusals, key=lambda refused: (refused.locked, refused.retry_after))
        error = _refusal_error(worst)
    else:
        try:
            account = (authenticator or PasswordAuthenticator()).authenticate(session=session, credentials=credentials)
        except DomainError as exc:
            error = exc
        else:
            throttle.clear(rows[0])
            return SignInOutcome(account, None)
    payload = {"email": email, "address": address, "reason": error.code, "request_id": current_request_id()}
    entity_id = str(known) if known is not None else "unknown"
    record(
        session,
        action="auth.sign_in_failed",
        entity_type="account",
        entity_id=entity_id,
        payload={**payload, "failures": {row.scope: row.failures + 1 for row in rows}},
    )
    failed_at = max(now, utcnow())  # after the password check: the delay runs from the answer
    for row in rows:
        if throttle.add_failure(row, now=failed_at):
            assert row.locked_until is not None
            record(
                session,
                action="auth.sign_in_locked",
                entity_type="account" if row.scope == "account" else "address",
                entity_id=entity_id if row.scope == "account" else row.key,
                payload={
                    **payload,
                    "scope": row.scope,
                    "failures": row.failures,
                    "locked_until": row.locked_until.isoformat(),
                },
            )
    return SignInOutcome(None, error)


def revoke_tokens(*, session: Session, account: Account, reason: str) -> None:
    """Every token issued to ``account`` so far stops working (sign-out, a password change)."""
    account.token_version = (account.token_version or 0) + 1
    session.flush()
    record(
        session,
        action=f"auth.{reason}",
        entity_type="account",
        entity_id=str(account.id),
        actor=str(account.id),
        actor_role=account.role,
        payload={"token_version": account.token_version, "request_id": current_request_id()},
    )


def change_password(
    *, session: Session, account: Account, current_password: str, new_password: str, now: datetime
) -> DomainError | None:
    """Replace the password (the rule is checked by the schema) and revoke every earlier token.

    A wrong current password counts as a failed sign-in of the account's e-mail (a stolen token must
    not become a way to guess the password) and is audited; like ``sign_in`` it returns the error
    for the caller to raise once the count has committed.
    """
    row = throttle.load(session, "account", account.email, now=now)
    refused = throttle.refusal(row, now=now)
    error = _refusal_error(refused) if refused is not None else None
    if error is None and verify_password(account.password_hash, current_password):
        throttle.clear(row)
        account.password_hash = hash_password(new_password)
        revoke_tokens(session=session, account=account, reason="password_changed")
        return None
    error = error or DomainError(INVALID_CREDENTIALS, "the current password is wrong")
    record(
        session,
        action="auth.password_change_failed",
        entity_type="account",
        entity_id=str(account.id),
        actor=str(account.id),
        actor_role=account.role,
        payload={"reason": error.code, "failures": row.failures + 1, "request_id": current_request_id()},
    )
    if throttle.add_failure(row, now=max(now, utcnow())):
        assert row.locked_until is not None
        record(
            session,
            action="auth.sign_in_locked",
            entity_type="account",
            entity_id=str(account.id),
            payload={
                "scope": "account",
                "failures": row.failures,
                "reason": error.code,
                "locked_until": row.locked_until.isoformat(),
                "request_id": current_request_id(),
            },
        )
    return error


def create_state_body(*, session: Session, data: StateBodyIn, actor: Account) -> StateBody:
    ensure_can(actor, "state_body.create")
    if session.scalars(select(StateBody.id).where(StateBody.code == data.code)).first() is not None:
        raise DomainError(STATE_BODY_CODE_TAKEN, f"a state body with the code {data.code} exists")
    body = StateBody(**data.model_dump())
    session.add(body)
    session.flush()
    record(
        session,
        action="state_body.created",
        entity_type="state_body",
        entity_id=str(body.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"after": data.model_dump(), "request_id": current_request_id()},
    )
    return body


def create_staff_account(*, session: Session, data: StaffAccountIn, actor: Account, secret_key: str) -> Account:
    """A staff account; 422 ``state_body_required`` for an HR officer without a body, 409 on a taken e-mail."""
    ensure_can(actor, "account.create")
    if data.role == HR_OFFICER and data.state_body_id is None:
        raise DomainError(STATE_BODY_REQUIRED, "an HR officer belongs to one state body: give state_body_id")
    if data.state_body_id is not None and session.get(StateBody, data.state_body_id) is None:
        raise DomainError(STATE_BODY_NOT_FOUND, f"no state body {data.state_body_id}")
    if session.scalars(select(Account.id).where(Account.email == data.email)).first() is not None:
        raise DomainError(EMAIL_ALREADY_REGISTERED, "an account with this e-mail exists")
    iin_hash = None
    if data.iin is not None:
        try:
            info = parse_iin(data.iin)
        except InvalidIIN as exc:
            raise DomainError(IIN_ERRORS.get(exc.code, VALIDATION_ERROR), str(exc), pointer="#/iin") from None
        iin_hash = iin_lookup_hash(info.iin, secret_key=secret_key)
    account = Account(
        email=data.email,
        password_hash=hash_password(data.password),
        role=data.role,
        state_body_id=data.state_body_id,
        display_name=data.display_name,
        locale=data.locale,
        is_active=True,
        iin_hash=iin_hash,
    )
    session.add(account)
    session.flush()
    record(
        session,
        action="account.created",
        entity_type="account",
        entity_id=str(account.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={
            "after": {
                "email": account.email,
                "role": account.role,
                "state_body_id": account.state_body_id,
                "display_name": account.display_name,
                "locale": account.locale,
            },
            "request_id": current_request_id(),
        },
    )
    return account


def staff_accounts(*, session: Session, actor: Account) -> list[Account]:
    """Every staff account (candidates register themselves and are not listed), by role and name."""
    ensure_can(actor, "account.create")
    return list(
        session.scalars(
            select(Account).where(Account.role != CANDIDATE).order_by(Account.role, Account.display_name, Account.id)
        ).all()
    )


def state_bodies(*, session: Session) -> list[StateBody]:
    """Every state body, by code."""
    return list(session.scalars(select(StateBody).order_by(StateBody.code)).all())
