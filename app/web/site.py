"""``install_web``: the pages' routes, static files, security headers and HTML error pages on the service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.web import (
    account,
    admin,
    alerts,
    applications,
    appointments,
    commission,
    exams,
    hr,
    proctor,
    public,
    research,
    sessions,
    staff,
    transcripts,
)
from app.web import talent as talent_pages
from app.web.deps import error_page, secure_cookies

NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/health", "/ready")
"""Paths the JSON API and its documentation own: no page headers, JSON problems for errors."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the unsubscribe link carries its token in the URL
    "X-Frame-Options": "DENY",
}


PAGE_MODULES = (
    public,
    account,
    applications,
    exams,
    alerts,
    staff,
    transcripts,  # before commission: its /commission/... paths are matched first
    commission,
    hr,
    proctor,
    admin,
    research,
    appointments,
    talent_pages,
)
"""Every page module, each with its ``router`` (the staff areas add their menu links when imported)."""


def is_page(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


class PageHeadersMiddleware(BaseHTTPMiddleware):
    """The security headers on every page, and a visitor cookie (the CSRF basis before sign-in)."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not is_page(request.url.path):
            return await call_next(request)
        visitor_id = request.cookies.get(sessions.VISITOR_COOKIE, "")
        fresh = None
        if not 20 <= len(visitor_id) <= 100:
            visitor_id = fresh = sessions.new_token()
        request.state.visitor_id = visitor_id
        response = await call_next(request)
        response.headers.update(PAGE_HEADERS)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=3600"
        else:
            response.headers["Cache-Control"] = "no-store"
        if fresh is not None:
            response.set_cookie(
                sessions.VISITOR_COOKIE,
                fresh,
                httponly=True,
                samesite="lax",
                path="/",
                secure=secure_cookies(request.app.state.settings),
            )
        return response


class PageGzip:
    """Gzip for pages and their static files only (the API's responses stay as they are)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_page(scope["path"]):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_web(app: FastAPI) -> None:
    """Add the pages to the service (after the API's routers and problem handlers)."""
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.add_middleware(PageHeadersMiddleware)
    app.add_middleware(PageGzip)
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        """An unknown page or method: the HTML page for a browser (it asks for text/html), else the JSON problem."""
        assert isinstance(exc, StarletteHTTPException)
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and is_page(request.url.path) and exc.status_code in (403, 404, 405):
            return error_page(request, 404 if exc.status_code == 405 else exc.status_code)
        response = api_handler(request, exc)
        return await response if isinstance(response, Awaitable) else response

    app.add_exception_handler(StarletteHTTPException, http_error)
