"""Error codes of sign-in, accounts (their IIN too) and state bodies."""

from __future__ import annotations

from app.errors import ErrorCode, Kind, error_code

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

# The IIN of an account (a candidate's at registration, a staff member's when an administrator adds one)
IIN_LENGTH = error_code("iin_length", Kind.INVALID, "The IIN is not valid")
IIN_NOT_DIGITS = error_code("iin_not_digits", Kind.INVALID, "The IIN is not valid")
IIN_CENTURY = error_code("iin_century", Kind.INVALID, "The IIN is not valid")
IIN_BIRTH_DATE = error_code("iin_birth_date", Kind.INVALID, "The IIN is not valid")
IIN_CHECK_DIGIT = error_code("iin_check_digit", Kind.INVALID, "The IIN is not valid")
# An IIN the rules refuse, by the rules' own code.
IIN_ERRORS: dict[str, ErrorCode] = {
    error.code: error for error in (IIN_LENGTH, IIN_NOT_DIGITS, IIN_CENTURY, IIN_BIRTH_DATE, IIN_CHECK_DIGIT)
}
