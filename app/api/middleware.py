"""HTTP middleware of the API: the request id on every log line and response, and one access line."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from app.logs import REQUEST_ID_HEADER, access_log, bind_request_id, unbind_request_id
from app.problems import internal_error_response


class RequestIdMiddleware(BaseHTTPMiddleware):
    """Takes the caller's ``X-Request-ID`` (or makes one), logs one access line per request."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
        token = bind_request_id(request_id)
        started = time.perf_counter()
        status = 500
        try:
            try:
                response = await call_next(request)
            except Exception:
                access_log.exception("unhandled error", extra={"path": request.url.path})
                response = internal_error_response(request)
            status = response.status_code
            response.headers[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            unbind_request_id(token)
