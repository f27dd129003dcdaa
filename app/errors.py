"""Domain errors: what a service raises when a request breaks a workflow rule, with no HTTP in sight.

Each domain declares its error codes once, in its own ``errors.py``, as :class:`ErrorCode` values:
a stable snake_case ``code`` (the one clients see), a :class:`Kind` (what sort of failure it is)
and an English title (the msgid of the kk/ru catalogues). A service raises
``DomainError(CODE, "what exactly went wrong", **extensions)``; each front end maps it to its own
form — the JSON API to a problem response (``app.api.problems``: kind -> status), the pages to a
message next to the field. Services never name an HTTP status.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Kind(enum.Enum):
    """The sort of failure; the front ends choose their response from it."""

    BAD_REQUEST = "bad_request"  # the request itself is malformed (e.g. a broken link token)
    INVALID = "invalid"  # well-formed, but a value breaks a rule
    NOT_FOUND = "not_found"  # the object does not exist, or the caller may not know it does
    CONFLICT = "conflict"  # the object's current state does not allow this
    FORBIDDEN = "forbidden"  # the caller's role or ownership does not allow this
    UNAUTHENTICATED = "unauthenticated"  # the caller is not (correctly) signed in
    TOO_LARGE = "too_large"  # an upload is over a limit
    UNSUPPORTED_MEDIA = "unsupported_media"  # an upload is of a type the service does not take
    RATE_LIMITED = "rate_limited"  # too many attempts; try again later


@dataclass(frozen=True)
class ErrorCode:
    """One stable error code with its kind and English title."""

    code: str
    kind: Kind
    title: str


_REGISTRY: dict[str, ErrorCode] = {}


def error_code(code: str, kind: Kind, title: str) -> ErrorCode:
    """Declare (once per domain) an error code; the same code may be declared with another kind."""
    declared = ErrorCode(code, kind, title)
    known = _REGISTRY.get(code)
    if known is not None and known.title != title:
        raise ValueError(f"error code {code!r} declared twice with different titles")
    _REGISTRY.setdefault(code, declared)
    return declared


def declared_codes() -> dict[str, ErrorCode]:
    """Every error code declared so far (the domains' ``errors`` modules must be imported first)."""
    return dict(_REGISTRY)


class DomainError(Exception):
    """A request broke a workflow rule; ``code`` is stable, ``detail`` says what exactly went wrong."""

    def __init__(self, error: ErrorCode, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.extensions = extensions

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def kind(self) -> Kind:
        return self.error.kind


# Codes every domain shares.
BAD_REQUEST = error_code("bad_request", Kind.BAD_REQUEST, "The request is not valid")
VALIDATION_ERROR = error_code("validation_error", Kind.INVALID, "The request data is not valid")
NOT_FOUND = error_code("not_found", Kind.NOT_FOUND, "Not found")
CONFLICT = error_code("conflict", Kind.CONFLICT, "Conflict with the current state")
UNAUTHORIZED = error_code("unauthorized", Kind.UNAUTHENTICATED, "Sign-in required")
FORBIDDEN = error_code("forbidden", Kind.FORBIDDEN, "Not allowed")
REQUEST_TOO_LARGE = error_code("request_too_large", Kind.TOO_LARGE, "The request is too large")
