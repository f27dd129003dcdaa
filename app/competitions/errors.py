"""Error codes of competitions, their commissions, scores and protocols."""

from __future__ import annotations

from app.errors import Kind, error_code

INVALID_APPLICATION_WINDOW = error_code(
    "invalid_application_window", Kind.INVALID, "The application period is not valid"
)
RESULTS_ALREADY_PUBLISHED = error_code("results_already_published", Kind.CONFLICT, "The results are already published")
RESULTS_NOT_PUBLISHED = error_code("results_not_published", Kind.CONFLICT, "The results are not published yet")
NOT_A_COMMISSION_MEMBER_ACCOUNT = error_code(
    "not_a_commission_member_account", Kind.INVALID, "Not a commission member account"
)
ALREADY_ON_COMMISSION = error_code("already_on_commission", Kind.CONFLICT, "Already on this commission")
CHAIR_TAKEN = error_code("chair_taken", Kind.CONFLICT, "The commission already has a chair")
NOT_ON_COMMISSION = error_code("not_on_commission", Kind.FORBIDDEN, "Not a voting member of this commission")
NO_ESSAY_STAGE = error_code("no_essay_stage", Kind.CONFLICT, "This competition has no essay stage")
STAGE_NOT_IN_PLAN = error_code("stage_not_in_plan", Kind.CONFLICT, "The stage is not in this competition's plan")
ALREADY_SCORED = error_code("already_scored", Kind.CONFLICT, "Already scored")
APPLICATIONS_PENDING = error_code("applications_pending", Kind.CONFLICT, "Applications still await a decision")
