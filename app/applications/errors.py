"""Error codes of applications to competitions and their recorded stage results."""

from __future__ import annotations

from app.errors import Kind, error_code

COMPETITION_CLOSED = error_code("competition_closed", Kind.CONFLICT, "The competition does not accept applications")
ALREADY_APPLIED = error_code("already_applied", Kind.CONFLICT, "Already applied to this competition")
# A consent the candidate has not given yet (their file's state, not the request, is at fault).
CONSENT_REQUIRED = error_code("consent_required", Kind.CONFLICT, "This consent is required")
IDEMPOTENCY_KEY_REUSED = error_code(
    "idempotency_key_reused", Kind.CONFLICT, "The idempotency key was used for another request"
)
APPLICATION_ALREADY_DECIDED = error_code(
    "application_already_decided", Kind.CONFLICT, "The application is already decided"
)
APPLICATION_NOT_CONFIRMED = error_code("application_not_confirmed", Kind.CONFLICT, "The application is not confirmed")
INVALID_STAGE_RESULTS = error_code("invalid_stage_results", Kind.INVALID, "The stage results are not valid")
