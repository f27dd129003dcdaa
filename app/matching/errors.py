"""Error codes of matching queries: search texts, filters and pages."""

from __future__ import annotations

from app.errors import Kind, error_code

SEARCH_TEXT_EMPTY = error_code("search_text_empty", Kind.INVALID, "The search text is empty")
SEARCH_TEXT_TOO_LONG = error_code("search_text_too_long", Kind.INVALID, "The search text is too long")
CONTRADICTORY_FILTERS = error_code("contradictory_filters", Kind.INVALID, "The filters contradict each other")
INVALID_PAGE = error_code("invalid_page", Kind.INVALID, "The page is out of range")
