"""Error codes of the research domain."""

from __future__ import annotations

from app.errors import Kind, error_code

BAD_SCOPE = error_code("research_bad_scope", Kind.INVALID, "The research scope is not valid")
UNKNOWN_GROUP = error_code("research_unknown_group", Kind.INVALID, "Unknown group definition")
SCOPE_NOT_FOUND = error_code("research_scope_not_found", Kind.NOT_FOUND, "No such competition or state body")
EXPORT_NOT_APPROVED = error_code(
    "research_export_not_approved",
    Kind.CONFLICT,
    "The study is not approved: no export before an administrator approves it",
)
STUDY_NOT_FOUND = error_code("research_study_not_found", Kind.NOT_FOUND, "No such research study")
STUDY_DECIDED = error_code("research_study_decided", Kind.CONFLICT, "The study has been decided already")
STUDY_INVALID = error_code("research_study_invalid", Kind.INVALID, "The study request is not complete")
EXPOSURE_BAD_SCOPE = error_code(
    "research_exposure_bad_scope", Kind.INVALID, "Give one talent search (a vacancy) or one alert campaign"
)
