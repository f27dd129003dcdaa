"""Error codes of sign-in and accounts (app.auth)."""

from __future__ import annotations

from app.errors import Kind, error_code

INVALID_CREDENTIALS = error_code("invalid_credentials", Kind.UNAUTHENTICATED, "The e-mail or password is wrong")
SIGN_IN_THROTTLED = error_code("sign_in_throttled", Kind.RATE_LIMITED,
                               "Too many failed sign-ins; wait before trying again")
SIGN_IN_LOCKED = error_code("sign_in_locked", Kind.RATE_LIMITED,
                            "Sign-in is locked for a while after repeated failures")
