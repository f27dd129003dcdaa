"""Candidate workflow: registration, the personal file, consents, and the views other roles may see."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.crypto import decrypt_iin, encrypt_iin, iin_lookup_hash
from app.auth.errors import EMAIL_ALREADY_REGISTERED, IIN_ERRORS
from app.auth.models import CANDIDATE, Account
from app.auth.security import hash_password
from app.candidates.errors import CONSENT_REQUIRED, IIN_ALREADY_REGISTERED
from app.candidates.experience import total_months
from app.candidates.models import (
    CONSENT_KINDS,
    REQUIRED_CONSENTS,
    Candidate,
    CandidateLanguage,
    Consent,
    EducationRecord,
    WorkRecord,
)
from app.candidates.schemas import (
    CandidateAnonymousOut,
    CandidatePersonalOut,
    ConsentsOut,
    ConsentsUpdate,
    EducationAnonymousOut,
    EducationOut,
    LanguageOut,
    PersonalFileIn,
    RegistrationIn,
    WorkOut,
)
from app.db import utcnow
from app.errors import NOT_FOUND, VALIDATION_ERROR, DomainError
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.notifications.service import notify
from app.rules.iin import InvalidIIN, parse_iin
from app.rules.policy import EDUCATION_LEVELS

# --- what other domains ask about a candidate -------------------------------------------------


def experience_months(candidate: Candidate, on: date) -> int:
    """Total work experience in completed months on ``on``; overlapping jobs count once."""
    return total_months(((job.start_date, job.end_date) for job in candidate.work), on=on)


def functional_area_months(candidate: Candidate, area: str, on: date) -> int:
    """Months of experience in one functional area on ``on`` (exact, case-sensitive match of the area)."""
    return total_months(
        ((job.start_date, job.end_date) for job in candidate.work if job.functional_area == area), on=on
    )


def highest_education_level(candidate: Candidate) -> str | None:
    """The highest level in ``EDUCATION_LEVELS`` among completed or ongoing records; ``None`` without any."""
    ranks = [EDUCATION_LEVELS.index(record.level) for record in candidate.education]
    return EDUCATION_LEVELS[max(ranks)] if ranks else None


def consents_of(candidate: Candidate) -> dict[str, bool]:
    granted = {consent.kind: consent.granted for consent in candidate.consents}
    return {kind: granted.get(kind, False) for kind in CONSENT_KINDS}


def candidate_personal_view(candidate: Candidate, *, secret_key: str) -> CandidatePersonalOut:
    """The whole file with the IIN decrypted: only for the candidate and the HR of a body they applied to."""
    return CandidatePersonalOut(
        id=candidate.id,
        account_id=candidate.account_id,
        email=candidate.account.email,
        iin=decrypt_iin(candidate.iin_encrypted, secret_key=secret_key),
        birth_date=candidate.birth_date,
        sex=candidate.sex,
        surname=candidate.surname,
        given_name=candidate.given_name,
        patronymic=candidate.patronymic,
        phone=candidate.phone,
        region=candidate.region,
        locale=candidate.account.locale,
        languages=[LanguageOut(language=item.language, level=item.level) for item in candidate.languages],
        education=[EducationOut.model_validate(e, from_attributes=True) for e in candidate.education],
        work=[
            WorkOut(
                id=w.id,
                employer=w.employer,
                position=w.position,
                start_date=w.start_date,
                end_date=w.end_date,
                functional_area=w.functional_area,
            )
            for w in candidate.work
        ],
        consents=ConsentsOut(**consents_of(candidate)),
    )


def anonymous_view(candidate: Candidate, *, on: date) -> CandidateAnonymousOut:
    """Qualifications without identity: for commission members, proctors and screening."""
    areas = sorted({job.functional_area for job in candidate.work})
    return CandidateAnonymousOut(
        highest_education_level=highest_education_level(candidate),
        education=[EducationAnonymousOut(level=e.level, field=e.field) for e in candidate.education],
        experience_months=experience_months(candidate, on),
        functional_area_months={area: functional_area_months(candidate, area, on) for area in areas},
        languages=[LanguageOut(language=item.language, level=item.level) for item in candidate.languages],
    )


def find_by_iin(session: Session, iin: str, *, secret_key: str) -> Candidate | None:
    """The candidate with this IIN, found by its keyed hash (no plaintext is stored or scanned)."""
    return session.scalars(
        select(Candidate).where(Candidate.iin_hash == iin_lookup_hash(iin, secret_key=secret_key))
    ).first()


def candidate_of_account(session: Session, account: Account) -> Candidate:
    """The signed-in candidate's own record; 404 ``not_found`` when the account has none."""
    candidate = session.scalars(select(Candidate).where(Candidate.account_id == account.id)).first()
    if candidate is None:
        raise DomainError(NOT_FOUND, "this account has no candidate file")
    return candidate


_EMAIL_TAKEN = "an account with this e-mail exists; sign in instead"
_IIN_TAKEN = "a candidate with this IIN is registered; sign in instead"

# --- changes -----------------------------------------------------------------------------------


def _file_summary(candidate: Candidate) -> dict[str, Any]:
    """What the audit trail keeps of a file: no IIN, no contacts, only counts and levels."""
    return {
        "education": [e.level for e in candidate.education],
        "work_records": len(candidate.work),
        "languages": {item.language: item.level for item in candidate.languages},
        "region": candidate.region,
    }


def _apply_file(candidate: Candidate, data: PersonalFileIn) -> None:
    candidate.surname, candidate.given_name, candidate.patronymic = data.surname, data.given_name, data.patronymic
    candidate.phone, candidate.region = data.phone, data.region
    candidate.languages = [CandidateLanguage(language=item.language, level=item.level) for item in data.languages]
    # EducationIn's fields are the record's columns, one for one (a new field goes in both, once)
    candidate.education = [EducationRecord(**e.model_dump()) for e in data.education]
    candidate.work = [
        WorkRecord(
            employer=w.employer,
            position=w.position,
            start_date=w.start_date,
            end_date=w.end_date,
            functional_area=w.functional_area,
        )
        for w in data.work
    ]
    candidate.updated_at = utcnow()


_TAKEN_CODES = frozenset({"email_already_registered", "iin_already_registered"})


def register(*, session: Session, queue: JobQueue, data: RegistrationIn, secret_key: str) -> Candidate | None:
    """A candidate account, the file and the consents, in the caller's transaction, with one audit event.

    The answer must not tell whether the e-mail or the IIN already has an account (issue 13): when
    one does, nothing is created, the owner of that account is told by e-mail (and in the app), the
    attempt is audited, and ``None`` comes back; the route answers both the same. The password is
    hashed either way so the two take about as long.

    Problems (about the request itself, never about other accounts): 422 with the IIN check's code
    (``iin_length``, ``iin_check_digit``, ...); 422 ``consent_required``.
    """
    try:
        return register_new(session=session, data=data, secret_key=secret_key)
    except DomainError as exc:
        if exc.code not in _TAKEN_CODES:
            raise
        _tell_owner_of_attempt(session=session, queue=queue, data=data, secret_key=secret_key, code=exc.code)
        return None


def register_new(*, session: Session, data: RegistrationIn, secret_key: str) -> Candidate:
    """``register`` for details nobody has yet: 409 ``email_already_registered`` / ``iin_already_registered``
    otherwise (the route never shows those; the test factories use this directly)."""
    candidate = create_candidate(
        session=session, data=data, secret_key=secret_key, password_hash=hash_password(data.password)
    )
    record(
        session,
        action="candidate.registered",
        entity_type="candidate",
        entity_id=str(candidate.id),
        actor=str(candidate.account_id),
        actor_role=CANDIDATE,
        payload={
            "account_id": candidate.account_id,
            "after": _file_summary(candidate),
            "consents": consents_of(candidate),
            "request_id": current_request_id(),
        },
    )
    return candidate


def _tell_owner_of_attempt(
    *, session: Session, queue: JobQueue, data: RegistrationIn, secret_key: str, code: str
) -> None:
    """A registration met an account that has its e-mail or IIN: tell that account's owner, audit it."""
    owner = session.scalars(select(Account).where(Account.email == data.email)).first()
    matched = "email"
    if owner is None:
        lookup = iin_lookup_hash(parse_iin(data.iin).iin, secret_key=secret_key)
        owner = session.scalars(
            select(Account).join(Candidate, Candidate.account_id == Account.id).where(Candidate.iin_hash == lookup)
        ).first()
        matched = "iin"
    if owner is None:  # the race's winner rolled back since: nothing to tell
        return
    attempt = uuid.uuid4().hex
    record(
        session,
        action="candidate.registration_refused",
        entity_type="account",
        entity_id=str(owner.id),
        actor="anonymous",
        actor_role="anonymous",
        payload={"matched": matched, "code": code, "attempt": attempt, "request_id": current_request_id()},
    )
    notify(
        session=session,
        queue=queue,
        account_id=owner.id,
        to_address=owner.email,
        event="registration_attempt",
        context={"matched": _MATCHED[matched]},
        locale=owner.locale,
        dedupe_key=f"registration_attempt:{owner.id}:{attempt}",
    )


_MATCHED = {
    "email": {"kk": "Сіздің электрондық пошта мекенжайыңызбен", "ru": "с Вашим адресом электронной почты"},
    "iin": {"kk": "Сіздің ЖСН-іңізбен", "ru": "с Вашим ИИН"},
}


def create_candidate(
    *, session: Session, data: RegistrationIn, secret_key: str, password_hash: str, is_demo: bool = False
) -> Candidate:
    """The rows of a registration without its audit event: ``register`` and the demo seeder use it."""
    try:
        info = parse_iin(data.iin)
    except InvalidIIN as exc:
        raise DomainError(IIN_ERRORS.get(exc.code, VALIDATION_ERROR), str(exc), pointer="#/iin") from None
    missing = [kind for kind in REQUIRED_CONSENTS if not getattr(data.consents, kind)]
    if missing:
        raise DomainError(CONSENT_REQUIRED, f"registration needs the consents {', '.join(missing)}", consents=missing)
    if session.scalars(select(Account.id).where(Account.email == data.email)).first() is not None:
        raise DomainError(EMAIL_ALREADY_REGISTERED, _EMAIL_TAKEN)
    lookup = iin_lookup_hash(info.iin, secret_key=secret_key)
    if session.scalars(select(Candidate.id).where(Candidate.iin_hash == lookup)).first() is not None:
        raise DomainError(IIN_ALREADY_REGISTERED, _IIN_TAKEN)
    display = " ".join(part for part in (data.given_name, data.surname) if part)
    account = Account(
        email=data.email,
        password_hash=password_hash,
        role=CANDIDATE,
        display_name=display,
        locale=data.locale,
        is_active=True,
        is_demo=is_demo,
    )
    now = utcnow()
    candidate = Candidate(
        iin_encrypted=encrypt_iin(info.iin, secret_key=secret_key),
        iin_hash=lookup,
        birth_date=info.birth_date,
        sex=info.sex,
        surname=data.surname,
        given_name=data.given_name,
        patronymic=data.patronymic,
        phone=data.phone,
        region=data.region,
        is_demo=is_demo,
        created_at=now,
        updated_at=now,
    )
    candidate.account = account
    _apply_file(candidate, data)
    candidate.consents = [
        Consent(kind=kind, granted=bool(getattr(data.consents, kind)), changed_at=now) for kind in CONSENT_KINDS
    ]
    session.add(candidate)
    try:
        # A savepoint, so that losing a race to a concurrent registration leaves the transaction usable.
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        message = str(exc.orig)
        if "iin_hash" in message:
            raise DomainError(IIN_ALREADY_REGISTERED, _IIN_TAKEN) from None
        if "email" in message:
            raise DomainError(EMAIL_ALREADY_REGISTERED, _EMAIL_TAKEN) from None
        raise
    return candidate


def update_file(*, session: Session, candidate: Candidate, data: PersonalFileIn, actor: Account) -> Candidate:
    """Replace the personal file (names, contacts, languages, education, work) with one audit event."""
    before = _file_summary(candidate)
    # Delete the old rows first: the unit of work would insert the new ones before deleting orphans,
    # and a language kept across the change would break its unique key.
    candidate.languages, candidate.education, candidate.work = [], [], []
    session.flush()
    _apply_file(candidate, data)
    candidate.account.locale = data.locale
    session.flush()
    record(
        session,
        action="candidate.file_updated",
        entity_type="candidate",
        entity_id=str(candidate.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"before": before, "after": _file_summary(candidate), "request_id": current_request_id()},
    )
    return candidate


def update_consents(*, session: Session, candidate: Candidate, data: ConsentsUpdate, actor: Account) -> Candidate:
    """Grant or withdraw the optional consents; withdrawing a required one is the 422 ``consent_required``."""
    changes = data.model_dump(exclude_none=True)
    refused = [kind for kind in REQUIRED_CONSENTS if changes.get(kind) is False]
    if refused:
        raise DomainError(
            CONSENT_REQUIRED,
            f"the consents {', '.join(refused)} are required to take part and cannot be withdrawn",
            consents=refused,
        )
    before = consents_of(candidate)
    by_kind = {consent.kind: consent for consent in candidate.consents}
    now = utcnow()
    for kind, granted in changes.items():
        consent = by_kind.get(kind)
        if consent is None:
            candidate.consents.append(Consent(kind=kind, granted=granted, changed_at=now))
        elif consent.granted != granted:
            consent.granted, consent.changed_at = granted, now
    session.flush()
    after = consents_of(candidate)
    if after != before:
        record(
            session,
            action="candidate.consents_changed",
            entity_type="candidate",
            entity_id=str(candidate.id),
            actor=str(actor.id),
            actor_role=actor.role,
            payload={"before": before, "after": after, "request_id": current_request_id()},
        )
    return candidate
