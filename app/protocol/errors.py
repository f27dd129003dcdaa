"""Error codes of protocol signing."""

from __future__ import annotations

from app.errors import Kind, error_code

SIGNATURE_INVALID = error_code("signature_invalid", Kind.INVALID, "The signature is not valid")
ALREADY_SIGNED = error_code("already_signed", Kind.CONFLICT, "Already signed")
