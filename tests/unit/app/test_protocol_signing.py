"""Detached CMS signatures over the protocol's bytes: signing, verification and every way one fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from app.protocol.signing import (
    SIGNATURE_REASONS,
    Signer,
    SoftwareSigner,
    TestIdentity,
    load_certificate,
    make_demo_ca,
    make_test_certificate,
    verify_detached,
)

DOCUMENT = b"%PDF-1.4 the protocol bytes"


@pytest.fixture(scope="module")
def ca() -> TestIdentity:
    return make_demo_ca()


@pytest.fixture(scope="module")
def members(ca: TestIdentity) -> list[TestIdentity]:
    return [
        make_test_certificate(name, iin, issuer=ca)
        for name, iin in (
            ("Бекмұхамбетов Қайрат", "750101300123"),
            ("Сейітова Мәдина", "820202400456"),
            ("Иванова Ольга", "900303400789"),
        )
    ]


def test_three_members_sign_and_every_signature_verifies(ca: TestIdentity, members: list[TestIdentity]) -> None:
    expected = (
        "C=KZ,SERIALNUMBER=IIN750101300123,CN=Бекмұхамбетов Қайрат",
        "C=KZ,SERIALNUMBER=IIN820202400456,CN=Сейітова Мәдина",
        "C=KZ,SERIALNUMBER=IIN900303400789,CN=Иванова Ольга",
    )
    for member, subject in zip(members, expected, strict=True):
        signer: Signer = member.signer()
        before = datetime.now(UTC).replace(microsecond=0)
        signature = signer.sign(DOCUMENT)
        checked = verify_detached(signature, DOCUMENT, trusted_roots=[ca.certificate])
        assert checked.valid is True
        assert checked.reason is None
        assert checked.certificate == member.certificate
        assert checked.serial_number == format(member.certificate.serial_number, "x")
        assert checked.signer_subject == subject
        assert checked.signing_time is not None and before - timedelta(seconds=1) <= checked.signing_time
        assert load_certificate((checked.certificate_pem or "").encode()) == member.certificate


def test_the_cms_is_detached_sha256_with_one_signer_and_its_certificate(members: list[TestIdentity]) -> None:
    info = cms.ContentInfo.load(members[0].signer().sign(DOCUMENT))
    signed = info["content"]
    assert info["content_type"].native == "signed_data"
    assert signed["encap_content_info"]["content"].native is None
    assert [s["digest_algorithm"]["algorithm"].native for s in signed["signer_infos"]] == ["sha256"]
    assert len(signed["certificates"]) == 1


def test_a_signature_over_other_bytes_is_a_message_digest_mismatch(members: list[TestIdentity]) -> None:
    signature = members[0].signer().sign(b"another document")
    checked = verify_detached(signature, DOCUMENT)
    assert checked.valid is False
    assert checked.reason == "message_digest_mismatch"
    assert checked.certificate == members[0].certificate
    assert SIGNATURE_REASONS["message_digest_mismatch"] == "the signature is over other bytes than this document"


def test_a_changed_byte_in_the_signature_value_is_a_bad_signature(members: list[TestIdentity]) -> None:
    signature = bytearray(members[1].signer().sign(DOCUMENT))
    signature[-3] ^= 0x01  # the signature value is the CMS's last field
    assert verify_detached(bytes(signature), DOCUMENT).reason == "bad_signature"


def test_rsa_keys_sign_and_verify_too() -> None:
    member = make_test_certificate("RSA member", "750101300123", key_type="rsa")
    signature = member.signer().sign(DOCUMENT)
    assert verify_detached(signature, DOCUMENT).valid is True
    assert verify_detached(signature, DOCUMENT + b"!").reason == "message_digest_mismatch"


@pytest.mark.parametrize("garbage", [b"", b"not a signature", b"\x30\x03\x02\x01\x01"])
def test_garbage_is_malformed(garbage: bytes, members: list[TestIdentity]) -> None:
    assert verify_detached(garbage, DOCUMENT).reason == "malformed"
    assert verify_detached(members[0].signer().sign(DOCUMENT)[:40], DOCUMENT).reason == "malformed"


def test_a_certificate_from_elsewhere_is_untrusted(ca: TestIdentity) -> None:
    stranger = make_test_certificate("Stranger")
    signature = stranger.signer().sign(DOCUMENT)
    assert verify_detached(signature, DOCUMENT).valid is True  # no trust anchors given: only integrity
    assert verify_detached(signature, DOCUMENT, trusted_roots=[ca.certificate]).reason == "untrusted_certificate"
    assert verify_detached(signature, DOCUMENT, trusted_roots=[stranger.certificate]).valid is True


def test_an_expired_certificate_is_refused(ca: TestIdentity) -> None:
    expired = make_test_certificate("Expired", issuer=ca, valid_from=datetime(2020, 1, 1, tzinfo=UTC), valid_days=30)
    checked = verify_detached(expired.signer().sign(DOCUMENT), DOCUMENT, trusted_roots=[ca.certificate])
    assert checked.reason == "certificate_not_valid_at_signing_time"


def test_an_attached_signature_is_not_a_signature_over_the_document(members: list[TestIdentity]) -> None:
    attached = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(DOCUMENT)
        .add_signer(members[0].certificate, members[0].private_key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    assert verify_detached(attached, DOCUMENT).reason == "not_detached"


def test_a_cms_without_the_signers_certificate_is_refused(members: list[TestIdentity]) -> None:
    bare = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(DOCUMENT)
        .add_signer(members[0].certificate, members[0].private_key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCerts],
        )
    )
    assert verify_detached(bare, DOCUMENT).reason == "certificate_missing"


def test_two_signers_in_one_cms_are_refused(members: list[TestIdentity]) -> None:
    double = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(DOCUMENT)
        .add_signer(members[0].certificate, members[0].private_key, hashes.SHA256())
        .add_signer(members[1].certificate, members[1].private_key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )
    assert verify_detached(double, DOCUMENT).reason == "signer_count"


def test_the_software_signer_is_a_signer(members: list[TestIdentity]) -> None:
    signer = SoftwareSigner(members[2].private_key, members[2].certificate)
    assert signer.certificate() == members[2].certificate
    assert isinstance(signer.certificate(), x509.Certificate)
