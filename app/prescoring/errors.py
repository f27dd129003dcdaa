"""Error codes of the essay pre-scoring gate and its discussions."""

from __future__ import annotations

from app.errors import Kind, error_code

ESSAY_DISCUSSION_REQUIRED = error_code(
    "essay_discussion_required", Kind.CONFLICT, "Flagged essays need the commission's recorded discussion"
)
ESSAY_NOT_FLAGGED = error_code("essay_not_flagged", Kind.CONFLICT, "The essay is not flagged for discussion")
NOT_COMMISSION_CHAIR = error_code("not_commission_chair", Kind.FORBIDDEN, "Only the commission's chair may do this")
PRESCORING_MODE_LOCKED = error_code(
    "prescoring_mode_locked", Kind.CONFLICT, "The pre-score review mode can no longer change"
)
