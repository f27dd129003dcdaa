"""Whom the service trusts to sign a protocol: the configured CA roots and the signer's own IIN.

Two checks beside the cryptographic one in :mod:`app.protocol.signing`:

- **Trusted roots** (setting ``protocol_trusted_roots``, a PEM bundle path): a signing
  certificate must be one of them or directly issued by one (in production: the NCA roots).
  Empty means any certificate is accepted, and the verification report says so with
  ``trust: "not_checked"`` instead of pretending.
- **The signer's IIN**: NCA certificates carry the holder's IIN as ``SERIALNUMBER=IIN<12 digits>``.
  A staff account records its holder's IIN as a keyed hash (``accounts.iin_hash``, given when an
  administrator makes the account); a candidate's is in their file. The certificate must carry
  that IIN (compared through the keyed hash, never decrypted). With trusted roots configured —
  always in production, where the service refuses to start without them — an account with no
  IIN on record cannot sign (``signer_not_identified``); without roots (development, tests) its
  signature is accepted unmatched.

- **Revocation** (setting ``protocol_revocation_lists``: CRL files the roots issued, refreshed by
  whoever deploys the service; no network is used): a certificate a current CRL lists as revoked
  cannot sign, and the verification says ``revocation: checked`` for a signature whose issuer has
  a current CRL there. Without CRLs, or with a CRL past its next update, it says ``not_checked``.
  OCSP is not asked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.crypto import iin_lookup_hash
from app.auth.models import Account
from app.candidates.models import Candidate
from app.errors import DomainError
from app.protocol.errors import SIGNATURE_INVALID
from app.settings import Settings

TRUST_CHECKED: Final = "checked"
TRUST_NOT_CHECKED: Final = "not_checked"
Trust = Literal["checked", "not_checked"]


class TrustedRootsError(RuntimeError):
    """The configured PEM bundle cannot be read or holds no certificate."""


@lru_cache(maxsize=8)
def _load_bundle(path: str, modified_ns: int) -> tuple[x509.Certificate, ...]:
    del modified_ns  # part of the cache key only: an edited bundle is read again
    try:
        certificates = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except OSError as error:
        raise TrustedRootsError(f"IRIKTEU_PROTOCOL_TRUSTED_ROOTS: cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise TrustedRootsError(
            f"IRIKTEU_PROTOCOL_TRUSTED_ROOTS: {path} is not a PEM certificate bundle: {error}"
        ) from None
    if not certificates:
        raise TrustedRootsError(f"IRIKTEU_PROTOCOL_TRUSTED_ROOTS: {path} holds no certificate")
    return tuple(certificates)


def trusted_roots(settings: Settings) -> tuple[x509.Certificate, ...] | None:
    """The CA certificates a signing certificate must chain to; ``None`` when none are configured."""
    path = settings.protocol_trusted_roots.strip()
    if not path:
        return None
    try:
        modified = Path(path).stat().st_mtime_ns
    except OSError as error:
        raise TrustedRootsError(f"IRIKTEU_PROTOCOL_TRUSTED_ROOTS: cannot read {path}: {error.strerror}") from None
    return _load_bundle(path, modified)


@lru_cache(maxsize=8)
def _load_crls(
    paths: str, modified_ns: tuple[int, ...], roots: tuple[x509.Certificate, ...]
) -> tuple[x509.CertificateRevocationList, ...]:
    del modified_ns  # part of the cache key only: an updated CRL is read again
    lists = []
    for path in _paths(paths):
        data = Path(path).read_bytes()
        try:
            crl = (
                x509.load_pem_x509_crl(data)
                if data.lstrip().startswith(b"-----BEGIN")
                else x509.load_der_x509_crl(data)
            )
        except ValueError as error:
            raise TrustedRootsError(f"IRIKTEU_PROTOCOL_REVOCATION_LISTS: {path} is not a CRL: {error}") from None
        if not any(
            root.subject == crl.issuer and crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
            for root in roots
        ):
            raise TrustedRootsError(f"IRIKTEU_PROTOCOL_REVOCATION_LISTS: {path} is not signed by a trusted root")
        lists.append(crl)
    return tuple(lists)


def _paths(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def revocation_lists(settings: Settings) -> tuple[x509.CertificateRevocationList, ...]:
    """The configured CRLs, each checked to be signed by a trusted root; ``()`` when none are configured."""
    paths = _paths(settings.protocol_revocation_lists)
    if not paths:
        return ()
    roots = trusted_roots(settings)
    if roots is None:
        raise TrustedRootsError(
            "IRIKTEU_PROTOCOL_REVOCATION_LISTS needs IRIKTEU_PROTOCOL_TRUSTED_ROOTS: a CRL is "
            "trusted only when a trusted root signed it"
        )
    try:
        modified = tuple(Path(path).stat().st_mtime_ns for path in paths)
    except OSError as error:
        raise TrustedRootsError(
            f"IRIKTEU_PROTOCOL_REVOCATION_LISTS: cannot read {error.filename}: {error.strerror}"
        ) from None
    return _load_crls(",".join(paths), modified, roots)


def trust_state(settings: Settings) -> Trust:
    """``checked`` when signatures are held against configured roots, ``not_checked`` otherwise."""
    return TRUST_NOT_CHECKED if trusted_roots(settings) is None else TRUST_CHECKED


def certificate_iin(certificate: x509.Certificate) -> str | None:
    """The IIN an NCA-style certificate names (``SERIALNUMBER=IIN<12 digits>``), if it names one."""
    for attribute in certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.decode("ascii", "replace")
        if value.startswith("IIN") and len(value) == 15 and value[3:].isdigit():
            return value[3:]
    return None


def ensure_certificate_of_signer(
    *,
    session: Session,
    account: Account,
    certificate: x509.Certificate,
    secret_key: str,
    identity_required: bool = False,
) -> bool:
    """Refuse a certificate that names another person than the account's; ``False`` when nothing to compare.

    422 ``signature_invalid`` with ``reason: signer_iin_mismatch`` when the account has an IIN on
    record and the certificate carries another one or none; with ``reason: signer_not_identified``
    when ``identity_required`` (trusted roots configured) and the account has no IIN on record.
    """
    expected = account.iin_hash or session.scalar(select(Candidate.iin_hash).where(Candidate.account_id == account.id))
    if expected is None:
        if identity_required:
            raise DomainError(
                SIGNATURE_INVALID,
                "your account has no IIN on record, so the certificate cannot be "
                "matched to you; an administrator records it",
                reason="signer_not_identified",
            )
        return False
    iin = certificate_iin(certificate)
    if iin is None or iin_lookup_hash(iin, secret_key=secret_key) != expected:
        raise DomainError(
            SIGNATURE_INVALID,
            "the signing certificate does not carry the IIN of the signed-in person",
            reason="signer_iin_mismatch",
        )
    return True
