"""What every HTTP response carries and every request body is held to: security headers and a size limit.

Two plain ASGI middlewares (no buffering, so streamed uploads stay streamed):

- ``SecurityHeadersMiddleware`` adds ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  no-referrer``, ``X-Frame-Options: DENY`` and a Content-Security-Policy to every response —
  ``default-src 'self'`` for the API, and for the interactive documentation (``/docs``,
  ``/redoc``), whose pages load Swagger UI and ReDoc from a CDN with inline scripts, a policy
  that allows exactly those. A response that sets its own policy (a page with its nonces)
  keeps it. In production it adds ``Strict-Transport-Security``.
- ``BodySizeLimitMiddleware`` refuses a request body over ``request_max_bytes`` with the 413
  ``request_too_large`` problem — announced (``Content-Length``) before anything is read, or
  counted while it streams. Interview recordings have their own, larger limit
  (``recording_max_bytes``, checked where they are received), so their upload route is left to it.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import REQUEST_TOO_LARGE
from app.problems import problem_response

API_CSP: Final = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""For ``/docs`` and ``/redoc`` only: FastAPI's pages load their scripts and styles from jsDelivr."""
DOCS_PATHS: Final = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS: Final = "max-age=31536000; includeSubDomains"

RECORDING_UPLOAD: Final = re.compile(r"^/api/v1/interviews/[^/]+/recording$")
"""The one route with its own (larger) body limit: the interview recording, streamed to disk."""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if scope.get("path") in DOCS_PATHS else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                wanted = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", policy.encode()),
                ]
                if self.production:
                    wanted.append((b"strict-transport-security", HSTS.encode()))
                headers += [(name, value) for name, value in wanted if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or RECORDING_UPLOAD.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = started = replaced = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # A body parser may turn the refusal into its own 400: the answer is the 413 all the same.
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                started = True
                if exceeded:
                    replaced = True
                    await self._refuse(scope, receive, send)
                    return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope),
            status=413,
            code=REQUEST_TOO_LARGE.code,
            title=REQUEST_TOO_LARGE.title,
            detail=f"the request body is larger than {self.max_bytes} bytes",
            limit_bytes=self.max_bytes,
        )
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
