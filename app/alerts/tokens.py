"""Signed unsubscribe links: an HMAC-SHA256 token naming a subscription, valid for a set number of days.

The key is derived from the service secret with a purpose label, so a token of another kind
(an access token, a protocol link) can never pass as an unsubscribe token, nor the reverse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

_PURPOSE = b"irikteu.alerts.unsubscribe.v1"


class UnsubscribeTokenInvalid(ValueError):
    """The token was not made by this service (forged, altered or garbled)."""


class UnsubscribeTokenExpired(ValueError):
    """The token is genuine but older than its lifetime."""


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(subscription_id: int, *, secret_key: str, issued_at: datetime) -> str:
    """``payload.signature``; the payload holds the subscription id and the issue time (Unix seconds)."""
    payload = _b64(
        json.dumps({"s": subscription_id, "t": int(issued_at.timestamp())}, separators=(",", ":")).encode("utf-8")
    )
    signature = _b64(hmac.new(_key(secret_key), payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_token(token: str, *, secret_key: str, max_age: timedelta, now: datetime) -> int:
    """The subscription id of a genuine, unexpired token; the signature is checked before anything is read."""
    payload, dot, signature = token.partition(".")
    if not dot or not payload or not signature or len(token) > 512 or not token.isascii():
        # A token is base64url: anything else (e.g. Cyrillic letters) is forged, never an error of ours.
        raise UnsubscribeTokenInvalid("not an unsubscribe token")
    expected = _b64(hmac.new(_key(secret_key), payload.encode("ascii", "replace"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise UnsubscribeTokenInvalid("the token's signature does not match")
    try:
        claims = json.loads(_unb64(payload))
        subscription_id, issued = int(claims["s"]), int(claims["t"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UnsubscribeTokenInvalid("the token's content is not readable") from exc
    if now.timestamp() - issued > max_age.total_seconds():
        raise UnsubscribeTokenExpired(f"the link expired after {max_age.days} days")
    return subscription_id
