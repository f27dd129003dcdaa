"""IIN encryption at rest and the keyed look-up hash."""

from __future__ import annotations

import hashlib

import pytest

from app.auth.crypto import (
    IIN_ENCRYPTION_LABEL,
    IIN_LOOKUP_LABEL,
    NONCE_BYTES,
    DecryptionFailed,
    decrypt_iin,
    derive_key,
    encrypt_iin,
    iin_lookup_hash,
)

SECRET = "a-test-secret-of-more-than-thirty-two-characters"
OTHER_SECRET = "another-test-secret-of-more-than-thirty-two-chars"
IIN = "900102400019"


def test_round_trip() -> None:
    sealed = encrypt_iin(IIN, secret_key=SECRET)
    assert decrypt_iin(sealed, secret_key=SECRET) == IIN
    # version byte + nonce + 12 bytes of IIN + 16-byte tag
    assert len(sealed) == 1 + NONCE_BYTES + 12 + 16
    assert sealed[0] == 1
    assert IIN.encode() not in sealed


def test_a_wrong_key_fails() -> None:
    sealed = encrypt_iin(IIN, secret_key=SECRET)
    with pytest.raises(DecryptionFailed):
        decrypt_iin(sealed, secret_key=OTHER_SECRET)


def test_altered_or_foreign_bytes_fail() -> None:
    sealed = bytearray(encrypt_iin(IIN, secret_key=SECRET))
    sealed[-1] ^= 0x01
    with pytest.raises(DecryptionFailed):
        decrypt_iin(bytes(sealed), secret_key=SECRET)
    with pytest.raises(DecryptionFailed):
        decrypt_iin(b"\x02" + bytes(sealed[1:]), secret_key=SECRET)
    with pytest.raises(DecryptionFailed):
        decrypt_iin(b"\x01short", secret_key=SECRET)


def test_every_encryption_has_a_fresh_nonce() -> None:
    sealed = [encrypt_iin(IIN, secret_key=SECRET) for _ in range(200)]
    nonces = {value[1 : 1 + NONCE_BYTES] for value in sealed}
    assert len(nonces) == 200
    assert len(set(sealed)) == 200


def test_lookup_hash_is_keyed_stable_and_distinct() -> None:
    first = iin_lookup_hash(IIN, secret_key=SECRET)
    assert first == iin_lookup_hash(IIN, secret_key=SECRET)
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != iin_lookup_hash(IIN, secret_key=OTHER_SECRET)
    assert first != iin_lookup_hash("900102400029", secret_key=SECRET)
    # Not the plain hash of the IIN: without the secret, nobody can test guesses.
    assert first != hashlib.sha256(IIN.encode()).hexdigest()


def test_each_purpose_has_its_own_key() -> None:
    encryption, lookup = derive_key(SECRET, IIN_ENCRYPTION_LABEL), derive_key(SECRET, IIN_LOOKUP_LABEL)
    assert len(encryption) == len(lookup) == 32
    assert encryption != lookup
    assert derive_key(OTHER_SECRET, IIN_ENCRYPTION_LABEL) != encryption
