"""Error codes of the vacancy life cycle."""

from __future__ import annotations

from app.errors import Kind, error_code

VACANCY_NOT_DRAFT = error_code("vacancy_not_draft", Kind.CONFLICT, "The vacancy is not a draft")
VACANCY_NOT_PUBLISHED = error_code("vacancy_not_published", Kind.CONFLICT, "The vacancy is not published")
VACANCY_CLOSED = error_code("vacancy_closed", Kind.CONFLICT, "The vacancy is closed")
