"""Error codes of test bookings, test sessions and certificates."""

from __future__ import annotations

from app.errors import Kind, error_code

APPLICATION_NOT_FOUND = error_code("application_not_found", Kind.NOT_FOUND, "The application does not exist")
CANDIDATE_NOT_FOUND = error_code("candidate_not_found", Kind.NOT_FOUND, "The candidate does not exist")
APPLICATION_REQUIRED = error_code("application_required", Kind.INVALID, "The test needs an application")
APPLICATION_NOT_ALLOWED = error_code("application_not_allowed", Kind.INVALID, "This test belongs to no application")
BOOKING_NOT_FOUND = error_code("booking_not_found", Kind.NOT_FOUND, "The test booking does not exist")
BOOKING_IN_PAST = error_code("booking_in_past", Kind.INVALID, "The booked time has passed")
BOOKING_TOO_SOON = error_code("booking_too_soon", Kind.INVALID, "The test is booked too soon")
ALREADY_BOOKED = error_code("already_booked", Kind.CONFLICT, "The test is already booked")
ALREADY_TAKEN = error_code("already_taken", Kind.CONFLICT, "The test is already taken")
BOOKING_NOT_CANCELLABLE = error_code(
    "booking_not_cancellable", Kind.CONFLICT, "The test booking can no longer be cancelled"
)
BOOKING_CANCELLED = error_code("booking_cancelled", Kind.CONFLICT, "The test booking is cancelled")
BOOKING_MISSED = error_code("booking_missed", Kind.CONFLICT, "The booked time was missed")
TEST_ALREADY_SUBMITTED = error_code("test_already_submitted", Kind.CONFLICT, "The test is already submitted")
TEST_SESSION_NOT_FOUND = error_code("test_session_not_found", Kind.NOT_FOUND, "The test session does not exist")
SESSION_ALREADY_STARTED = error_code("session_already_started", Kind.CONFLICT, "The test session is already started")
SESSION_NOT_OPEN = error_code("session_not_open", Kind.CONFLICT, "The test session is not open yet")
SESSION_SUBMITTED = error_code("session_submitted", Kind.CONFLICT, "The test session is submitted")
SESSION_TIME_OVER = error_code("session_time_over", Kind.CONFLICT, "The test time is over")
CLIENT_REQUEST_ID_REUSED = error_code(
    "client_request_id_reused", Kind.CONFLICT, "The request id was used for another answer"
)
UNKNOWN_ITEM = error_code("unknown_item", Kind.NOT_FOUND, "The item is not in this test")
UNKNOWN_OPTION = error_code("unknown_option", Kind.INVALID, "The option is not in this item")
PAGE_NOT_FOUND = error_code("page_not_found", Kind.NOT_FOUND, "The page does not exist")
CERTIFICATE_NOT_FOUND = error_code("certificate_not_found", Kind.NOT_FOUND, "The certificate does not exist")
