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

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 422: "validation_error"}


class ProblemError(Exception):
    """A condition of the HTTP layer itself (routers, the auth dependencies); services raise ``DomainError``."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, detail: str, *, status: int | None = None, code: str | None = None,
                 **extensions: Any) -> None:
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


def problem_response(request: Request, *, status: int, code: str, detail: str | None,
                     title: str | None = None, **extensions: Any) -> JSONResponse:
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
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _json_pointer(loc: tuple[Any, ...]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    return "#/" + "/".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, status=exc.status, code=exc.code, detail=exc.detail,
                                **exc.extensions)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(request, status=STATUS_OF_KIND[exc.kind], code=exc.code, detail=exc.detail,
                                title=exc.error.title, **exc.extensions)

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
            {"pointer": _json_pointer(tuple(e.get("loc", ()))), "detail": e.get("msg", ""),
             "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem_response(request, status=422, code="validation_error",
                                detail=f"{len(errors)} field(s) are not valid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(request, status=exc.status_code, code=code, detail=detail)


def internal_error_response(request: Request) -> JSONResponse:
    """The 500 problem; the request-id middleware renders it so the id is still known."""
    return problem_response(request, status=500, code="internal_error",
                            detail="An unexpected error occurred; quote the request id to support.")
