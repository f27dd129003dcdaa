"""Error codes of the research domain."""

from __future__ import annotations

from app.errors import Kind, error_code

BAD_SCOPE = error_code("research_bad_scope", Kind.INVALID, "The research scope is not valid")
UNKNOWN_GROUP = error_code("research_unknown_group", Kind.INVALID, "Unknown group definition")
SCOPE_NOT_FOUND = error_code("research_scope_not_found", Kind.NOT_FOUND, "No such competition or state body")
