"""The appointment domain's error codes."""

from __future__ import annotations

from app.errors import Kind, error_code

RESULTS_NOT_PUBLISHED = error_code("results_not_published", Kind.CONFLICT, "The results are not published yet")
NO_WINNER = error_code("no_winner", Kind.CONFLICT, "The competition has no winner to appoint")
APPOINTMENT_DECIDED = error_code("appointment_decided", Kind.CONFLICT, "The appointment is already decided")
APPOINTMENT_NOT_FOUND = error_code("appointment_not_found", Kind.NOT_FOUND, "The appointment does not exist")
REASON_REQUIRED = error_code(
    "outside_window_reason_required", Kind.INVALID, "An appointment outside the window needs a reason"
)
DATE_BEFORE_OFFER = error_code("date_before_offer", Kind.INVALID, "The date is before the offer")
NOT_ELIGIBLE = error_code("route_not_eligible", Kind.CONFLICT, "The candidate is not eligible for this route")
OWN_PROPOSAL = error_code("own_proposal", Kind.FORBIDDEN, "A second person must approve the proposal")
VACANCY_NOT_OPEN = error_code("vacancy_not_open", Kind.CONFLICT, "The vacancy is closed or filled")
CANDIDATE_NOT_FOUND = error_code("candidate_not_found", Kind.NOT_FOUND, "The candidate does not exist")
