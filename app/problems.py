"""RFC 9457 problem details: one error type for the service and the handlers that render it.

Every error a client sees is ``application/problem+json`` with a stable snake_case
``code``; ``title`` is in the request's language (Kazakh, Russian or English) and
``detail`` says what exactly went wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.error_codes import DOMAIN_ERROR_MODULES  # noqa: F401 (declares every domain's codes for title_of)
from app.errors import BAD_REQUEST, DomainError, Kind, declared_codes
from app.i18n import negotiate, translate
from app.logs import current_request_id
from app.rules.errors import RulesError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("irikteu.problems")

# The English titles (the msgids of the kk/ru catalogues) of the codes only the HTTP layer raises; every
# domain code carries its own title in its domain's ``errors`` module (``app.error_codes`` imports them all).
TITLES: dict[str, str] = {
    "method_not_allowed": "Method not allowed",
    "internal_error": "Internal error",
    "not_ready": "The service is not ready",
    "database_unavailable": "The database is not available; try again",
    "invalid_replay_input": "The competition data is not valid",
    "invalid_policy": "The selection policy is not valid",
    "rules_error": "The data breaks a selection rule",
}

# The one map from a domain error's kind to the JSON API's status.
STATUS_OF_KIND: dict[Kind, int] = {
    Kind.BAD_REQUEST: 400,
    Kind.INVALID: 422,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.FORBIDDEN: 403,
    Kind.UNAUTHENTICATED: 401,
    Kind.TOO_LARGE: 413,
    Kind.UNSUPPORTED_MEDIA: 415,
    Kind.RATE_LIMITED: 429,
}

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
}


class ProblemError(Exception):
    """A condition of the HTTP layer itself (routers, the auth dependencies); services raise ``DomainError``."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, detail: str, *, status: int | None = None, code: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.extensions = extensions


def title_of(code: str) -> str:
    """The English title of a stable code: the HTTP layer's own, else its domain's declaration."""
    declared = declared_codes().get(code)
    return TITLES.get(code) or (declared.title if declared is not None else BAD_REQUEST.title)


def problem_response(
    request: Request, *, status: int, code: str, detail: str | None, title: str | None = None, **extensions: Any
) -> JSONResponse:
    locale = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"urn:irikteu:problem:{code}",
        "title": translate(title or title_of(code), locale),
        "status": status,
        "code": code,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update(extensions)
    headers = {"Content-Language": locale}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"  # RFC 6750: tell the client how to authenticate
    if status in (429, 503) and isinstance(extensions.get("retry_after"), int):
        headers["Retry-After"] = str(extensions["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _json_pointer(loc: tuple[Any, ...]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "#/" + "/".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, status=exc.status, code=exc.code, detail=exc.detail, **exc.extensions)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            request,
            status=STATUS_OF_KIND[exc.kind],
            code=exc.code,
            detail=exc.detail,
            title=exc.error.title,
            **exc.extensions,
        )

    @app.exception_handler(RulesError)
    async def _rules(request: Request, exc: RulesError) -> JSONResponse:
        extensions: dict[str, Any] = {}
        problems = getattr(exc, "problems", None)
        if problems:
            extensions["errors"] = [p if isinstance(p, str) else f"{p[0]}: {p[1]}" for p in problems]
        return problem_response(request, status=422, code=exc.code, detail=str(exc), **extensions)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"pointer": _json_pointer(tuple(e.get("loc", ()))), "detail": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem_response(
            request, status=422, code="validation_error", detail=f"{len(errors)} field(s) are not valid", errors=errors
        )

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        # The connection was cut (PostgreSQL restarted or pg_terminate_backend) or the database did not
        # answer in time: the transaction is gone with it, nothing of this request was committed.
        log.warning(
            "database unavailable",
            extra={
                "error": type(exc.orig).__name__ if exc.orig else "unknown",
                "connection_invalidated": exc.connection_invalidated,
            },
        )
        return problem_response(
            request,
            status=503,
            code="database_unavailable",
            detail="the database connection failed during the request; nothing of it was saved; send it again",
            retry_after=1,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(request, status=exc.status_code, code=code, detail=detail)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; ``code`` is stable, ``title`` is in the request's language.",
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "description": "each invalid field: pointer, detail, type"},
        "retry_after": {"type": "integer", "description": "429: seconds to wait (also the Retry-After header)"},
    },
    "additionalProperties": True,
}
_ERROR_DESCRIPTIONS = {
    400: "The request is malformed",
    401: "Sign-in required, or the token is not valid",
    403: "Not allowed",
    404: "Not found (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "Too large",
    415: "Unsupported media type",
    422: "A value breaks a rule or the schema",
    429: "Too many attempts; see Retry-After",
    500: "Internal error (quote the request id)",
    503: "A dependency does not answer",
}
_METHODS = ("get", "put", "post", "delete", "patch")


def _error_statuses(operation: dict[str, Any], path: str) -> list[int]:
    statuses = {400, 404, 409, 422, 429, 500}
    if path.startswith("/api/"):
        statuses.add(401)  # a bad token is refused even where signing in is optional; a failed sign-in too
    if operation.get("security"):
        statuses.add(403)
    if "requestBody" in operation or "/recording" in path:
        statuses |= {413, 415}
    statuses.add(503)  # the database connection failed (``database_unavailable``), or /ready's dependencies
    return sorted(statuses)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every operation of an OpenAPI document its error statuses, each an ``application/problem+json``
    problem (issue 13: a generated client must know the errors it will get). Changes ``schema`` in place."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(operation, path):
                existing = responses.get(str(status), {})
                responses[str(status)] = {
                    "description": existing.get("description") or _ERROR_DESCRIPTIONS[status],
                    "content": problem,
                }
    return schema


def install_problem_documentation(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the problem responses (once, then cached as FastAPI does)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def internal_error_response(request: Request) -> JSONResponse:
    """The 500 problem; the request-id middleware renders it so the id is still known."""
    return problem_response(
        request,
        status=500,
        code="internal_error",
        detail="An unexpected error occurred; quote the request id to support.",
    )
