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

from app.errors import DomainError, Kind
from app.i18n import negotiate, translate
from app.logs import current_request_id
from app.rules.errors import RulesError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("irikteu.problems")

# Stable codes and their English titles (the msgids of the kk/ru catalogues).
TITLES: dict[str, str] = {
    "bad_request": "The request is not valid",
    "validation_error": "The request data is not valid",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "conflict": "Conflict with the current state",
    "unauthorized": "Sign-in required",
    "forbidden": "Not allowed",
    "internal_error": "Internal error",
    "not_ready": "The service is not ready",
    "database_unavailable": "The database is not available; try again",
    "invalid_replay_input": "The competition data is not valid",
    "invalid_policy": "The selection policy is not valid",
    "rules_error": "The data breaks a selection rule",
    # identity and candidates (app.auth, app.candidates)
    "invalid_credentials": "The e-mail or password is wrong",
    "iin_length": "The IIN is not valid",
    "iin_not_digits": "The IIN is not valid",
    "iin_century": "The IIN is not valid",
    "iin_birth_date": "The IIN is not valid",
    "iin_check_digit": "The IIN is not valid",
    "iin_already_registered": "This IIN is already registered",
    "email_already_registered": "This e-mail is already registered",
    "consent_required": "This consent is required",
    "state_body_required": "An HR officer needs a state body",
    "state_body_not_found": "The state body does not exist",
    "state_body_code_taken": "This state body code is taken",
    # protocol (app.protocol)
    "signature_invalid": "The signature is not valid",
    "already_signed": "Already signed",
    "results_not_published": "The results are not published yet",
    # essays, practical assessment, interviews (app.essays, app.interviews)
    "essay_topic_missing": "The essay topic is not set",
    "essay_not_started": "The essay is not started",
    "essay_time_over": "The essay time is over",
    "essay_locked": "The essay is submitted and locked",
    "essay_over_word_limit": "The essay is over the word limit",
    "essay_empty": "The essay is empty",
    "essay_not_submitted": "The essay is not submitted yet",
    "essays_in_progress": "Essays are still being written",
    "stage_not_reached": "The candidate has not reached this stage",
    "score_out_of_range": "The score is outside the scale",
    "not_on_commission": "Not a voting member of this commission",
    "scoring_quorum_not_reached": "Too few commission members have scored",
    "stage_closed": "The stage is closed",
    "previous_stage_open": "The previous stage is not closed",
    "not_shortlisted": "Not on the interview shortlist",
    "slot_taken": "The interview time is taken",
    "slot_in_past": "The interview time has passed",
    "not_a_working_day": "Not a working day",
    "interview_not_scheduled": "No interview is scheduled",
    "interview_not_started": "The interview has not started",
    "interview_already_held": "The interview has been held",
    # test sessions and proctoring (app.exams, app.proctoring)
    "booking_too_soon": "The test is booked too soon",
    "booking_not_found": "The test booking does not exist",
    "test_session_not_found": "The test session does not exist",
    "session_already_started": "The test session is already started",
    "session_time_over": "The test time is over",
    "unknown_item": "The item is not in this test",
    "review_already_decided": "The review is already decided",
    # interview recordings and transcripts (app.transcripts, issue 6)
    "not_media": "The file is not audio or video",
    "silent_audio": "The recording is silent",
    "recording_too_large": "The recording is too large",
    "recording_too_long": "The recording is too long",
    "unsupported_language": "The language is not supported",
    "unsupported_media_type": "The request body type is not supported",
    "transcript_not_ready": "The transcript is not ready yet",
    "transcript_version_conflict": "The transcript has a newer version",
    "recording_deleted": "The recording has been deleted",
    # matching (app.matching; issue 7 M1)
    "search_text_empty": "The search text is empty",
    "search_text_too_long": "The search text is too long",
    "invalid_page": "The page is out of range",
    # talent search and vacancy alerts (app.talent, app.alerts)
    "contradictory_filters": "The filters contradict each other",
    "already_invited": "The candidate is already invited",
    "vacancy_not_published": "The vacancy is not published",
    "unsubscribe_token_invalid": "The unsubscribe link is not valid",
    "unsubscribe_token_expired": "The unsubscribe link has expired",
    "campaign_not_draft": "The campaign is no longer a draft",
    # essay pre-scoring (app.prescoring, issue 5)
    "essay_discussion_required": "Flagged essays need the commission's recorded discussion",
    "essay_not_flagged": "The essay is not flagged for discussion",
    "not_commission_chair": "Only the commission's chair may do this",
    "prescoring_mode_locked": "The pre-score review mode can no longer change",
    "ml_module_disabled": "The ML module is switched off",
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
    """An error the API reports as a problem; raise it (or a domain subclass) from services."""

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


def problem_response(request: Request, *, status: int, code: str, detail: str | None,
                     title: str | None = None, **extensions: Any) -> JSONResponse:
    locale = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"urn:irikteu:problem:{code}",
        "title": translate(title or TITLES.get(code, TITLES["bad_request"]), locale),
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

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        # The connection was cut (PostgreSQL restarted or pg_terminate_backend) or the database did not
        # answer in time: the transaction is gone with it, nothing of this request was committed.
        log.warning("database unavailable", extra={"error": type(exc.orig).__name__ if exc.orig else "unknown",
                                                   "connection_invalidated": exc.connection_invalidated})
        return problem_response(request, status=503, code="database_unavailable",
                                detail="the database connection failed during the request; nothing of it was "
                                       "saved; send it again", retry_after=1)

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
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string"}, "detail": {"type": "string"}, "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "description": "each invalid field: pointer, detail, type"},
        "retry_after": {"type": "integer", "description": "429: seconds to wait (also the Retry-After header)"},
    },
    "additionalProperties": True,
}
_ERROR_DESCRIPTIONS = {
    400: "The request is malformed", 401: "Sign-in required, or the token is not valid", 403: "Not allowed",
    404: "Not found (or not visible to the caller)", 409: "Conflicts with the current state",
    413: "Too large", 415: "Unsupported media type", 422: "A value breaks a rule or the schema",
    429: "Too many attempts; see Retry-After", 500: "Internal error (quote the request id)",
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
                responses[str(status)] = {"description": existing.get("description") or _ERROR_DESCRIPTIONS[status],
                                          "content": problem}
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
    return problem_response(request, status=500, code="internal_error",
                            detail="An unexpected error occurred; quote the request id to support.")
