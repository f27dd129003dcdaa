"""What every page needs: the visitor (language, account, CSRF token), rendering, and the page route class.

``WebRoute`` turns what a handler raises into a page: a domain error of kind not-found or
forbidden into the 404 or 403 page, a missing sign-in into a redirect to the sign-in page, any
other exception into the 500 page (logged with the request id, never shown).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from app.auth.models import CANDIDATE, STAFF_ROLES, Account
from app.deps import NowDep, SessionDep, SettingsDep
from app.errors import DomainError, Kind
from app.logs import current_request_id
from app.settings import Settings
from app.web import sessions
from app.web.i18n import LOCALE_NAMES, PAGE_LOCALES, Texts, page_locale
from app.web.messages import FieldError, problem_kind, problem_message
from app.web.nav import links_for

log = logging.getLogger("irikteu.web")

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class SignInRequired(Exception):
    """The page needs a signed-in candidate; the visitor is sent to the sign-in page and back."""


class PageForbidden(Exception):
    """The visitor may not see this page (another role, or a form without its CSRF token)."""


@dataclass
class Visitor:
    """Who is asking, in which language, with which CSRF token."""

    locale: str
    texts: Texts
    account: Account | None
    session_token: str | None
    csrf: str


def secure_cookies(settings: Settings) -> bool:
    """Cookies are ``Secure`` in production; development and the tests serve plain HTTP on 127.0.0.1."""
    return settings.environment == "production"


def get_visitor(request: Request, session: SessionDep, settings: SettingsDep, now: NowDep) -> Visitor:
    locale = page_locale(request)
    token = request.cookies.get(sessions.SESSION_COOKIE)
    account = None
    if token:
        with session.begin():
            account = sessions.resume(session, token, now)
    basis = token if account is not None and token else request.state.visitor_id
    return Visitor(
        locale=locale,
        texts=Texts(locale),
        account=account,
        session_token=token if account is not None else None,
        csrf=sessions.csrf_token(settings.secret_key, basis),
    )


VisitorDep = Annotated[Visitor, Depends(get_visitor)]


def get_candidate(visitor: VisitorDep) -> Visitor:
    if visitor.account is None:
        raise SignInRequired()
    if visitor.account.role != CANDIDATE:
        raise PageForbidden()
    return visitor


CandidateVisitor = Annotated[Visitor, Depends(get_candidate)]


def staff_of(*roles: str) -> Callable[[Visitor], Visitor]:
    """A dependency: the signed-in visitor when their role is one of ``roles`` (any staff role when none)."""
    allowed = roles or STAFF_ROLES

    def dependency(visitor: VisitorDep) -> Visitor:
        if visitor.account is None:
            raise SignInRequired()
        if visitor.account.role not in allowed:
            raise PageForbidden()
        return visitor

    return dependency


StaffVisitor = Annotated[Visitor, Depends(staff_of())]


async def read_form(request: Request) -> FormData:
    return await request.form()


def checked_form(visitor: VisitorDep, form: Annotated[FormData, Depends(read_form)]) -> FormData:
    """The posted form, once its CSRF token matches the visitor's; the 403 page otherwise."""
    presented = form.get("csrf_token")
    if not isinstance(presented, str) or not hmac.compare_digest(presented, visitor.csrf):
        raise PageForbidden()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_day(value: str) -> date | None:
    """A form's ISO date (``2026-03-01``), or None where it is not a real date."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_id(value: str) -> int | None:
    """A form's or query's row number (digits, within the database's integer), or None."""
    return int(value) if value.isdigit() and int(value) < 2**31 else None


def fields(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The named fields of a form, each stripped (``""`` where absent or a file)."""
    return {name: field(form, name) for name in names}


def render(
    request: Request,
    visitor: Visitor,
    template: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` in the visitor's language; ``errors`` fill the error summary."""
    texts = visitor.texts
    body = templates.get_template(template).render(
        request=request,
        visitor=visitor,
        locale=visitor.locale,
        texts=texts,
        _=texts.gettext,
        ngettext=texts.ngettext,
        fmt_date=texts.date,
        fmt_datetime=texts.datetime,
        fmt_number=texts.number,
        csrf_token=visitor.csrf,
        errors=errors or [],
        errors_by_field={e.field: e.message for e in errors or []},
        page_title=title,
        other_locales=[(code, LOCALE_NAMES[code]) for code in PAGE_LOCALES if code != visitor.locale],
        staff_links=links_for(visitor.account.role) if visitor.account is not None else [],
        current_path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status, headers={"Content-Language": visitor.locale})


def redirect(url: str) -> RedirectResponse:
    """After a POST: see the result with a GET (303), so a reload never posts twice."""
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path of this site (no scheme, no host, no ``//``): a sign-in never sends anyone elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def plain_visitor(request: Request) -> Visitor:
    """A visitor without the database (for the error pages: the database may be what failed)."""
    locale = page_locale(request)
    return Visitor(locale=locale, texts=Texts(locale), account=None, session_token=None, csrf="")


def error_page(request: Request, status: int, message: str | None = None) -> HTMLResponse:
    visitor = plain_visitor(request)
    texts = visitor.texts
    titles = {
        403: texts.gettext("You cannot see this page"),
        404: texts.gettext("Page not found"),
        500: texts.gettext("Sorry, there is a problem with the service"),
    }
    title = titles.get(status, texts.gettext("The request cannot be completed"))
    return render(
        request,
        visitor,
        "error.html",
        status=status,
        title=title,
        status_code=status,
        message=message,
        request_id=current_request_id(),
    )


class WebRoute(APIRoute):
    """A page route: what the handler raises becomes a page, never a stack trace or a JSON problem."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired:
                return redirect("/sign-in?next=" + quote(request.url.path, safe="/"))
            except PageForbidden:
                return error_page(request, 403)
            except RequestValidationError:
                return error_page(request, 400)
            except DomainError as problem:
                kind = problem_kind(problem)
                if kind is Kind.UNAUTHENTICATED:
                    return redirect("/sign-in?next=" + quote(request.url.path, safe="/"))
                status = {Kind.NOT_FOUND: 404, Kind.FORBIDDEN: 403}.get(kind, 409)
                return error_page(request, status, problem_message(problem, plain_visitor(request).texts))
            except Exception:
                log.exception("page failed", extra={"path": request.url.path})
                return error_page(request, 500)

        return page_handler
