"""Account pages: sign-in and sign-out, registration (with the IIN checked as it is typed), the personal file,
consents and notifications. Every change goes through the candidates' and notifications' services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.auth import reset
from app.auth import service as auth
from app.auth.models import CANDIDATE
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.candidates import service as candidates
from app.candidates.models import CONSENT_KINDS, OPTIONAL_CONSENTS, REQUIRED_CONSENTS
from app.candidates.schemas import CandidatePersonalOut, ConsentsUpdate, PersonalFileIn, RegistrationIn
from app.deps import NowDep, QueueDep, SessionDep, SettingsDep
from app.errors import DomainError
from app.notifications import service as notifications
from app.rules.iin import InvalidIIN, parse_iin
from app.rules.policy import EDUCATION_LEVELS
from app.web import sessions
from app.web.deps import (
    CandidateVisitor,
    CheckedForm,
    Visitor,
    VisitorDep,
    WebRoute,
    field,
    redirect,
    render,
    safe_next,
    secure_cookies,
)
from app.web.i18n import Texts
from app.web.messages import PAGE_TEXTS, FieldError, field_error, problem_message
from app.web.nav import WORK_HOME
from app.web.public import level_name

router = APIRouter(route_class=WebRoute, include_in_schema=False)

LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "education": ("level", "field", "institution", "start_date", "end_date"),
    "work": ("employer", "position", "start_date", "end_date", "functional_area"),
    "languages": ("language", "level"),
}
"""The personal file's lists as form rows named ``<list>-<index>-<field>`` (the element id too)."""
_MAX_ROWS = 30
REGISTRATION_ORDER = (
    "email",
    "password",
    "iin",
    "surname",
    "given_name",
    "patronymic",
    "phone",
    "region",
    "consents-selection_rules",
    "consents-personal_data",
)

FIELD_TEXTS: dict[str, str] = {
    "email": "Enter an e-mail address, like name@example.kz",
    "password": "The password needs at least 10 characters",
    "iin": "Enter your 12-digit IIN",
    "surname": "Enter your surname",
    "given_name": "Enter your given name",
    "phone": "Enter a phone number, like +7 701 123 45 67",
    "region": "Enter your region",
    "start_date": "Enter a real date",
    "end_date": "Enter a real date, not before the start date",
}
"""Words for a form field the schema refused, by the field's name (msgids of the web catalogue)."""


def _field_id(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in LIST_FIELDS:
        if len(parts) == 1:
            return f"{parts[0]}-0-{LIST_FIELDS[parts[0]][0]}"
        if len(parts) == 2:  # a whole row refused: dates out of order
            return f"{parts[0]}-{parts[1]}-end_date"
    if parts and parts[0] == "consents":
        return "consents-" + (parts[1] if len(parts) > 1 else REQUIRED_CONSENTS[0])
    return "-".join(parts) or "main-content"


def schema_errors(error: ValidationError, texts: Texts, form_order: list[str]) -> list[FieldError]:
    """Each refused field once, in the order of the form (``form_order``: field ids), with words from the web
    catalogue."""
    found: dict[str, FieldError] = {}
    for item in error.errors():
        field_id = _field_id(tuple(item.get("loc", ())))
        name = field_id.rsplit("-", 1)[-1]
        message = texts.gettext(FIELD_TEXTS.get(name, "Check this field"))
        found.setdefault(field_id, FieldError(field_id, message))
    rank = {field_id: index for index, field_id in enumerate(form_order)}
    return sorted(found.values(), key=lambda e: rank.get(e.field, len(rank)))


def _rows(form: FormData, name: str) -> list[dict[str, str]]:
    rows = []
    for index in range(_MAX_ROWS):
        row = {key: field(form, f"{name}-{index}-{key}") for key in LIST_FIELDS[name]}
        if any(row.values()):
            rows.append({key: value for key, value in row.items() if value or key != "end_date"})
    return rows


def personal_file_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: field(form, key) for key in ("surname", "given_name", "phone", "region")}
    values["patronymic"] = field(form, "patronymic") or None
    for name in LIST_FIELDS:
        values[name] = _rows(form, name)
    return values


def _set_session_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(sessions.SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


# --- sign-in and sign-out ---------------------------------------------------------------------------------


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, visitor: VisitorDep, next: str = "/applications", reset: str = "") -> HTMLResponse:
    return render(
        request,
        visitor,
        "sign_in.html",
        title=visitor.texts.gettext("Sign in"),
        next=safe_next(next, "/applications"),
        values={},
        password_changed=bool(reset),
    )


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request, visitor: VisitorDep, form: CheckedForm, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    email, target = field(form, "email"), safe_next(field(form, "next"), "/applications")
    password = form.get("password")
    try:
        with session.begin():
            account = auth.PasswordAuthenticator().authenticate(
                session=session, credentials=auth.PasswordCredentials(email=email, password=str(password or ""))
            )
            if visitor.session_token:  # a sign-in over a live session replaces it (no session fixation)
                sessions.end(session, visitor.session_token)
            token = sessions.start(session, account, now)
    except DomainError as problem:
        return render(
            request,
            visitor,
            "sign_in.html",
            status=401,
            title=visitor.texts.gettext("Sign in"),
            errors=[field_error(problem, visitor.texts)],
            next=target,
            values={"email": email},
        )
    response = redirect(_after_sign_in(account.role, field(form, "next")))
    _set_session_cookie(response, token, secure_cookies(settings))
    return response


def _after_sign_in(role: str, asked: str) -> str:
    """A candidate goes where they were going (their applications by default); staff to the page they
    asked for, else to their work page."""
    if role == CANDIDATE:
        return safe_next(asked, "/applications")
    target = safe_next(asked, WORK_HOME)
    return WORK_HOME if target == "/applications" else target


@router.post("/sign-out")
def sign_out(visitor: VisitorDep, form: CheckedForm, session: SessionDep) -> Response:
    """End the session on the server, then forget the cookie."""
    if visitor.session_token:
        with session.begin():
            sessions.end(session, visitor.session_token)
    response = redirect("/")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


# --- registration -------------------------------------------------------------------------------------------


def _registration_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        "register.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Create an account"),
        values=values or {},
        required_consents=REQUIRED_CONSENTS,
        optional_consents=OPTIONAL_CONSENTS,
    )


@router.get("/register", response_class=HTMLResponse)
def registration_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return _registration_page(request, visitor)


@router.post("/register/iin-check", response_class=HTMLResponse)
def iin_check(request: Request, visitor: VisitorDep, form: CheckedForm) -> HTMLResponse:
    """The core's IIN check as the person types (a POST: an IIN never travels in a URL)."""
    iin = field(form, "iin")
    message, valid = "", False
    if iin:
        try:
            info = parse_iin(iin)
            valid = True
            message = visitor.texts.gettext("The IIN is valid: born %(date)s", date=visitor.texts.date(info.birth_date))
        except InvalidIIN as exc:
            message = visitor.texts.gettext(PAGE_TEXTS.get(exc.code, "Enter your 12-digit IIN"))
    return render(request, visitor, "_iin_status.html", message=message, valid=valid)


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    visitor: VisitorDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    queue: QueueDep,
    now: NowDep,
) -> Response:
    values: dict[str, Any] = {
        key: field(form, key) for key in ("email", "iin", "surname", "given_name", "patronymic", "phone", "region")
    }
    consents = {kind: form.get(f"consents-{kind}") == "yes" for kind in CONSENT_KINDS}
    shown = {**values, "consents": consents}
    try:
        data = RegistrationIn.model_validate(
            {
                **values,
                "patronymic": values["patronymic"] or None,
                "password": str(form.get("password") or ""),
                "locale": visitor.locale,
                "consents": consents,
            }
        )
    except ValidationError as error:
        errors = schema_errors(error, visitor.texts, list(REGISTRATION_ORDER))
        try:  # the IIN is the core's to check; say what is wrong with it in the same answer
            parse_iin(values["iin"])
        except InvalidIIN as exc:
            errors.insert(
                sum(1 for e in errors if e.field in ("email", "password")),
                FieldError(
                    "iin",
                    visitor.texts.gettext(PAGE_TEXTS.get(exc.code, "Enter your 12-digit IIN"))
                    if values["iin"]
                    else visitor.texts.gettext("Enter your 12-digit IIN"),
                ),
            )
        return _registration_page(request, visitor, status=422, errors=errors, values=shown)
    try:
        with session.begin():
            candidate = candidates.register(session=session, queue=queue, data=data, secret_key=settings.secret_key)
            # The e-mail or IIN has an account: its owner is told by e-mail (issue 13); the page says no more.
            token = None if candidate is None else sessions.start(session, candidate.account, now)
    except DomainError as problem:
        return _registration_page(
            request, visitor, status=422, errors=[field_error(problem, visitor.texts)], values=shown
        )
    if token is None:
        return redirect("/sign-in")
    response = redirect("/profile/edit?registered=1")
    _set_session_cookie(response, token, secure_cookies(settings))
    return response


# --- the personal file ------------------------------------------------------------------------------------------


def _own_file(session: Any, visitor: Visitor, secret_key: str) -> CandidatePersonalOut:
    assert visitor.account is not None
    with session.begin():
        candidate = candidates.candidate_of_account(session, visitor.account)
        ensure_can(visitor.account, "candidate.read_personal", candidate)
        return candidates.candidate_personal_view(candidate, secret_key=secret_key)


@router.get("/profile", response_class=HTMLResponse)
def profile(
    request: Request, visitor: CandidateVisitor, session: SessionDep, settings: SettingsDep, saved: str = ""
) -> HTMLResponse:
    personal = _own_file(session, visitor, settings.secret_key)
    return render(
        request,
        visitor,
        "profile.html",
        title=visitor.texts.gettext("Your personal file"),
        personal=personal,
        saved=bool(saved),
        required_consents=REQUIRED_CONSENTS,
        optional_consents=OPTIONAL_CONSENTS,
    )


def _edit_page(
    request: Request,
    visitor: Visitor,
    values: dict[str, Any],
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    registered: bool = False,
) -> HTMLResponse:
    rows = {name: [*values.get(name, []), {}] for name in LIST_FIELDS}
    t = visitor.texts
    return render(
        request,
        visitor,
        "profile_edit.html",
        status=status,
        errors=errors,
        title=t.gettext("Change your personal file"),
        values=values,
        rows=rows,
        education_levels=EDUCATION_LEVELS,
        level_names={level: level_name(level, visitor.locale) for level in EDUCATION_LEVELS},
        language_names=[("kk", t.gettext("Kazakh")), ("ru", t.gettext("Russian")), ("en", t.gettext("English"))],
        level_options=[
            (level, t.gettext("native speaker") if level == "native" else level) for level in LANGUAGE_LEVELS
        ],
        registered=registered,
    )


@router.get("/profile/edit", response_class=HTMLResponse)
def profile_edit_page(
    request: Request, visitor: CandidateVisitor, session: SessionDep, settings: SettingsDep, registered: str = ""
) -> HTMLResponse:
    personal = _own_file(session, visitor, settings.secret_key)
    values = personal.model_dump(mode="json")
    return _edit_page(request, visitor, values, registered=bool(registered))


@router.post("/profile/edit", response_class=HTMLResponse)
def profile_edit(request: Request, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep) -> Response:
    assert visitor.account is not None
    values = personal_file_values(form)
    try:
        data = PersonalFileIn.model_validate({**values, "locale": visitor.locale})
    except ValidationError as error:
        order = [
            "surname",
            "given_name",
            "patronymic",
            "phone",
            "region",
            *(
                f"{name}-{index}-{key}"
                for name, keys in LIST_FIELDS.items()
                for index in range(_MAX_ROWS)
                for key in keys
            ),
        ]
        return _edit_page(request, visitor, values, status=422, errors=schema_errors(error, visitor.texts, order))
    try:
        with session.begin():
            candidate = candidates.candidate_of_account(session, visitor.account)
            ensure_can(visitor.account, "candidate.update", candidate)
            candidates.update_file(session=session, candidate=candidate, data=data, actor=visitor.account)
    except DomainError as problem:
        return _edit_page(request, visitor, values, status=422, errors=[field_error(problem, visitor.texts)])
    return redirect("/profile?saved=1")


@router.post("/profile/consents", response_class=HTMLResponse)
def change_consents(request: Request, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep) -> Response:
    """Grant or withdraw the optional consents (the required ones cannot be withdrawn: the service says so)."""
    assert visitor.account is not None
    data = ConsentsUpdate.model_validate({kind: form.get(f"consents-{kind}") == "yes" for kind in OPTIONAL_CONSENTS})
    with session.begin():
        candidate = candidates.candidate_of_account(session, visitor.account)
        ensure_can(visitor.account, "candidate.consents.update", candidate)
        candidates.update_consents(session=session, candidate=candidate, data=data, actor=visitor.account)
    return redirect("/profile?saved=1")


# --- notifications -----------------------------------------------------------------------------------------------


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, visitor: CandidateVisitor, session: SessionDep) -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        page = notifications.list_for_account(session=session, account_id=visitor.account.id, limit=50, offset=0)
        items = [
            {
                "id": n.id,
                "subject": n.subject,
                "body": n.body,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in page.items
        ]
    return render(
        request,
        visitor,
        "notifications.html",
        title=visitor.texts.gettext("Notifications"),
        items=items,
        unread=page.unread,
    )


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: Id, visitor: CandidateVisitor, form: CheckedForm, session: SessionDep) -> Response:
    assert visitor.account is not None
    with session.begin():
        notifications.mark_read(
            session=session,
            account_id=visitor.account.id,
            notification_id=notification_id,
            actor_role=visitor.account.role,
        )
    return redirect("/notifications")


# --- password reset by an e-mail link --------------------------------------------------------------------------


@router.get("/password-reset", response_class=HTMLResponse)
def password_reset_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return render(
        request, visitor, "password_reset.html", title=visitor.texts.gettext("Reset your password"), sent=False
    )


@router.post("/password-reset", response_class=HTMLResponse)
def request_password_reset(
    request: Request,
    visitor: VisitorDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    queue: QueueDep,
    now: NowDep,
) -> HTMLResponse:
    """The same answer whether the e-mail is known or not (nobody learns who has an account)."""
    with session.begin():
        reset.request_reset(session=session, queue=queue, email=field(form, "email"), settings=settings, now=now)
    return render(request, visitor, "password_reset.html", title=visitor.texts.gettext("Check your e-mail"), sent=True)


def _new_password_page(
    request: Request,
    visitor: Visitor,
    token: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        "password_new.html",
        status=status,
        errors=errors,
        token=token,
        problem=problem,
        title=visitor.texts.gettext("Choose a new password"),
    )


@router.get("/password-reset/new", response_class=HTMLResponse)
def new_password_page(
    request: Request,
    visitor: VisitorDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Query(max_length=600)] = "",
) -> HTMLResponse:
    try:
        with session.begin():
            reset.account_of_token(session, token, secret_key=settings.secret_key, now=now)
    except DomainError as problem:
        return _new_password_page(request, visitor, "", status=400, problem=problem_message(problem, visitor.texts))
    return _new_password_page(request, visitor, token)


@router.post("/password-reset/new", response_class=HTMLResponse)
def set_new_password(
    request: Request, visitor: VisitorDep, form: CheckedForm, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Set the password, end every signed-in session of the account, then sign in again."""
    token = field(form, "token")
    try:
        data = reset.NewPasswordIn.model_validate({"password": str(form.get("password") or "")})
    except ValidationError:
        return _new_password_page(
            request,
            visitor,
            token,
            status=422,
            errors=[FieldError("password", visitor.texts.gettext(FIELD_TEXTS["password"]))],
        )
    try:
        with session.begin():
            account = reset.reset_password(session=session, token=token, data=data, settings=settings, now=now)
            sessions.end_all(session, account.id)
    except DomainError as problem:
        return _new_password_page(request, visitor, "", status=400, problem=problem_message(problem, visitor.texts))
    response = redirect("/sign-in?reset=1")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response
