"""Error codes of interview scheduling and holding."""

from __future__ import annotations

from app.errors import Kind, error_code

PREVIOUS_STAGE_OPEN = error_code("previous_stage_open", Kind.CONFLICT, "The previous stage is not closed")
NOT_SHORTLISTED = error_code("not_shortlisted", Kind.CONFLICT, "Not on the interview shortlist")
SLOT_TAKEN = error_code("slot_taken", Kind.CONFLICT, "The interview time is taken")
SLOT_IN_PAST = error_code("slot_in_past", Kind.INVALID, "The interview time has passed")
NOT_A_WORKING_DAY = error_code("not_a_working_day", Kind.INVALID, "Not a working day")
INTERVIEW_NOT_SCHEDULED = error_code("interview_not_scheduled", Kind.CONFLICT, "No interview is scheduled")
INTERVIEW_NOT_STARTED = error_code("interview_not_started", Kind.CONFLICT, "The interview has not started")
INTERVIEW_ALREADY_HELD = error_code("interview_already_held", Kind.CONFLICT, "The interview has been held")
