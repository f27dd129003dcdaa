"""Error codes of the essay, the practical assessment and the scored stages."""

from __future__ import annotations

from app.errors import Kind, error_code

ESSAY_TOPIC_MISSING = error_code("essay_topic_missing", Kind.CONFLICT, "The essay topic is not set")
ESSAY_NOT_STARTED = error_code("essay_not_started", Kind.CONFLICT, "The essay is not started")
ESSAY_TIME_OVER = error_code("essay_time_over", Kind.CONFLICT, "The essay time is over")
ESSAY_LOCKED = error_code("essay_locked", Kind.CONFLICT, "The essay is submitted and locked")
ESSAY_OVER_WORD_LIMIT = error_code("essay_over_word_limit", Kind.INVALID, "The essay is over the word limit")
ESSAY_EMPTY = error_code("essay_empty", Kind.INVALID, "The essay is empty")
ESSAY_NOT_SUBMITTED = error_code("essay_not_submitted", Kind.CONFLICT, "The essay is not submitted yet")
ESSAYS_IN_PROGRESS = error_code("essays_in_progress", Kind.CONFLICT, "Essays are still being written")
NO_PRACTICAL_STAGE = error_code("no_practical_stage", Kind.CONFLICT, "This competition has no practical assessment")
STAGE_NOT_REACHED = error_code("stage_not_reached", Kind.CONFLICT, "The candidate has not reached this stage")
STAGE_CLOSED = error_code("stage_closed", Kind.CONFLICT, "The stage is closed")
SCORE_OUT_OF_RANGE = error_code("score_out_of_range", Kind.INVALID, "The score is outside the scale")
SCORING_QUORUM_NOT_REACHED = error_code(
    "scoring_quorum_not_reached", Kind.CONFLICT, "Too few commission members have scored"
)
