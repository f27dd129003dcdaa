"""Electronic signatures (ЭЦҚ) on the protocol: detached CMS/PKCS#7 SignedData over the PDF bytes.

A commission member signs with a :class:`Signer`; the service only ever sees the signature
(DER CMS) and verifies it with :func:`verify_detached`. :class:`SoftwareSigner` signs with an
RSA or ECDSA key and an X.509 certificate through ``cryptography``.

How the national EDS plugs in: keys issued by the National Certification Authority of Kazakhstan
(НУЦ РК / NCA) are GOST 34.310-2004 keys held on the member's token or in a key file, and only
NCALayer (the desktop bridge the browser calls) or the KalkanCrypt library can use them. In
production the browser asks NCALayer for a detached CMS signature over the PDF (``createCMSSignatureFromBase64``
with ``detached=true``) and posts it to ``POST /api/v1/protocols/{id}/signatures``; a server-side
``Signer`` for KalkanCrypt would wrap its ``SignData`` call behind the same two methods. Verifying a
GOST signature needs KalkanCrypt (or an NCA verification service) too: :func:`verify_detached`
reports ``unsupported_algorithm`` for it, and that is the one function to extend. RSA NCA
certificates (the older ``RSA`` key type) verify here as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha224": hashes.SHA224,
}

SIGNATURE_REASONS: Final[dict[str, str]] = {
    "malformed": "the signature is not DER CMS",
    "not_signed_data": "the CMS is not SignedData",
    "not_detached": "the signature carries its own content instead of signing the document",
    "signer_count": "the CMS must hold exactly one signer",
    "certificate_missing": "the signer's certificate is not in the CMS",
    "unsupported_algorithm": "the digest or signature algorithm is not supported here",
    "signed_attributes_missing": "the CMS has no signed attributes (message digest, content type)",
    "content_type_mismatch": "the signed content type is not 'data'",
    "message_digest_mismatch": "the signature is over other bytes than this document",
    "bad_signature": "the signature does not verify with the certificate's key",
    "certificate_not_valid_at_signing_time": "the certificate was not valid when the signature was made",
    "certificate_not_valid_now": "the certificate is not valid now (expired or not yet valid)",
    "key_usage_not_signature": "the certificate is not for digital signatures (no digitalSignature key usage)",
    "untrusted_certificate": "the certificate is not issued by a trusted authority",
    "certificate_revoked": "the certificate was revoked (listed in its issuer's CRL) before the signature arrived",
    "signer_iin_mismatch": "the certificate does not carry the IIN of the signed-in person",
    "signer_not_identified": "the signer's IIN is not on record, so the certificate cannot be matched to them",
}
"""Every reason :func:`verify_detached` gives for an invalid signature, with its meaning."""


class Signer(Protocol):
    """Whatever can sign for one commission member: a software key, NCALayer, KalkanCrypt."""

    def certificate(self) -> x509.Certificate:
        """The signer's X.509 certificate (the one the signature names)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """A detached CMS SignedData (DER) over ``data``."""
        ...


SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SoftwareSigner:
    """Signs with a private key in memory (tests, the demo, a server-held key)."""

    def __init__(self, private_key: SigningKey, certificate: x509.Certificate) -> None:
        self._key = private_key
        self._certificate = certificate

    def certificate(self) -> x509.Certificate:
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(data)
            .add_signer(self._certificate, self._key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
        )


@dataclass(frozen=True, kw_only=True)
class VerifiedSignature:
    """What a signature says and whether it holds; ``reason`` is a key of ``SIGNATURE_REASONS`` when not."""

    valid: bool
    reason: str | None
    signer_subject: str | None = None
    serial_number: str | None = None
    signing_time: datetime | None = None
    certificate: x509.Certificate | None = None
    revocation_checked: bool = False
    """Whether a current CRL of the certificate's issuer was consulted (and did not list it)."""

    @property
    def certificate_pem(self) -> str | None:
        if self.certificate is None:
            return None
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def subject_text(certificate: x509.Certificate) -> str:
    """The certificate's subject as RFC 4514 text, with the IIN attribute named as NCA names it (SERIALNUMBER)."""
    return certificate.subject.rfc4514_string({NameOID.SERIAL_NUMBER: "SERIALNUMBER"})


def _invalid(
    reason: str, certificate: x509.Certificate | None = None, signing_time: datetime | None = None
) -> VerifiedSignature:
    return VerifiedSignature(
        valid=False,
        reason=reason,
        certificate=certificate,
        signing_time=signing_time,
        signer_subject=None if certificate is None else subject_text(certificate),
        serial_number=None if certificate is None else format(certificate.serial_number, "x"),
    )


def _signer_certificate(signed_data: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate | None:
    sid = signer["sid"]
    for choice in signed_data["certificates"] or ():
        if choice.name != "certificate":
            continue
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if candidate.issuer == wanted["issuer"] and candidate.serial_number == wanted["serial_number"].native:
                return x509.load_der_x509_certificate(candidate.dump())
        elif candidate.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(candidate.dump())
    return None


def _attribute(attributes: cms.CMSAttributes, name: str) -> object | None:
    for attribute in attributes:
        if attribute["type"].native == name:
            values = attribute["values"]
            return values[0].native if len(values) == 1 else None
    return None


def _verify_key_signature(
    certificate: x509.Certificate, signer: cms.SignerInfo, signed_bytes: bytes, digest_name: str
) -> str | None:
    """``None`` when the signature verifies; else a reason code."""
    algorithm = signer["signature_algorithm"]
    signature = signer["signature"].native
    try:
        signature_algo = algorithm.signature_algo
    except ValueError:
        return "unsupported_algorithm"
    try:
        public_key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return "unsupported_algorithm"
    hash_type = _HASHES[digest_name]
    try:
        if signature_algo == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_type())
        elif signature_algo == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = algorithm["parameters"]
            pss_hash = params["hash_algorithm"]["algorithm"].native
            if pss_hash not in _HASHES:
                return "unsupported_algorithm"
            pss = padding.PSS(mgf=padding.MGF1(_HASHES[pss_hash]()), salt_length=params["salt_length"].native)
            public_key.verify(signature, signed_bytes, pss, _HASHES[pss_hash]())
        elif signature_algo == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_type()))
        else:
            return "unsupported_algorithm"
    except InvalidSignature:
        return "bad_signature"
    return None


def _trusted(certificate: x509.Certificate, roots: Sequence[x509.Certificate]) -> bool:
    for root in roots:
        if certificate == root:
            return True
        try:
            certificate.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def verify_detached(
    signature_der: bytes,
    data: bytes,
    trusted_roots: Sequence[x509.Certificate] | None = None,
    *,
    at: datetime | None = None,
    revocation_lists: Sequence[x509.CertificateRevocationList] = (),
) -> VerifiedSignature:
    """Check a detached CMS signature over ``data``: digest, key signature, certificate validity and use, trust.

    ``cryptography`` has no PKCS#7 verification, so the CMS is parsed with ``asn1crypto`` and the
    signature over the DER signed attributes is checked with the certificate's key. The
    certificate must carry the digitalSignature key usage and be valid at the signing time it
    states and at ``at`` (when the service received the signature). With ``trusted_roots`` the
    certificate must be one of them or directly issued by one. ``revocation_lists`` (CRLs already
    checked against the trusted roots, :func:`app.protocol.trust.revocation_lists`): a certificate
    that a current CRL of its issuer lists as revoked by ``at`` is refused (``certificate_revoked``);
    ``revocation_checked`` says whether such a CRL was there. OCSP is not asked.
    """
    try:
        return _verify(cms.ContentInfo.load(signature_der, strict=True), data, trusted_roots, at, revocation_lists)
    except (ValueError, TypeError, KeyError):
        # asn1crypto parses lazily: a broken inner structure surfaces only when it is read.
        return _invalid("malformed")


def _for_signatures(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature)


def _revoked(
    certificate: x509.Certificate, revocation_lists: Sequence[x509.CertificateRevocationList], at: datetime
) -> bool | None:
    """``True`` when a current CRL of the certificate's issuer lists it as revoked by ``at``; ``None``: no such CRL."""
    current = [
        crl
        for crl in revocation_lists
        if crl.issuer == certificate.issuer and (crl.next_update_utc is None or crl.next_update_utc >= at)
    ]
    if not current:
        return None
    for crl in current:
        entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
        if entry is not None and entry.revocation_date_utc <= at:
            return True
    return False


def _verify(
    info: cms.ContentInfo,
    data: bytes,
    trusted_roots: Sequence[x509.Certificate] | None,
    at: datetime | None,
    revocation_lists: Sequence[x509.CertificateRevocationList],
) -> VerifiedSignature:
    if info["content_type"].native != "signed_data":
        return _invalid("not_signed_data")
    signed_data = info["content"]
    signers = list(signed_data["signer_infos"])
    if signed_data["encap_content_info"]["content"].native is not None:
        return _invalid("not_detached")
    if len(signers) != 1:
        return _invalid("signer_count")
    signer = signers[0]
    certificate = _signer_certificate(signed_data, signer)
    if certificate is None:
        return _invalid("certificate_missing")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        return _invalid("unsupported_algorithm", certificate)
    attributes = signer["signed_attrs"]
    if not attributes:
        return _invalid("signed_attributes_missing", certificate)
    signing_time = _attribute(attributes, "signing_time")
    when = signing_time if isinstance(signing_time, datetime) else None
    if _attribute(attributes, "content_type") != "data":
        return _invalid("content_type_mismatch", certificate, when)
    if _attribute(attributes, "message_digest") != hashlib.new(digest_name, data).digest():
        return _invalid("message_digest_mismatch", certificate, when)
    # The signature covers the attributes as a DER SET OF, not with their [0] IMPLICIT tag.
    signed_bytes = b"\x31" + attributes.dump()[1:]
    problem = _verify_key_signature(certificate, signer, signed_bytes, digest_name)
    if problem is not None:
        return _invalid(problem, certificate, when)
    checked_at = when or at or datetime.now(UTC)
    if not certificate.not_valid_before_utc <= checked_at <= certificate.not_valid_after_utc:
        return _invalid("certificate_not_valid_at_signing_time", certificate, when)
    if at is not None and not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        return _invalid("certificate_not_valid_now", certificate, when)
    if not _for_signatures(certificate):
        return _invalid("key_usage_not_signature", certificate, when)
    if trusted_roots is not None and not _trusted(certificate, trusted_roots):
        return _invalid("untrusted_certificate", certificate, when)
    revoked = _revoked(certificate, revocation_lists, at or datetime.now(UTC))
    if revoked:
        return _invalid("certificate_revoked", certificate, when)
    return VerifiedSignature(
        valid=True,
        reason=None,
        signer_subject=subject_text(certificate),
        serial_number=format(certificate.serial_number, "x"),
        signing_time=when,
        certificate=certificate,
        revocation_checked=revoked is not None,
    )


@dataclass(frozen=True)
class TestIdentity:
    """A key and its certificate for tests and the demo (never for a real protocol)."""

    private_key: SigningKey
    certificate: x509.Certificate

    def signer(self) -> SoftwareSigner:
        return SoftwareSigner(self.private_key, self.certificate)


def _name(common_name: str, iin: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if iin is not None:
        # NCA certificates carry the IIN as SERIALNUMBER=IIN<12 digits>.
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
    attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"))
    return x509.Name(attributes)


def make_test_certificate(
    common_name: str,
    iin: str | None = None,
    *,
    issuer: TestIdentity | None = None,
    key_type: str = "ec",
    valid_from: datetime | None = None,
    valid_days: int = 365,
    digital_signature: bool = True,
) -> TestIdentity:
    """A P-256 (or 2048-bit RSA with ``key_type="rsa"``) key and a certificate for ``common_name``.

    Self-signed without ``issuer``; with it (e.g. :func:`make_demo_ca`), issued by that CA so a
    verification with ``trusted_roots=[ca.certificate]`` accepts it.
    """
    key: SigningKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if key_type == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    start = valid_from or datetime.now(UTC) - timedelta(minutes=5)
    subject = _name(common_name, iin)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=True,
                key_encipherment=not digital_signature,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=issuer is None,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    signing_key = key if issuer is None else issuer.private_key
    return TestIdentity(key, builder.sign(signing_key, hashes.SHA256()))


def make_demo_ca(common_name: str = "Irikteu demo certification authority") -> TestIdentity:
    """A self-signed CA that issues the demo members' certificates (stands in for the NCA root)."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.now(UTC) - timedelta(minutes=5)
    name = _name(common_name, None)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TestIdentity(key, certificate)


def make_test_crl(
    issuer: TestIdentity,
    revoked: Sequence[x509.Certificate] = (),
    *,
    revoked_at: datetime | None = None,
    next_update_days: int = 7,
) -> x509.CertificateRevocationList:
    """A CRL ``issuer`` signs, listing ``revoked`` (for tests; a real one comes from the NCA)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=next_update_days))
    )
    for certificate in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(revoked_at or now)
            .build()
        )
    return builder.sign(issuer.private_key, hashes.SHA256())


def load_certificate(pem_or_der: bytes) -> x509.Certificate:
    """An X.509 certificate from PEM or DER bytes."""
    if pem_or_der.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(pem_or_der)
    return x509.load_der_x509_certificate(pem_or_der)
