"""Drawing up a competition's protocol, adding the commission members' signatures, verifying both."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import SYSTEM_ACTOR, record
from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER, Account
from app.auth.permissions import all_of, allow, member_of, role_in, same_state_body
from app.competitions.access import CompetitionAccess, competition_access
from app.competitions.models import Competition
from app.db import utcnow
from app.errors import CONFLICT, FORBIDDEN, NOT_FOUND, DomainError
from app.logs import current_request_id
from app.protocol.document import ProtocolData, content_hash, render_html, render_pdf
from app.protocol.errors import ALREADY_SIGNED, SIGNATURE_INVALID
from app.protocol.models import Protocol, ProtocolSignature
from app.protocol.signing import SIGNATURE_REASONS, verify_detached
from app.protocol.texts import DOCUMENT_LOCALES
from app.protocol.trust import ensure_certificate_of_signer, revocation_lists, trusted_roots
from app.settings import Settings

# Object rules (app.auth.permissions); obj is the competition's CompetitionAccess.
allow("protocol.read", role_in(ADMINISTRATOR))
allow("protocol.read", all_of(role_in(HR_OFFICER), same_state_body()))
allow("protocol.read", all_of(role_in(COMMISSION_MEMBER), member_of()))
allow("protocol.draw_up", role_in(ADMINISTRATOR))
allow("protocol.draw_up", all_of(role_in(HR_OFFICER), same_state_body()))
# Every seat signs, the secretary's too.
allow("protocol.sign", all_of(role_in(COMMISSION_MEMBER), member_of()))


def _actor(account: Account | None) -> tuple[str, str]:
    if account is None:
        return SYSTEM_ACTOR, SYSTEM_ACTOR
    return f"account:{account.id}", account.role


def get_protocol(*, session: Session, protocol_id: int) -> Protocol:
    protocol = session.get(Protocol, protocol_id)
    if protocol is None:
        raise DomainError(NOT_FOUND, f"there is no protocol {protocol_id}")
    return protocol


def access_of(*, session: Session, protocol: Protocol) -> CompetitionAccess:
    """The competition facts the permission rules read (state body, commission seats)."""
    competition = session.get(Competition, protocol.competition_id)
    if competition is None:  # the foreign key makes this impossible; a clear error all the same
        raise DomainError(NOT_FOUND, f"the competition of protocol {protocol.id} is gone")
    return competition_access(session, competition)


def _is_commission_member(session: Session, competition_id: int, account_id: int) -> bool:
    competition = session.get(Competition, competition_id)
    return competition is not None and account_id in competition_access(session, competition).member_account_ids


def draw_up(*, session: Session, data: ProtocolData, actor: Account | None) -> Protocol:
    """Store a new version of the competition's protocol: the bilingual PDF, the kk/ru HTML and the hash.

    The version is one more than the competition's last; ``data.version`` is replaced by it, so
    the document names the version it is. Audited as ``protocol.drawn_up``.
    """
    last = session.scalar(select(func.max(Protocol.version)).where(Protocol.competition_id == data.competition_id))
    data = dataclasses.replace(data, version=(last or 0) + 1)
    pdf = render_pdf(data)
    protocol = Protocol(
        competition_id=data.competition_id,
        version=data.version,
        locales=list(DOCUMENT_LOCALES),
        drawn_up_on=data.drawn_up_on,
        pdf=pdf,
        html_kk=render_html(data, "kk"),
        html_ru=render_html(data, "ru"),
        content_hash=content_hash(pdf),
        created_by=None if actor is None else actor.id,
        created_at=utcnow(),
    )
    session.add(protocol)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError(
            CONFLICT,
            f"protocol version {data.version} of competition {data.competition_id} was drawn up "
            "at the same moment; retry",
        ) from None
    actor_name, actor_role = _actor(actor)
    record(
        session,
        action="protocol.drawn_up",
        entity_type="protocol",
        entity_id=str(protocol.id),
        actor=actor_name,
        actor_role=actor_role,
        payload={
            "competition_id": data.competition_id,
            "version": data.version,
            "content_hash": protocol.content_hash,
            "locales": protocol.locales,
            "request_id": current_request_id(),
        },
    )
    return protocol


def add_signature(
    *,
    session: Session,
    protocol_id: int,
    account: Account,
    signature_der: bytes,
    trusted_roots: Sequence[x509.Certificate] | None = None,
    revocation_lists: Sequence[x509.CertificateRevocationList] = (),
) -> ProtocolSignature:
    """Verify ``signature_der`` against the stored PDF bytes and, only if it holds, store it.

    403 ``forbidden`` unless the account sits on the competition's commission; 409
    ``already_signed`` for a second signature by the same member; 422 ``signature_invalid``
    (with ``reason``, a key of ``SIGNATURE_REASONS``) for a signature that does not verify, e.g.
    ``message_digest_mismatch`` for one over other bytes. Nothing is stored on any of them.
    """
    protocol = get_protocol(session=session, protocol_id=protocol_id)
    if account.role != COMMISSION_MEMBER or not _is_commission_member(session, protocol.competition_id, account.id):
        raise DomainError(FORBIDDEN, "only a member of this competition's commission signs its protocol")
    if _signature_of(session, protocol.id, account.id) is not None:
        raise DomainError(ALREADY_SIGNED, f"you have already signed protocol {protocol.id}")
    checked = verify_detached(
        signature_der, protocol.pdf, trusted_roots, at=utcnow(), revocation_lists=revocation_lists
    )
    if not checked.valid or checked.certificate is None:
        reason = checked.reason or "malformed"
        raise DomainError(
            SIGNATURE_INVALID, f"the signature does not verify: {SIGNATURE_REASONS[reason]}", reason=reason
        )
    signature = ProtocolSignature(
        protocol_id=protocol.id,
        signer_account_id=account.id,
        signature_der=signature_der,
        certificate_pem=checked.certificate_pem or "",
        signer_subject=checked.signer_subject or "",
        certificate_serial=checked.serial_number or "",
        signing_time=checked.signing_time,
        signed_at=utcnow(),
    )
    session.add(signature)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError(ALREADY_SIGNED, f"you have already signed protocol {protocol.id}") from None
    record(
        session,
        action="protocol.signed",
        entity_type="protocol",
        entity_id=str(protocol.id),
        actor=f"account:{account.id}",
        actor_role=account.role,
        payload={
            "signature_id": signature.id,
            "content_hash": protocol.content_hash,
            "signer_subject": signature.signer_subject,
            "certificate_serial": signature.certificate_serial,
            "request_id": current_request_id(),
        },
    )
    return signature


def sign(
    *, session: Session, protocol_id: int, account: Account, signature_der: bytes, settings: Settings
) -> ProtocolSignature:
    """Add ``account``'s signature under the deployment's trust settings (the API's and the pages' one way).

    ``add_signature`` verifies it against the configured roots and CRLs; then the certificate must be the
    signer's own (``app.protocol.trust``). Any refusal raises before the caller's transaction commits.
    """
    roots = trusted_roots(settings)
    signature = add_signature(
        session=session,
        protocol_id=protocol_id,
        account=account,
        signature_der=signature_der,
        trusted_roots=roots,
        revocation_lists=revocation_lists(settings),
    )
    ensure_certificate_of_signer(
        session=session,
        account=account,
        secret_key=settings.secret_key,
        certificate=x509.load_pem_x509_certificate(signature.certificate_pem.encode()),
        identity_required=roots is not None,
    )
    return signature


def _signature_of(session: Session, protocol_id: int, account_id: int) -> ProtocolSignature | None:
    return session.scalars(
        select(ProtocolSignature).where(
            ProtocolSignature.protocol_id == protocol_id, ProtocolSignature.signer_account_id == account_id
        )
    ).first()


def signatures_of(*, session: Session, protocol_id: int) -> list[ProtocolSignature]:
    return list(
        session.scalars(
            select(ProtocolSignature).where(ProtocolSignature.protocol_id == protocol_id).order_by(ProtocolSignature.id)
        )
    )


@dataclass(frozen=True, kw_only=True)
class SignatureCheck:
    """One stored signature verified again against the stored PDF."""

    signature_id: int
    signer_account_id: int
    signer_subject: str
    certificate_serial: str
    signing_time: datetime | None
    signed_at: datetime
    valid: bool
    reason: str | None
    revocation: str  # "checked": a current CRL of the issuer was consulted; "not_checked" otherwise


@dataclass(frozen=True, kw_only=True)
class ProtocolVerification:
    """The verification report: the hash, every signature, and who of the commission has not signed."""

    protocol_id: int
    content_hash: str
    computed_hash: str
    hash_valid: bool
    signatures: tuple[SignatureCheck, ...]
    unsigned_member_account_ids: tuple[int, ...]

    @property
    def signatures_valid(self) -> bool:
        return all(check.valid for check in self.signatures)

    @property
    def revocation(self) -> str:
        """``checked`` when every signature's certificate was held against a current CRL of its issuer."""
        checked = bool(self.signatures) and all(check.revocation == "checked" for check in self.signatures)
        return "checked" if checked else "not_checked"

    @property
    def valid(self) -> bool:
        """The document is intact and every signature on it holds."""
        return self.hash_valid and self.signatures_valid

    @property
    def fully_signed(self) -> bool:
        """Valid, and every commission member has signed."""
        return self.valid and not self.unsigned_member_account_ids


def verify(
    *,
    session: Session,
    protocol_id: int,
    trusted_roots: Sequence[x509.Certificate] | None = None,
    revocation_lists: Sequence[x509.CertificateRevocationList] = (),
) -> ProtocolVerification:
    """Recompute the stored PDF's hash against ``content_hash`` and verify every stored signature over it."""
    protocol = get_protocol(session=session, protocol_id=protocol_id)
    computed = content_hash(protocol.pdf)
    checks = []
    signed_by: set[int] = set()
    for signature in signatures_of(session=session, protocol_id=protocol.id):
        # Valid when it was received: a certificate that expired since does not undo a signature.
        result = verify_detached(
            signature.signature_der,
            protocol.pdf,
            trusted_roots,
            at=signature.signed_at,
            revocation_lists=revocation_lists,
        )
        signed_by.add(signature.signer_account_id)
        checks.append(
            SignatureCheck(
                signature_id=signature.id,
                signer_account_id=signature.signer_account_id,
                signer_subject=signature.signer_subject,
                certificate_serial=signature.certificate_serial,
                signing_time=signature.signing_time,
                signed_at=signature.signed_at,
                valid=result.valid,
                reason=result.reason,
                revocation="checked" if result.revocation_checked else "not_checked",
            )
        )
    members = access_of(session=session, protocol=protocol).member_account_ids
    return ProtocolVerification(
        protocol_id=protocol.id,
        content_hash=protocol.content_hash,
        computed_hash=computed,
        hash_valid=computed == protocol.content_hash,
        signatures=tuple(checks),
        unsigned_member_account_ids=tuple(sorted(members - signed_by)),
    )
