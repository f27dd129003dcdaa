"""Pages of administrators: accounts and state bodies, the ML stop switches, the outbox,
the audit chain, the model registry.

Each page calls the service the API calls (``app.auth.service``, ``app.mlops.service``,
``app.notifications.service``, ``app.audit.service``, ``app.prescoring.registry`` and ``gate``).
Decisions where the issue was silent: switching a module off asks for a reason on the page (the API
accepts none, and its tests switch modules off without one); accounts cannot be deactivated here,
because no service does it yet. An e-mail of unknown outcome gets its own page with the decision (send it
again, warned it may arrive twice, or mark it as sent; a note), a check, then ``decide_held``, which audits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.audit.service import verify_chain
from app.auth import service as accounts
from app.auth.models import ADMINISTRATOR, STAFF_ROLES
from app.auth.schemas import StaffAccountIn, StateBodyIn
from app.bounds import Id
from app.deps import QueueDep, SessionDep, SettingsDep
from app.errors import DomainError, Kind
from app.mlops.errors import UNKNOWN_ML_MODULE
from app.mlops.service import ML_MODULES, set_enabled, switches
from app.notifications import service as notifications
from app.notifications.models import OUTBOX_STATUSES
from app.notifications.schemas import OutboxDecisionIn
from app.prescoring import registry
from app.prescoring.gate import GateThresholds, verdict
from app.web.deps import CheckedForm, Visitor, WebRoute, field, fields, redirect, render, staff_of
from app.web.messages import FieldError, field_error, problem_message
from app.web.nav import _, staff_link
from app.web.proctor import namer

router = APIRouter(route_class=WebRoute, include_in_schema=False)

M = TypeVar("M", bound=BaseModel)

AdminVisitor = Annotated[Visitor, Depends(staff_of(ADMINISTRATOR))]

staff_link(
    "/admin",
    _("Administration"),
    ADMINISTRATOR,
    order=10,
    description=_("Accounts, state bodies, the ML stop switches, the outbox, the audit chain and the model registry."),
)

SECTIONS: list[tuple[str, str, str]] = [
    ("/admin/accounts", _("Accounts"), _("Staff accounts: create one with its role and state body.")),
    ("/admin/state-bodies", _("State bodies"), _("The state bodies that announce vacancies.")),
    ("/admin/ml", _("ML switches"), _("Stop or start each ML module, with the reason.")),
    ("/admin/outbox", _("Outbox"), _("E-mails by state, and those held or of unknown outcome.")),
    ("/admin/audit", _("Audit chain"), _("Whether the hash chain of the audit trail is intact.")),
    ("/admin/models", _("Model registry"), _("Each trained model's card and its validity gate.")),
]
"""The administration's pages: path, title, what it is for (msgids)."""

ROLE_NAMES: dict[str, str] = {
    "hr_officer": _("HR officer"),
    "commission_member": _("Commission member"),
    "proctor": _("Proctor"),
    "researcher": _("Researcher"),
    "administrator": _("Administrator"),
}
MODULE_NAMES: dict[str, str] = {
    "essay_prescoring": _("Essay pre-scoring"),
    "transcription": _("Interview transcription"),
    "matching": _("Candidate and vacancy matching"),
    "vacancy_alerts": _("Vacancy alert drafts"),
}
MODULE_DESCRIPTIONS: dict[str, str] = {
    "essay_prescoring": _("Suggests an essay score on the 5-point scale to the commission."),
    "transcription": _("Writes the interview recording out as a transcript (Whisper)."),
    "matching": _("Ranks vacancies for candidates and candidates for the talent search."),
    "vacancy_alerts": _("Drafts vacancy alert campaigns for HR officers to approve."),
}
OUTBOX_STATUS_NAMES: dict[str, str] = {
    "queued": _("Waiting to be sent"),
    "sending": _("Being sent now"),
    "unknown": _("Handed to the mail server: outcome unknown"),
    "sent": _("Sent"),
    "failed": _("Failed after every retry"),
}
OUTBOX_DECISION_NAMES: dict[str, str] = {
    "resend": _("Send it again"),
    "mark_sent": _("Mark it as sent"),
}
OUTBOX_DECISION_FIELD_ERRORS: dict[str, str] = {
    "decision": _("Choose whether to send the e-mail again or to mark it as sent"),
    "note": _("The note is too long: at most 500 characters"),
}
"""Each field's message when the API's schema (``OutboxDecisionIn``) refuses it (msgids)."""
CHAIN_REASONS: dict[str, str] = {
    "previous hash does not match": _("its previous hash does not match the event before it"),
    "content does not match its hash": _("its content does not match its hash"),
}
REASON_MAX = 2000
"""The longest switch reason the API takes (``app.mlops.router.SwitchIn``)."""


def _sections(visitor: Visitor) -> list[tuple[str, str, str]]:
    t = visitor.texts
    return [(path, t.gettext(title), t.gettext(text)) for path, title, text in SECTIONS]


def _page(request: Request, visitor: Visitor, template: str, title: str, **context: Any) -> HTMLResponse:
    return render(
        request, visitor, template, title=visitor.texts.gettext(title), sections=_sections(visitor), **context
    )


@router.get("/admin", response_class=HTMLResponse)
def home(request: Request, visitor: AdminVisitor) -> HTMLResponse:
    return _page(request, visitor, "admin/home.html", _("Administration"))


# --- accounts and state bodies ----------------------------------------------------------------------------


def _role_name(visitor: Visitor) -> Callable[[str], str]:
    return namer(visitor.texts, ROLE_NAMES)


@router.get("/admin/accounts", response_class=HTMLResponse)
def account_list(request: Request, visitor: AdminVisitor, session: SessionDep, created: str = "") -> HTMLResponse:
    assert visitor.account is not None
    with session.begin():
        rows = [
            {
                "id": a.id,
                "display_name": a.display_name,
                "email": a.email,
                "role": a.role,
                "state_body": a.state_body.code if a.state_body is not None else None,
                "is_active": a.is_active,
            }
            for a in accounts.staff_accounts(session=session, actor=visitor.account)
        ]
    return _page(
        request,
        visitor,
        "admin/accounts.html",
        _("Accounts"),
        rows=rows,
        created=created,
        role_name=_role_name(visitor),
    )


def _body_options(session: Session, visitor: Visitor) -> list[tuple[str, str]]:
    kk = visitor.locale == "kk"
    with session.begin():
        return [
            (str(b.id), f"{b.code} — {b.name_kk if kk else b.name_ru}") for b in accounts.state_bodies(session=session)
        ]


def _account_form(
    request: Request,
    visitor: Visitor,
    session: Session,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    t = visitor.texts
    return _page(
        request,
        visitor,
        "admin/account_new.html",
        _("Create a staff account"),
        status=status,
        errors=errors,
        values=values or {"locale": visitor.locale},
        roles=[(role, t.gettext(ROLE_NAMES[role])) for role in STAFF_ROLES],
        bodies=_body_options(session, visitor),
    )


@router.get("/admin/accounts/new", response_class=HTMLResponse)
def account_new(request: Request, visitor: AdminVisitor, session: SessionDep) -> HTMLResponse:
    return _account_form(request, visitor, session)


ACCOUNT_FIELDS = ("email", "display_name", "role", "state_body_id", "locale", "iin", "password")
ACCOUNT_FIELD_ERRORS: dict[str, str] = {
    "email": _("Enter an e-mail address like name@example.kz"),
    "display_name": _("Enter the full name (at most 200 characters)"),
    "role": _("Choose a role"),
    "state_body_id": _("Choose a state body"),
    "locale": _("Choose a language"),
    "iin": _("The IIN has 12 digits"),
    "password": _("The password needs at least 10 characters, 4 of them different, and must not be a common one"),
}
"""Each field's message when the API's schema refuses it (msgids)."""
STATE_BODY_FIELD_ERRORS: dict[str, str] = {
    "code": _("Enter a code of letters, digits, dots, dashes or underscores (at most 40)"),
    "name_kk": _("Enter the name in Kazakh (one line, at most 300 characters)"),
    "name_ru": _("Enter the name in Russian (one line, at most 300 characters)"),
    "region": _("Enter the region (one line, at most 80 characters)"),
}


def _validated(
    model: type[M], body: dict[str, Any], order: tuple[str, ...], messages: dict[str, str], visitor: Visitor
) -> tuple[M | None, list[FieldError]]:
    """``body`` checked by the API's own schema; each refused field's message, in the order of the form."""
    try:
        return model.model_validate(body), []
    except ValidationError as invalid:
        wrong = {str(error["loc"][0]) for error in invalid.errors() if error["loc"]}
        return None, [FieldError(name, visitor.texts.gettext(messages[name])) for name in order if name in wrong]


@router.post("/admin/accounts/new", response_class=HTMLResponse)
def account_create(
    request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep, settings: SettingsDep
) -> Response:
    assert visitor.account is not None
    values = fields(form, ACCOUNT_FIELDS)
    body: dict[str, Any] = {**values, "state_body_id": values["state_body_id"] or None, "iin": values["iin"] or None}
    data, errors = _validated(StaffAccountIn, body, ACCOUNT_FIELDS, ACCOUNT_FIELD_ERRORS, visitor)
    values.pop("password")
    if data is None:
        return _account_form(request, visitor, session, status=422, values=values, errors=errors)
    try:
        with session.begin():
            created = accounts.create_staff_account(
                session=session, data=data, actor=visitor.account, secret_key=settings.secret_key
            )
            created_id = created.id
    except DomainError as problem:
        default = "state_body_id" if problem.code.startswith("state_body") else "email"
        error = field_error(problem, visitor.texts, default)
        return _account_form(request, visitor, session, status=422, values=values, errors=[error])
    return redirect(f"/admin/accounts?created={created_id}")


@router.get("/admin/state-bodies", response_class=HTMLResponse)
def state_body_list(request: Request, visitor: AdminVisitor, session: SessionDep, created: str = "") -> HTMLResponse:
    with session.begin():
        rows = [
            {"id": b.id, "code": b.code, "name_kk": b.name_kk, "name_ru": b.name_ru, "region": b.region}
            for b in accounts.state_bodies(session=session)
        ]
    return _page(request, visitor, "admin/state_bodies.html", _("State bodies"), rows=rows, created=created)


STATE_BODY_FIELDS = ("code", "name_kk", "name_ru", "region")


@router.get("/admin/state-bodies/new", response_class=HTMLResponse)
def state_body_new(request: Request, visitor: AdminVisitor) -> HTMLResponse:
    return _page(request, visitor, "admin/state_body_new.html", _("Add a state body"), values={})


@router.post("/admin/state-bodies/new", response_class=HTMLResponse)
def state_body_create(request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep) -> Response:
    assert visitor.account is not None
    values = fields(form, STATE_BODY_FIELDS)
    data, errors = _validated(StateBodyIn, dict(values), STATE_BODY_FIELDS, STATE_BODY_FIELD_ERRORS, visitor)
    if data is not None:
        try:
            with session.begin():
                created = accounts.create_state_body(session=session, data=data, actor=visitor.account)
                return redirect(f"/admin/state-bodies?created={created.id}")
        except DomainError as problem:
            errors = [field_error(problem, visitor.texts, "code")]
    return _page(
        request, visitor, "admin/state_body_new.html", _("Add a state body"), status=422, errors=errors, values=values
    )


# --- the ML stop switches ---------------------------------------------------------------------------------


def _switch_rows(session: Session, visitor: Visitor) -> list[dict[str, Any]]:
    t = visitor.texts
    with session.begin():
        states = switches(session)
    return [
        {
            "module": module,
            "name": t.gettext(MODULE_NAMES.get(module, module)),
            "description": t.gettext(MODULE_DESCRIPTIONS.get(module, module)),
            "enabled": bool(state["enabled"]),
            "reason": state["reason"],
            "changed_at": datetime.fromisoformat(str(state["changed_at"])) if state["changed_at"] else None,
        }
        for module, state in states.items()
    ]


@router.get("/admin/ml", response_class=HTMLResponse)
def switch_list(request: Request, visitor: AdminVisitor, session: SessionDep, changed: str = "") -> HTMLResponse:
    rows = _switch_rows(session, visitor)
    changed_name = next((row["name"] for row in rows if row["module"] == changed), None)
    return _page(request, visitor, "admin/ml.html", _("ML switches"), rows=rows, changed_name=changed_name)


def _switch_form(
    request: Request,
    visitor: Visitor,
    session: Session,
    module: str,
    *,
    status: int = 200,
    reason: str = "",
    errors: list[FieldError] | None = None,
) -> HTMLResponse:
    if module not in ML_MODULES:
        raise DomainError(UNKNOWN_ML_MODULE, f"unknown ML module {module!r}")
    row = next(row for row in _switch_rows(session, visitor) if row["module"] == module)
    title = _("Switch a module off") if row["enabled"] else _("Switch a module on")
    return _page(request, visitor, "admin/ml_switch.html", title, status=status, errors=errors, row=row, reason=reason)


@router.get("/admin/ml/{module}", response_class=HTMLResponse)
def switch_page(module: str, request: Request, visitor: AdminVisitor, session: SessionDep) -> HTMLResponse:
    return _switch_form(request, visitor, session, module)


@router.post("/admin/ml/{module}", response_class=HTMLResponse)
def switch_module(
    module: str, request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep
) -> Response:
    """Switch ``module`` to the state the form names; switching off needs the reason, kept and shown."""
    assert visitor.account is not None
    enabled = field(form, "enabled") == "on"
    reason = field(form, "reason")
    message = None
    if not enabled and not reason:
        message = _("Write why you switch the module off")
    elif len(reason) > REASON_MAX:
        message = _("The reason is too long: at most 2000 characters")
    if message is not None:
        errors = [FieldError("reason", visitor.texts.gettext(message))]
        return _switch_form(request, visitor, session, module, status=422, reason=reason, errors=errors)
    with session.begin():
        set_enabled(session=session, module=module, enabled=enabled, reason=reason or None, actor=visitor.account)
    return redirect(f"/admin/ml?changed={module}")


# --- the outbox, the audit chain, the model registry ------------------------------------------------------


@router.get("/admin/outbox", response_class=HTMLResponse)
def outbox(request: Request, visitor: AdminVisitor, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    t = visitor.texts
    with session.begin():
        summary = notifications.outbox_summary(session=session)
        held = notifications.outbox_messages(session=session, statuses=notifications.HELD_STATUSES, recent=50)
        recent = notifications.outbox_messages(session=session, recent=20)
    return _page(
        request,
        visitor,
        "admin/outbox.html",
        _("Outbox"),
        counts=[
            (status, t.gettext(OUTBOX_STATUS_NAMES[status]), summary["counts"][status]) for status in OUTBOX_STATUSES
        ],
        smtp_configured=bool(settings.smtp_url),
        queued_reason=summary["queued_reason"],
        failures=summary["recent_failures"],
        held=held,
        recent=recent,
        status_name=namer(t, OUTBOX_STATUS_NAMES),
    )


def _letter_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    outbox_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    decided: str = "",
) -> HTMLResponse:
    """One e-mail of the outbox; for one of unknown outcome, the decision form."""
    t = visitor.texts
    with session.begin():
        letter = notifications.outbox_message(session=session, outbox_id=outbox_id)
    return render(
        request,
        visitor,
        "admin/outbox_letter.html",
        title=t.gettext("E-mail № %(number)s", number=str(letter["id"])),
        sections=_sections(visitor),
        status=status,
        errors=errors,
        letter=letter,
        values=values or {},
        decided=decided if decided in OUTBOX_DECISION_NAMES else "",
        decisions=list(OUTBOX_DECISION_NAMES),
        decision_name=namer(t, OUTBOX_DECISION_NAMES),
        status_name=namer(t, OUTBOX_STATUS_NAMES),
    )


def _outbox_decision(
    visitor: Visitor, form: CheckedForm
) -> tuple[OutboxDecisionIn | None, dict[str, str], list[FieldError]]:
    """The posted decision checked by the API's own schema; the errors in the order of the form otherwise."""
    values = {"decision": field(form, "decision"), "note": field(form, "note")}
    body = {"decision": values["decision"], "note": values["note"] or None}
    decision, errors = _validated(OutboxDecisionIn, body, ("decision", "note"), OUTBOX_DECISION_FIELD_ERRORS, visitor)
    errors = [FieldError("decision-resend", e.message) if e.field == "decision" else e for e in errors]
    return decision, values, errors


@router.get("/admin/outbox/{outbox_id}", response_class=HTMLResponse)
def outbox_letter(
    outbox_id: Id, request: Request, visitor: AdminVisitor, session: SessionDep, decided: str = ""
) -> HTMLResponse:
    return _letter_page(request, visitor, session, outbox_id, decided=decided)


@router.post("/admin/outbox/{outbox_id}", response_class=HTMLResponse)
def outbox_check(
    outbox_id: Id, request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep
) -> HTMLResponse:
    """The decision and its note shown for a check before they are recorded."""
    decision, values, errors = _outbox_decision(visitor, form)
    if decision is None:
        return _letter_page(request, visitor, session, outbox_id, status=422, errors=errors, values=values)
    with session.begin():
        letter = notifications.outbox_message(session=session, outbox_id=outbox_id)
    return _page(
        request,
        visitor,
        "admin/outbox_check.html",
        _("Check your decision"),
        letter=letter,
        values=values,
        decision_name=namer(visitor.texts, OUTBOX_DECISION_NAMES),
        status_name=namer(visitor.texts, OUTBOX_STATUS_NAMES),
    )


@router.post("/admin/outbox/{outbox_id}/change", response_class=HTMLResponse)
def outbox_change(
    outbox_id: Id, request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep
) -> HTMLResponse:
    """Back from the check to the form, with the decision and note as they were."""
    values = {"decision": field(form, "decision"), "note": field(form, "note")}
    return _letter_page(request, visitor, session, outbox_id, values=values)


@router.post("/admin/outbox/{outbox_id}/decision", response_class=HTMLResponse)
def outbox_decide(
    outbox_id: Id, request: Request, visitor: AdminVisitor, form: CheckedForm, session: SessionDep, queue: QueueDep
) -> Response:
    """Record the checked decision by ``decide_held``, the API's service (it audits the decision and its note)."""
    assert visitor.account is not None
    decision, values, errors = _outbox_decision(visitor, form)
    if decision is None:
        return _letter_page(request, visitor, session, outbox_id, status=422, errors=errors, values=values)
    try:
        with session.begin():
            notifications.decide_held(
                session=session,
                queue=queue,
                outbox_id=outbox_id,
                decision=decision.decision,
                actor_id=visitor.account.id,
                actor_role=visitor.account.role,
                note=decision.note,
            )
    except DomainError as problem:
        if problem.kind is not Kind.CONFLICT:
            raise
        errors = [FieldError("letter-state", problem_message(problem, visitor.texts))]
        return _letter_page(request, visitor, session, outbox_id, status=409, errors=errors)
    return redirect(f"/admin/outbox/{outbox_id}?decided={decision.decision}")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit(request: Request, visitor: AdminVisitor, session: SessionDep) -> HTMLResponse:
    with session.begin():
        check = verify_chain(session)
    reason = namer(visitor.texts, CHAIN_REASONS)(check.reason) if check.reason else None
    return _page(request, visitor, "admin/audit.html", _("Audit chain"), check=check, reason=reason)


def _failure_text(visitor: Visitor, failure: str, thresholds: GateThresholds) -> str:
    t = visitor.texts
    if failure == "qwk":
        return t.gettext("QWK below %(limit)s", limit=t.number(thresholds.min_qwk))
    if failure == "smd":
        return t.gettext("|SMD| above %(limit)s", limit=t.number(thresholds.max_smd))
    if failure.startswith("group_smd:"):
        group = failure.removeprefix("group_smd:")
        return t.gettext(
            "|SMD| of the group %(group)s above %(limit)s", group=group, limit=t.number(thresholds.max_group_smd)
        )
    if failure == "no_validity_figures":
        return t.gettext("No cross-validated figures")
    return failure


@router.get("/admin/models", response_class=HTMLResponse)
def models(request: Request, visitor: AdminVisitor, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    thresholds = GateThresholds.of(settings)
    cards = []
    with session.begin():
        for row in registry.list_models(session):
            metrics = row.metrics or {}
            gate = verdict(metrics, thresholds)
            figures: dict[str, Any] = metrics["validity"] if isinstance(metrics.get("validity"), dict) else {}
            cards.append(
                {
                    "id": row.id,
                    "name": row.name,
                    "version": row.version,
                    "scope": row.scope,
                    "topic_key": row.topic_key,
                    "params_sha256": row.params_sha256,
                    "training_data_sha256": row.training_data_sha256,
                    "n_train": row.n_train,
                    "created_at": row.created_at,
                    "qwk": gate.qwk,
                    "n": gate.n,
                    "smd": figures.get("smd"),
                    "groups": [
                        (f"{name}={value}", values["n"], values["smd"])
                        for name, by_value in (figures.get("groups") or {}).items()
                        for value, values in by_value.items()
                    ],
                    "held_back": not gate.usable,
                    "failures": [_failure_text(visitor, failure, thresholds) for failure in gate.failures],
                }
            )
    return _page(request, visitor, "admin/models.html", _("Model registry"), cards=cards, thresholds=thresholds)
