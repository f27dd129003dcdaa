"""Whom the service trusts to sign a protocol: the configured CA roots and the signer's own IIN.

Two checks beside the cryptographic one in :mod:`app.protocol.signing`:

- **Trusted roots** (setting ``protocol_trusted_roots``, a PEM bundle path): a signing
  certificate must be one of them or directly issued by one (in production: the NCA roots).
  Empty means any certificate is accepted, and the verification report says so with
  ``trust: "not_checked"`` instead of pretending.
- **The signer's IIN**: NCA certificates carry the holder's IIN as ``SERIALNUMBER=IIN<12 digits>``.
  When the signing account is linked to a person whose IIN the service knows (a ``Candidate``
  row of that account; the IIN is compared through its keyed hash, never decrypted), the
  certificate must carry that IIN. Staff accounts are not linked to a person's IIN today, so
  for them the check is skipped.
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
        raise TrustedRootsError(f"IRIKTEU_PROTOCOL_TRUSTED_ROOTS: {path} is not a PEM certificate bundle: "
                                f"{error}") from None
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


def ensure_certificate_of_signer(*, session: Session, account: Account, certificate: x509.Certificate,
                                 secret_key: str) -> bool:
    """Refuse a certificate that names another person than the account's; ``False`` when nothing to compare.

    422 ``signature_invalid`` with ``reason: signer_iin_mismatch`` when the account is linked to
    an IIN and the certificate carries another one or none.
    """
    expected = session.scalar(select(Candidate.iin_hash).where(Candidate.account_id == account.id))
    if expected is None:
        return False
    iin = certificate_iin(certificate)
    if iin is None or iin_lookup_hash(iin, secret_key=secret_key) != expected:
        raise DomainError(SIGNATURE_INVALID, "the signing certificate does not carry the IIN of the signed-in person",
                          reason="signer_iin_mismatch")
    return True
