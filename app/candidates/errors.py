"""Error codes of candidates' registration, personal files and consents."""

from __future__ import annotations

from app.errors import ErrorCode, Kind, error_code

IIN_LENGTH = error_code("iin_length", Kind.INVALID, "The IIN is not valid")
IIN_NOT_DIGITS = error_code("iin_not_digits", Kind.INVALID, "The IIN is not valid")
IIN_CENTURY = error_code("iin_century", Kind.INVALID, "The IIN is not valid")
IIN_BIRTH_DATE = error_code("iin_birth_date", Kind.INVALID, "The IIN is not valid")
IIN_CHECK_DIGIT = error_code("iin_check_digit", Kind.INVALID, "The IIN is not valid")
# An IIN the rules refuse, by the rules' own code.
IIN_ERRORS: dict[str, ErrorCode] = {
    error.code: error for error in (IIN_LENGTH, IIN_NOT_DIGITS, IIN_CENTURY, IIN_BIRTH_DATE, IIN_CHECK_DIGIT)
}
IIN_ALREADY_REGISTERED = error_code("iin_already_registered", Kind.CONFLICT, "This IIN is already registered")
# A required consent missing from a request (registration, withdrawal, a vacancy alert).
CONSENT_REQUIRED = error_code("consent_required", Kind.INVALID, "This consent is required")
