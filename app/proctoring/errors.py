"""Error codes of proctoring events and their reviews."""

from __future__ import annotations

from app.errors import Kind, error_code

EVENT_OUTSIDE_SESSION = error_code("event_outside_session", Kind.INVALID, "The event is outside the test session")
REVIEW_NOT_FOUND = error_code("review_not_found", Kind.NOT_FOUND, "The proctoring review does not exist")
REVIEW_ALREADY_DECIDED = error_code("review_already_decided", Kind.CONFLICT, "The review is already decided")
