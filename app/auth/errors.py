"""Error codes of sign-in, accounts and state bodies."""

from __future__ import annotations

from app.errors import Kind, error_code

INVALID_CREDENTIALS = error_code("invalid_credentials", Kind.UNAUTHENTICATED, "The e-mail or password is wrong")
SIGN_IN_THROTTLED = error_code(
    "sign_in_throttled", Kind.RATE_LIMITED, "Too many failed sign-ins; wait before trying again"
)
SIGN_IN_LOCKED = error_code(
    "sign_in_locked", Kind.RATE_LIMITED, "Sign-in is locked for a while after repeated failures"
)
EMAIL_ALREADY_REGISTERED = error_code("email_already_registered", Kind.CONFLICT, "This e-mail is already registered")
STATE_BODY_REQUIRED = error_code("state_body_required", Kind.INVALID, "An HR officer needs a state body")
STATE_BODY_NOT_FOUND = error_code("state_body_not_found", Kind.INVALID, "The state body does not exist")
STATE_BODY_CODE_TAKEN = error_code("state_body_code_taken", Kind.CONFLICT, "This state body code is taken")
RESET_LINK_INVALID = error_code("password_reset_link_invalid", Kind.BAD_REQUEST, "The password reset link is not valid")
RESET_LINK_EXPIRED = error_code("password_reset_link_expired", Kind.BAD_REQUEST, "The password reset link has expired")
