"""Error codes of candidates' registration, personal files and consents (an IIN's own: ``app.auth.errors``)."""

from __future__ import annotations

from app.errors import Kind, error_code

IIN_ALREADY_REGISTERED = error_code("iin_already_registered", Kind.CONFLICT, "This IIN is already registered")
# A required consent missing from a request (registration, withdrawal, a vacancy alert).
CONSENT_REQUIRED = error_code("consent_required", Kind.INVALID, "This consent is required")
