"""Sign-in behind an ``Authenticator`` interface, and the administrator's changes to accounts and state bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.errors import (
    EMAIL_ALREADY_REGISTERED,
    INVALID_CREDENTIALS,
    STATE_BODY_CODE_TAKEN,
    STATE_BODY_NOT_FOUND,
    STATE_BODY_REQUIRED,
)
from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.permissions import ensure_can
from app.auth.schemas import StaffAccountIn, StateBodyIn
from app.auth.security import hash_password, verify_password
from app.errors import DomainError
from app.logs import current_request_id

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


def create_state_body(*, session: Session, data: StateBodyIn, actor: Account) -> StateBody:
    ensure_can(actor, "state_body.create")
    if session.scalars(select(StateBody.id).where(StateBody.code == data.code)).first() is not None:
        raise DomainError(STATE_BODY_CODE_TAKEN, f"a state body with the code {data.code} exists")
    body = StateBody(**data.model_dump())
    session.add(body)
    session.flush()
    record(session, action="state_body.created", entity_type="state_body", entity_id=str(body.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"after": data.model_dump(), "request_id": current_request_id()})
    return body


def create_staff_account(*, session: Session, data: StaffAccountIn, actor: Account) -> Account:
    """A staff account; 422 ``state_body_required`` for an HR officer without a body, 409 on a taken e-mail."""
    ensure_can(actor, "account.create")
    if data.role == HR_OFFICER and data.state_body_id is None:
        raise DomainError(STATE_BODY_REQUIRED, "an HR officer belongs to one state body: give state_body_id")
    if data.state_body_id is not None and session.get(StateBody, data.state_body_id) is None:
        raise DomainError(STATE_BODY_NOT_FOUND, f"no state body {data.state_body_id}")
    if session.scalars(select(Account.id).where(Account.email == data.email)).first() is not None:
        raise DomainError(EMAIL_ALREADY_REGISTERED, "an account with this e-mail exists")
    account = Account(email=data.email, password_hash=hash_password(data.password), role=data.role,
                      state_body_id=data.state_body_id, display_name=data.display_name, locale=data.locale,
                      is_active=True)
    session.add(account)
    session.flush()
    record(session, action="account.created", entity_type="account", entity_id=str(account.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"after": {"email": account.email, "role": account.role, "state_body_id": account.state_body_id,
                              "display_name": account.display_name, "locale": account.locale},
                    "request_id": current_request_id()})
    return account
