"""Pages of appointment (after the competition and outside it) and the selection analytics.

HR of a state body records, per competition with published results, the order appointing the winner
(number and date), the winner's refusal or failure to hand in the documents, and the documents'
receipt; the appointment window (6th-10th working day) and the 10-calendar-day documents deadline come
from the stored outcome and are shown with overdue marks. Outside the window the service asks for a
reason (``outside_window_reason_required``), shown at the reason field.

Outside competition, HR proposes a route for a draft vacancy (each route's conditions shown as the
qualification check shows them) and an administrator, never the proposer, approves or rejects it.

Every rule is the service's (``app.appointments.service``); a "check your answers" step runs the same
service call in a transaction that is rolled back, so the check and the recording can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.appointments import service
from app.appointments.models import OFFERED, PROPOSED, Appointment
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.bounds import Id
from app.candidates.models import Candidate
from app.competitions.service import get_competition
from app.deps import PolicyDep, QueueDep, SessionDep, TodayDep
from app.errors import DomainError
from app.jobs.queue import JobQueue
from app.rules.routes import ROUTES
from app.selection.service import full_name, ranked_names
from app.vacancies import service as vacancies
from app.vacancies.models import DRAFT, Vacancy
from app.web import analytics
from app.web.analytics import ROUTE_TEXTS  # the routes' names, the figures page's and these pages' alike
from app.web.deps import CheckedForm, Visitor, WebRoute, field, fields, parse_day, parse_id, redirect, render, staff_of
from app.web.i18n import Texts
from app.web.messages import FieldError, problem_message
from app.web.nav import staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _(message: str) -> str:
    """Mark a msgid for the catalogues; translated where it is shown."""
    return message


staff_link(
    "/appointments",
    _("Appointments"),
    HR_OFFICER,
    ADMINISTRATOR,
    order=60,
    description=_("Record appointments after competitions, propose and approve appointments without competition"),
)

HrVisitor = Annotated[Visitor, Depends(staff_of(HR_OFFICER))]
AppointmentStaff = Annotated[Visitor, Depends(staff_of(HR_OFFICER, ADMINISTRATOR))]

STATUS_TEXTS: dict[str, str] = {
    "proposed": _("Awaiting approval"),
    "rejected": _("Rejected"),
    "offered": _("Awaiting the order"),
    "appointed": _("Appointed"),
    "refused": _("Refused"),
    "documents_not_submitted": _("Documents not handed in"),
}
NEXT_TEXTS: dict[str, str] = {
    "offer": _("The post is offered to the next ranked candidate."),
    "recompete": _("The post goes back to competition: a new draft vacancy of the same post is made."),
    "vacancy_open": _("The vacancy stays a draft, open for another proposal or a competition."),
}
LOCALITY_TEXTS: dict[str, str] = {
    "district": _("district"),
    "rural": _("rural"),
    "city": _("city"),
    "republican": _("republican"),
}
FIELD_OF_CODE: dict[str, str] = {
    "outside_window_reason_required": "reason",
    "date_before_offer": "on",
    "route_not_eligible": "route",
    "candidate_not_found": "candidate_id",
    "own_proposal": "decision",
    "appointment_decided": "main-content",
}


# --- small helpers ------------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside a transaction to roll back what a "check your answers" step tried."""


def dry_run(session: Session, attempt: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """What ``attempt`` gives when run by the service, with everything it wrote rolled back."""
    seen: dict[str, Any] = {}
    try:
        with session.begin():
            seen = attempt()
            raise _DryRun
    except _DryRun:
        return seen


def area_error(problem: DomainError, texts: Texts, field_id: str | None = None) -> FieldError:
    """The service's refusal as a message at the field it concerns."""
    code = problem.code
    if code == "outside_window_reason_required":
        timing = problem.extensions.get("timing")
        message = (
            texts.gettext("The date is before the appointment window opens: say why in the reason")
            if timing == "early"
            else texts.gettext("The date is after the appointment window closed: say why in the reason")
        )
    elif code == "date_before_offer":
        message = texts.gettext("The date is before the post was offered")
    elif code == "own_proposal":
        message = texts.gettext("You proposed this appointment: a second person must approve or reject it")
    elif code == "route_not_eligible":
        message = texts.gettext("The candidate does not meet every condition of this route")
    elif code == "candidate_not_found":
        message = texts.gettext("No candidate has this number")
    elif code == "appointment_decided":
        message = texts.gettext("This appointment is already decided")
    else:
        message = problem_message(problem, texts)
    return FieldError(field_id or FIELD_OF_CODE.get(code, "main-content"), message)


def _name(session: Session, candidate_id: Id) -> str:
    candidate = session.get(Candidate, candidate_id)
    return "" if candidate is None else full_name(candidate)


def _title(vacancy: Vacancy | None, locale: str) -> str:
    if vacancy is None:
        return ""
    return vacancy.title_kk if locale == "kk" else vacancy.title_ru


def condition_text(condition: dict[str, Any], texts: Texts) -> str:
    """One condition of a route in the page's language, with what is required and what the file shows."""
    code, required, actual = condition["code"], condition["required"], condition["actual"]
    t = texts.gettext
    if code == "state_grant":
        return t("Studied on a state educational grant") + (f" ({t('yes')})" if actual else f" ({t('no')})")
    if code == "gpa":
        has = (
            t("not recorded")
            if actual is None
            else t("%(gpa)s on the %(scale)s scale", gpa=actual["gpa"], scale=actual["scale"])
        )
        return t(
            "GPA at least %(min)s on the %(scale)s scale; the file shows %(has)s",
            min=required["min"],
            scale=required["scale"],
            has=has,
        )
    if code == "within_period_of_diploma":
        until = parse_day(required.get("until") or "")
        diploma = parse_day(actual or "")
        return t(
            "Within %(years)s year(s) of the diploma, until %(until)s; the diploma is of %(diploma)s",
            years=texts.number(int(required["years"])),
            until=texts.date(until) if until else "—",
            diploma=texts.date(diploma) if diploma else t("not recorded"),
        )
    if code == "locality":
        return t(
            "A district or rural post; this post is %(locality)s",
            locality=t(LOCALITY_TEXTS.get(str(actual), str(actual))),
        )
    if code == "academy_best_graduate":
        return t("A best graduate of the Academy of Public Administration")
    if code == "region":
        return t("Any region except %(excluded)s; this post is in %(region)s", excluded=required["not"], region=actual)
    if code == "reserve_member":
        return t("A member of the personnel reserve")
    if code == "reserve_region":
        return t("The reserve of the post's region, %(region)s", region=required)
    if code == "diploma":
        return t("A diploma in the personal file")
    return str(code)


def _conditions(eligibility: dict[str, Any] | None, texts: Texts) -> list[dict[str, Any]]:
    if not eligibility:
        return []
    return [{"met": c["met"], "text": condition_text(c, texts)} for c in eligibility["conditions"]]


def _marks(overdue: dict[str, bool] | None) -> dict[str, bool]:
    return overdue or {"appointment_overdue": False, "documents_overdue": False}


# --- what a page is about: a competition's offer, or one appointment ---------------------------------------


def competition_summary(
    session: Session, visitor: Visitor, competition_id: Id, today: date
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The competition's appointment view (the service's) with names and the current offer."""
    assert visitor.account is not None
    view = service.competition_view(session=session, competition_id=competition_id, actor=visitor.account, today=today)
    competition = get_competition(session=session, competition_id=competition_id)
    names = ranked_names(session=session, competition=competition)
    vacancy = session.get(Vacancy, competition.vacancy_id)
    current = view["offers"][-1] if view["offers"] else None
    deadlines = view["deadlines"] or {}
    window_from = (
        current["window"]["from"] if current and current["window"] else parse_day(deadlines.get("appointment_from", ""))
    )
    window_until = (
        current["window"]["until"]
        if current and current["window"]
        else parse_day(deadlines.get("appointment_until", ""))
    )
    documents_due = current["documents_due"] if current else parse_day(deadlines.get("documents_due", ""))
    code = current["anonymous_code"] if current else view["winner"]
    summary = {
        "kind": "competition",
        "base": f"/appointments/competitions/{competition_id}",
        "title": _title(vacancy, visitor.locale),
        "competition_id": competition_id,
        "published_on": view["results_published_on"],
        "winner": view["winner"],
        "code": code,
        "name": names.get(code, "") if code else "",
        "window_from": window_from,
        "window_until": window_until,
        "documents_due": documents_due,
        "overdue": _marks(current["overdue"] if current else view["overdue"]),
        "status": current["status"] if current else (OFFERED if view["winner"] and view["deadlines"] else None),
        "after_refusal": view["after_winner_refusal"],
        "offers": [{**offer, "name": names.get(offer["anonymous_code"] or "", "")} for offer in view["offers"]],
        "open": (current is None and bool(view["winner"]) and bool(view["deadlines"]))
        or (current is not None and current["status"] == OFFERED),
    }
    return summary, current


def appointment_summary(
    session: Session, visitor: Visitor, appointment_id: Id, today: date, action: str = "appointment.read"
) -> tuple[dict[str, Any], Appointment]:
    assert visitor.account is not None
    appointment = service.get_appointment(
        session=session, appointment_id=appointment_id, actor=visitor.account, action=action
    )
    out = service.appointment_out(session, appointment, today=today)
    vacancy = session.get(Vacancy, appointment.vacancy_id)
    summary = {
        "kind": "direct",
        "base": f"/appointments/{appointment.id}",
        "title": _title(vacancy, visitor.locale),
        "code": appointment.anonymous_code,
        "name": _name(session, appointment.candidate_id),
        "window_from": out["window"]["from"] if out["window"] else None,
        "window_until": out["window"]["until"] if out["window"] else None,
        "documents_due": out["documents_due"],
        "overdue": _marks(out["overdue"]),
        "status": appointment.status,
        "open": appointment.status == OFFERED,
        "appointment": out,
        "conditions": _conditions(appointment.eligibility, visitor.texts),
        "competition_id": appointment.competition_id,
    }
    return summary, appointment


def _offer(session: Session, queue: JobQueue, visitor: Visitor, kind: str, ident: Id) -> Appointment:
    """The offer a form records something about (the competition's current one, made for the winner at first)."""
    assert visitor.account is not None
    if kind == "competition":
        return service.winner_offer(session=session, queue=queue, competition_id=ident, actor=visitor.account)
    return service.get_appointment(
        session=session, appointment_id=ident, actor=visitor.account, action="appointment.manage"
    )


def _summary(session: Session, visitor: Visitor, kind: str, ident: Id, today: date) -> dict[str, Any]:
    with session.begin():
        if kind == "competition":
            return competition_summary(session, visitor, ident, today)[0]
        return appointment_summary(session, visitor, ident, today, action="appointment.manage")[0]


# --- the list -------------------------------------------------------------------------------------------------


@router.get("/appointments", response_class=HTMLResponse)
def appointments_home(
    request: Request, visitor: AppointmentStaff, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """HR: the body's competitions with published results, their appointment's state and overdue marks, and
    the body's appointments; an administrator: the proposals awaiting a second person, and every appointment."""
    account = visitor.account
    assert account is not None
    competitions: list[dict[str, Any]] = []
    with session.begin():
        if account.role == HR_OFFICER:
            for competition in service.published_competitions(session=session, actor=account)[:100]:
                summary, _current = competition_summary(session, visitor, competition.id, today)
                competitions.append(summary)
        listed = service.list_appointments(session=session, actor=account)[:200]
        rows = [
            {
                **service.appointment_out(session, a, today=today),
                "name": _name(session, a.candidate_id),
                "title": _title(session.get(Vacancy, a.vacancy_id), visitor.locale),
            }
            for a in listed
        ]
    awaiting = [r for r in rows if r["status"] == PROPOSED and r["proposed_by"] != account.id]
    return render(
        request,
        visitor,
        "appointments/index.html",
        title=visitor.texts.gettext("Appointments"),
        competitions=competitions,
        appointments=rows,
        awaiting=awaiting if account.role == ADMINISTRATOR else [],
        status_texts=STATUS_TEXTS,
        route_texts=ROUTE_TEXTS,
    )


# --- a competition's appointment ---------------------------------------------------------------------------


@router.get("/appointments/competitions/{competition_id}", response_class=HTMLResponse)
def competition_page(
    request: Request, competition_id: Id, visitor: AppointmentStaff, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    with session.begin():
        summary, _current = competition_summary(session, visitor, competition_id, today)
    done = request.query_params.get("done", "")
    return render(
        request,
        visitor,
        "appointments/competition.html",
        title=visitor.texts.gettext("Appointment after the competition"),
        s=summary,
        done=done if done in ("appointed", "refused", "documents") else "",
        next_text=NEXT_TEXTS.get(request.query_params.get("next", ""), ""),
        status_texts=STATUS_TEXTS,
        can_record=visitor.account is not None and visitor.account.role == HR_OFFICER,
    )


# --- the three records on an open offer: the order, a refusal, the documents ---------------------------------

REFUSAL_KINDS: dict[str, str] = {
    "refused": _("The person refused the post"),
    "documents_not_submitted": _("The person did not hand in the documents in time"),
}


def _dated(
    values: dict[str, str], texts: Texts, errors: list[FieldError], day_field: str, day_message: str
) -> tuple[list[FieldError], date | None]:
    """After a form's own checks: its date (a real date) and its optional reason (at most 2000 characters)."""
    day = parse_day(values[day_field])
    if day is None:
        errors.append(FieldError(day_field, day_message))
    if len(values["reason"]) > 2000:
        errors.append(FieldError("reason", texts.gettext("The reason has at most 2000 characters")))
    return errors, day


def _order_checks(values: dict[str, str], texts: Texts) -> tuple[list[FieldError], date | None]:
    errors = []
    if not values["order_number"]:
        errors.append(FieldError("order_number", texts.gettext("Enter the number of the order")))
    elif len(values["order_number"]) > 64:
        errors.append(FieldError("order_number", texts.gettext("The order number has at most 64 characters")))
    return _dated(values, texts, errors, "appointed_on", texts.gettext("Enter the order's date as a real date"))


def _refusal_checks(values: dict[str, str], texts: Texts) -> tuple[list[FieldError], date | None]:
    errors = []
    if values["kind"] not in REFUSAL_KINDS:
        errors.append(FieldError("kind-refused", texts.gettext("Choose what happened")))
    return _dated(values, texts, errors, "on", texts.gettext("Enter the date as a real date"))


def _documents_checks(values: dict[str, str], texts: Texts) -> tuple[list[FieldError], date | None]:
    """The receipt date is optional; when given it must be a real date."""
    received = parse_day(values["received_on"]) if values["received_on"] else None
    if values["received_on"] and received is None:
        return [FieldError("received_on", texts.gettext("Enter the date as a real date"))], None
    return [], received


def _record_order(
    session: Session, queue: JobQueue, offer: Appointment, actor: Account, values: dict[str, str], day: date | None
) -> dict[str, Any]:
    assert day is not None
    service.record_appointment(
        session=session,
        queue=queue,
        appointment=offer,
        actor=actor,
        order_number=values["order_number"],
        appointed_on=day,
        reason=values["reason"] or None,
    )
    return {"outside_window": offer.outside_window}


def _record_refusal(
    session: Session, queue: JobQueue, offer: Appointment, actor: Account, values: dict[str, str], day: date | None
) -> dict[str, Any]:
    assert day is not None
    return service.record_refusal(
        session=session,
        queue=queue,
        appointment=offer,
        actor=actor,
        kind=values["kind"],
        on=day,
        reason=values["reason"] or None,
    )


def _record_documents(
    session: Session, queue: JobQueue, offer: Appointment, actor: Account, values: dict[str, str], day: date | None
) -> dict[str, Any]:
    service.record_documents(
        session=session, appointment=offer, actor=actor, required=values["serving"] != "yes", received_on=day
    )
    return {}


def _order_checked(texts: Texts, values: dict[str, str], checked: dict[str, Any]) -> dict[str, Any]:
    return {"outside_window": checked.get("outside_window", False)}


def _refusal_checked(texts: Texts, values: dict[str, str], checked: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind_text": texts.gettext(REFUSAL_KINDS[values["kind"]]),
        "next_text": texts.gettext(NEXT_TEXTS.get(str(checked.get("action")), "")),
    }


def _no_field(code: str) -> str | None:
    return None


def _no_extra(texts: Texts) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class _Step:
    """One record on an open offer: its form and checks, the service call, the "check your answers" page (where
    the step has one), the field a refusal of the service is shown at, and the ``done`` mark it ends with."""

    template: str
    title: str
    fields: tuple[str, ...]
    checks: Callable[[dict[str, str], Texts], tuple[list[FieldError], date | None]]
    record: Callable[[Session, JobQueue, Appointment, Account, dict[str, str], date | None], dict[str, Any]]
    done: Callable[[dict[str, Any]], str]
    check: tuple[str, str, Callable[[Texts, dict[str, str], dict[str, Any]], dict[str, Any]]] | None = None
    """The "check your answers" page: its template, its title and what it shows of the rolled-back attempt."""
    error_field: Callable[[str], str | None] = _no_field
    form_extra: Callable[[Texts], dict[str, Any]] = _no_extra


STEPS: dict[str, _Step] = {
    "order": _Step(
        template="appointments/order.html",
        title=_("Record the appointment order"),
        fields=("order_number", "appointed_on", "reason"),
        checks=_order_checks,
        record=_record_order,
        done=lambda recorded: "appointed",
        check=(
            "appointments/order_check.html",
            _("Check the appointment before you record it"),
            _order_checked,
        ),
        error_field=lambda code: "appointed_on" if code == "date_before_offer" else None,
    ),
    "refusal": _Step(
        template="appointments/refusal.html",
        title=_("Record a refusal"),
        fields=("kind", "on", "reason"),
        checks=_refusal_checks,
        record=_record_refusal,
        done=lambda recorded: f"refused&next={recorded.get('action', '')}",
        check=("appointments/refusal_check.html", _("Check the refusal before you record it"), _refusal_checked),
        form_extra=lambda texts: {"kinds": [(k, texts.gettext(v)) for k, v in REFUSAL_KINDS.items()]},
    ),
    "documents": _Step(
        template="appointments/documents.html",
        title=_("Record the documents"),
        fields=("received_on", "serving"),
        checks=_documents_checks,
        record=_record_documents,
        done=lambda recorded: "documents",
        error_field=lambda code: "received_on",
    ),
}


def _step_form(
    request: Request,
    visitor: Visitor,
    step: _Step,
    s: dict[str, Any],
    *,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        visitor,
        step.template,
        status=status,
        errors=errors,
        title=visitor.texts.gettext(step.title),
        s=s,
        values=values,
        **step.form_extra(visitor.texts),
    )


def _step_get(
    request: Request, visitor: Visitor, session: Session, step: _Step, kind: str, ident: Id, today: date
) -> Response:
    s = _summary(session, visitor, kind, ident, today)
    if not s["open"]:
        return redirect(s["base"])
    return _step_form(request, visitor, step, s, values=dict.fromkeys(step.fields, ""))


def _step_post(
    request: Request,
    visitor: Visitor,
    form: FormData,
    session: Session,
    queue: JobQueue,
    step: _Step,
    kind: str,
    ident: Id,
    today: date,
) -> Response:
    """``step=check`` (where the step has a check page): the service's checks, rolled back, and the answers to
    check; ``step=confirm`` (or a step without a check page): recorded."""
    account = visitor.account
    assert account is not None
    values = fields(form, step.fields)
    s = _summary(session, visitor, kind, ident, today)
    errors, day = step.checks(values, visitor.texts)
    if errors:
        return _step_form(request, visitor, step, s, values=values, errors=errors, status=422)

    def attempt() -> dict[str, Any]:
        offer = _offer(session, queue, visitor, kind, ident)
        return step.record(session, queue, offer, account, values, day)

    try:
        if step.check is not None and field(form, "step") != "confirm":
            template, title, shown = step.check
            checked = dry_run(session, attempt)
            return render(
                request,
                visitor,
                template,
                title=visitor.texts.gettext(title),
                s=s,
                values=values,
                day=day,
                **shown(visitor.texts, values, checked),
            )
        with session.begin():
            recorded = attempt()
    except DomainError as problem:
        if problem.code not in FIELD_OF_CODE:
            raise
        error = area_error(problem, visitor.texts, step.error_field(problem.code))
        return _step_form(request, visitor, step, s, values=values, errors=[error], status=422)
    return redirect(f"{s['base']}?done={step.done(recorded)}")


def _step_routes(prefix: str, kind: str) -> None:
    """Each step's form (GET) and its check-then-record (POST) under ``prefix/{ident}/<step>``, for HR."""
    for name, step in STEPS.items():
        _add_step_routes(f"{prefix}/{{ident}}/{name}", kind, step)


def _add_step_routes(path: str, kind: str, step: _Step) -> None:
    def show(request: Request, ident: Id, visitor: HrVisitor, session: SessionDep, today: TodayDep) -> Response:
        return _step_get(request, visitor, session, step, kind, ident, today)

    def record(
        request: Request,
        ident: Id,
        visitor: HrVisitor,
        form: CheckedForm,
        session: SessionDep,
        queue: QueueDep,
        today: TodayDep,
    ) -> Response:
        return _step_post(request, visitor, form, session, queue, step, kind, ident, today)

    router.add_api_route(path, show, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(path, record, methods=["POST"], response_class=HTMLResponse)


_step_routes("/appointments/competitions", "competition")


# --- routes outside competition ----------------------------------------------------------------------------


@router.get("/appointments/direct", response_class=HTMLResponse)
def direct_home(request: Request, visitor: HrVisitor, session: SessionDep) -> HTMLResponse:
    """The body's draft vacancies: posts not put to competition, which a route may fill."""
    with session.begin():
        drafts = vacancies.list_vacancies(session=session, actor=visitor.account, status=DRAFT)
        rows = [{"id": v.id, "title": _title(v, visitor.locale), "category": v.category} for v in drafts]
    return render(
        request,
        visitor,
        "appointments/direct.html",
        title=visitor.texts.gettext("Appointment without competition"),
        drafts=rows,
    )


def _direct_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    vacancy_id: Id,
    *,
    today: date,
    policy: Any,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert visitor.account is not None
    errors = list(errors or [])
    routes: list[dict[str, Any]] = []
    candidate_name = ""
    with session.begin():
        vacancy = service.managed_vacancy(session, vacancy_id, visitor.account)
        title = _title(vacancy, visitor.locale)
        raw = values.get("candidate_id", "")
        if raw:
            candidate_id = parse_id(raw)
            if candidate_id is None:
                errors.append(FieldError("candidate_id", visitor.texts.gettext("Enter the candidate's number")))
            else:
                try:
                    checked = service.eligibility(
                        session=session, candidate_id=candidate_id, vacancy=vacancy, today=today, policy=policy
                    )
                except DomainError as problem:
                    if problem.code != "candidate_not_found":
                        raise
                    errors.append(area_error(problem, visitor.texts))
                else:
                    candidate_name = _name(session, candidate_id)
                    routes = [
                        {
                            "route": r["route"],
                            "name": visitor.texts.gettext(ROUTE_TEXTS[r["route"]]),
                            "eligible": r["eligible"],
                            "conditions": _conditions(r, visitor.texts),
                        }
                        for r in checked
                    ]
    return render(
        request,
        visitor,
        "appointments/propose.html",
        status=422 if errors and status == 200 else status,
        errors=errors,
        title=visitor.texts.gettext("Propose an appointment without competition"),
        vacancy_id=vacancy_id,
        vacancy_title=title,
        values=values,
        routes=routes,
        candidate_name=candidate_name,
        on=today,
    )


@router.get("/appointments/direct/{vacancy_id}", response_class=HTMLResponse)
def propose_page(
    request: Request,
    vacancy_id: Id,
    visitor: HrVisitor,
    session: SessionDep,
    today: TodayDep,
    policy: PolicyDep,
    candidate_id: str = "",
) -> HTMLResponse:
    """Choose the candidate; each route's eligibility is shown condition by condition, then propose."""
    return _direct_page(
        request, visitor, session, vacancy_id, today=today, policy=policy, values={"candidate_id": candidate_id.strip()}
    )


@router.post("/appointments/direct/{vacancy_id}", response_class=HTMLResponse)
def propose_post(
    request: Request,
    vacancy_id: Id,
    visitor: HrVisitor,
    form: CheckedForm,
    session: SessionDep,
    today: TodayDep,
    policy: PolicyDep,
) -> Response:
    assert visitor.account is not None
    t = visitor.texts
    values = fields(form, ("candidate_id", "route", "reason"))
    errors = []
    if values["route"] not in ROUTES:
        errors.append(FieldError("route", t.gettext("Choose the route")))
    if not values["reason"]:
        errors.append(FieldError("reason", t.gettext("Say why this person is proposed")))
    elif len(values["reason"]) > 2000:
        errors.append(FieldError("reason", t.gettext("The reason has at most 2000 characters")))
    if parse_id(values["candidate_id"]) is None:
        errors.append(FieldError("candidate_id", t.gettext("Enter the candidate's number")))
    if errors:
        return _direct_page(
            request, visitor, session, vacancy_id, today=today, policy=policy, values=values, errors=errors, status=422
        )
    try:
        with session.begin():
            appointment = service.propose(
                session=session,
                vacancy_id=vacancy_id,
                candidate_id=int(values["candidate_id"]),
                route=values["route"],
                reason=values["reason"],
                actor=visitor.account,
                today=today,
                policy=policy,
            )
            appointment_id = appointment.id
    except DomainError as problem:
        if problem.code not in ("route_not_eligible", "candidate_not_found", "vacancy_not_open"):
            raise
        error = area_error(problem, t, "route" if problem.code == "vacancy_not_open" else None)
        return _direct_page(
            request, visitor, session, vacancy_id, today=today, policy=policy, values=values, errors=[error], status=409
        )
    return redirect(f"/appointments/{appointment_id}?done=proposed")


def _appointment_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    appointment_id: Id,
    today: date,
    *,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    account = visitor.account
    assert account is not None
    with session.begin():
        s, appointment = appointment_summary(session, visitor, appointment_id, today)
        proposer = session.get(Account, appointment.proposed_by) if appointment.proposed_by else None
        decider = session.get(Account, appointment.decided_by) if appointment.decided_by else None
    done = request.query_params.get("done", "")
    return render(
        request,
        visitor,
        "appointments/appointment.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Appointment"),
        s=s,
        a=s["appointment"],
        route_name=visitor.texts.gettext(ROUTE_TEXTS[appointment.route]),
        status_texts=STATUS_TEXTS,
        proposer=proposer.display_name if proposer else "",
        decider=decider.display_name if decider else "",
        may_decide=account.role == ADMINISTRATOR
        and appointment.status == PROPOSED
        and appointment.proposed_by != account.id,
        may_record=account.role == HR_OFFICER and appointment.status == OFFERED,
        done=done if done in ("proposed", "approved", "rejected", "appointed", "refused", "documents") else "",
        next_text=NEXT_TEXTS.get(request.query_params.get("next", ""), ""),
    )


@router.get("/appointments/{appointment_id}", response_class=HTMLResponse)
def appointment_page(
    request: Request, appointment_id: Id, visitor: AppointmentStaff, session: SessionDep, today: TodayDep
) -> Response:
    return _appointment_page(request, visitor, session, appointment_id, today)


@router.post("/appointments/{appointment_id}/decision", response_class=HTMLResponse)
def decision_post(
    request: Request,
    appointment_id: Id,
    visitor: AppointmentStaff,
    form: CheckedForm,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
    policy: PolicyDep,
) -> Response:
    """The second person's decision: ``approve`` or ``reject`` (the proposer is told to ask someone else)."""
    account = visitor.account
    assert account is not None
    decision = field(form, "decision")
    note = field(form, "note")[:2000] or None
    if decision not in ("approve", "reject"):
        error = FieldError("decision", visitor.texts.gettext("Choose to approve or to reject"))
        return _appointment_page(request, visitor, session, appointment_id, today, errors=[error], status=422)
    try:
        with session.begin():
            service.decide_proposal(
                session=session,
                queue=queue,
                appointment_id=appointment_id,
                actor=account,
                approve=decision == "approve",
                note=note,
                today=today,
                policy=policy,
            )
    except DomainError as problem:
        if problem.code not in ("own_proposal", "route_not_eligible", "appointment_decided"):
            raise
        status = 403 if problem.code == "own_proposal" else 409
        return _appointment_page(
            request, visitor, session, appointment_id, today, errors=[area_error(problem, visitor.texts)], status=status
        )
    return redirect(f"/appointments/{appointment_id}?done={'approved' if decision == 'approve' else 'rejected'}")


_step_routes("/appointments", "direct")


router.include_router(analytics.router)  # the selection figures' page, its plots and its CSV
