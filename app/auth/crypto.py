"""Encryption of IINs at rest (AES-GCM) and their keyed look-up hash (HMAC-SHA256), keys derived from the secret.

Each purpose gets its own key, derived from ``settings.secret_key`` with HKDF-SHA256 and a
purpose label, so the look-up hash reveals nothing about the encryption key and the reverse.
A stored value is ``version byte || 12-byte random nonce || ciphertext and tag``; the version
byte lets a future key rotation tell old values from new ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
NONCE_BYTES = 12
IIN_ENCRYPTION_LABEL = b"irikteu/iin/encryption/v1"
IIN_LOOKUP_LABEL = b"irikteu/iin/lookup/v1"


class DecryptionFailed(Exception):
    """The value was not encrypted with this key (or was altered)."""


@lru_cache(maxsize=32)
def derive_key(secret_key: str, label: bytes) -> bytes:
    """A 256-bit key for one purpose (``label``) derived from the service secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret_key.encode("utf-8"))


def encrypt_iin(iin: str, *, secret_key: str) -> bytes:
    """The IIN encrypted with a fresh random nonce (two calls never give the same bytes)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(derive_key(secret_key, IIN_ENCRYPTION_LABEL)).encrypt(
        nonce, iin.encode("ascii"), IIN_ENCRYPTION_LABEL
    )
    return bytes([FORMAT_VERSION]) + nonce + sealed


def decrypt_iin(value: bytes, *, secret_key: str) -> str:
    """The IIN back; raises ``DecryptionFailed`` for a wrong key, another format or altered bytes."""
    if len(value) <= 1 + NONCE_BYTES or value[0] != FORMAT_VERSION:
        raise DecryptionFailed("not an encrypted IIN of a known format")
    nonce, sealed = value[1 : 1 + NONCE_BYTES], value[1 + NONCE_BYTES :]
    try:
        plain = AESGCM(derive_key(secret_key, IIN_ENCRYPTION_LABEL)).decrypt(nonce, sealed, IIN_ENCRYPTION_LABEL)
    except InvalidTag:
        raise DecryptionFailed("the IIN cannot be decrypted with this key") from None
    return plain.decode("ascii")


def iin_lookup_hash(iin: str, *, secret_key: str) -> str:
    """The keyed hash (hex) that finds a person by IIN without storing or scanning plaintext."""
    return hmac.new(derive_key(secret_key, IIN_LOOKUP_LABEL), iin.encode("ascii"), hashlib.sha256).hexdigest()
