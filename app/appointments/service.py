"""Appointment after a competition and by a route outside competition: recorded, checked, audited, notified.

The rules live in ``app.rules.appointment`` (window timing, overdue marks, what follows a refusal)
and ``app.rules.routes`` (each route's eligibility); this module loads, stores and tells people.

A competition's winner is offered the post once HR first records something about it
(``winner_offer``). Every change is one audit event: ``appointment.offered``,
``appointment.recorded`` (with ``flag: "outside_window"`` and the reason when it falls outside the
window), ``appointment.refused``, ``appointment.documents``, ``appointment.proposed``,
``appointment.approved``, ``appointment.rejected``, and ``vacancy.closed`` when the post is filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.applications.service import hr_officers
from app.appointments.errors import (
    APPOINTMENT_DECIDED,
    APPOINTMENT_NOT_FOUND,
    CANDIDATE_NOT_FOUND,
    DATE_BEFORE_OFFER,
    NO_WINNER,
    NOT_ELIGIBLE,
    OWN_PROPOSAL,
    REASON_REQUIRED,
    RESULTS_NOT_PUBLISHED,
    VACANCY_NOT_OPEN,
)
from app.appointments.models import (
    APPOINTED,
    DOCUMENTS_NOT_SUBMITTED,
    OFFERED,
    OPEN_STATUSES,
    PROPOSED,
    REFUSED,
    REJECTED,
    Appointment,
)
from app.audit.events import audit
from app.auth.models import ADMINISTRATOR, Account, StateBody
from app.auth.permissions import ensure_can
from app.candidates.models import Candidate
from app.competitions.models import RESULTS_PUBLISHED, Competition
from app.competitions.service import get_competition, policy_of
from app.db import utcnow
from app.errors import DomainError
from app.jobs.queue import JobQueue
from app.notifications.models import Notification
from app.notifications.service import notify
from app.rules.appointment import after_refusal, appointment_timing, deadline_marks, offer_deadlines
from app.rules.calendar import AppointmentDeadlines
from app.rules.policy import SelectionPolicy
from app.rules.routes import (
    COMPETITION_ROUTE,
    ROUTES,
    eligibility_to_json,
    route_eligibility,
)
from app.talent.eligibility import post_of, route_facts
from app.vacancies.models import CLOSED, DRAFT, Vacancy

BASIS = {
    COMPETITION_ROUTE: {"kk": "конкурс қорытындысы бойынша", "ru": "по итогам конкурса"},
    "grant_graduate": {
        "kk": "мемлекеттік грант түлектері үшін конкурссыз",
        "ru": "без конкурса, выпускникам по госгранту",
    },
    "academy_graduate": {
        "kk": "Мемлекеттік басқару академиясының үздік түлектері үшін конкурссыз",
        "ru": "без конкурса, лучшим выпускникам Академии госуправления",
    },
    "regional_reserve": {
        "kk": "өңірлік кадр резервінен конкурссыз",
        "ru": "без конкурса, из регионального кадрового резерва",
    },
    "presidential_youth_reserve": {
        "kk": "Президенттік жастар кадр резервінен конкурссыз",
        "ru": "без конкурса, из Президентского молодёжного кадрового резерва",
    },
}


@dataclass(frozen=True)
class AppointmentAccess:
    """What the permissions read of an appointment."""

    state_body_id: int
    candidate_account_id: int
    proposed_by: int | None


def access_of(session: Session, appointment: Appointment) -> AppointmentAccess:
    candidate = session.get(Candidate, appointment.candidate_id)
    assert candidate is not None
    return AppointmentAccess(appointment.state_body_id, candidate.account_id, appointment.proposed_by)


def get_appointment(*, session: Session, appointment_id: int, actor: Account, action: str) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise DomainError(APPOINTMENT_NOT_FOUND, f"no appointment {appointment_id}")
    ensure_can(actor, action, access_of(session, appointment))
    return appointment


def _deadlines(appointment: Appointment) -> AppointmentDeadlines | None:
    if appointment.window_from is None or appointment.window_until is None or appointment.documents_due is None:
        return None
    return AppointmentDeadlines(appointment.window_from, appointment.window_until, appointment.documents_due)


def _snapshot(appointment: Appointment) -> dict[str, Any]:
    return {
        "status": appointment.status,
        "route": appointment.route,
        "candidate_id": appointment.candidate_id,
        "order_number": appointment.order_number,
        "appointed_on": appointment.appointed_on and appointment.appointed_on.isoformat(),
        "documents_received_on": appointment.documents_received_on and appointment.documents_received_on.isoformat(),
    }


# --- after a competition ------------------------------------------------------------------------------------


def _published(session: Session, competition_id: int, actor: Account, action: str) -> Competition:
    competition = get_competition(session=session, competition_id=competition_id)
    ensure_can(actor, action, _competition_facts(competition))
    if (
        competition.status != RESULTS_PUBLISHED
        or competition.outcome is None
        or competition.results_published_on is None
    ):
        raise DomainError(RESULTS_NOT_PUBLISHED, "the appointment follows the publication of the results")
    return competition


def _competition_facts(competition: Competition) -> AppointmentAccess:
    return AppointmentAccess(competition.state_body_id, candidate_account_id=-1, proposed_by=None)


def competition_offers(session: Session, competition: Competition) -> Sequence[Appointment]:
    return session.scalars(
        select(Appointment).where(Appointment.competition_id == competition.id).order_by(Appointment.id)
    ).all()


def _application(session: Session, competition: Competition, code: str) -> Application:
    application = session.scalars(
        select(Application).where(Application.competition_id == competition.id, Application.anonymous_code == code)
    ).one()
    return application


def _stored_deadlines(competition: Competition) -> AppointmentDeadlines:
    assert competition.outcome is not None
    stored = competition.outcome.get("deadlines")
    if not stored:
        raise DomainError(NO_WINNER, "nobody was interviewed: there is nobody to appoint")
    return AppointmentDeadlines(
        date.fromisoformat(stored["appointment_from"]),
        date.fromisoformat(stored["appointment_until"]),
        date.fromisoformat(stored["documents_due"]),
    )


def _offer(
    session: Session,
    queue: JobQueue,
    competition: Competition,
    code: str,
    *,
    offered_on: date,
    deadlines: AppointmentDeadlines,
    actor: Account,
    notify_candidate: bool,
) -> Appointment:
    application = _application(session, competition, code)
    now = utcnow()
    appointment = Appointment(
        vacancy_id=competition.vacancy_id,
        state_body_id=competition.state_body_id,
        candidate_id=application.candidate_id,
        route=COMPETITION_ROUTE,
        competition_id=competition.id,
        application_id=application.id,
        anonymous_code=code,
        status=OFFERED,
        offered_on=offered_on,
        window_from=deadlines.appointment_from,
        window_until=deadlines.appointment_until,
        documents_due=deadlines.documents_due,
        documents_required=True,
        created_at=now,
        updated_at=now,
    )
    session.add(appointment)
    session.flush()
    audit(
        session,
        actor=actor,
        action="appointment.offered",
        entity_type="appointment",
        entity_id=appointment.id,
        after={
            **_snapshot(appointment),
            "competition_id": competition.id,
            "anonymous_code": code,
            "window": [deadlines.appointment_from.isoformat(), deadlines.appointment_until.isoformat()],
            "documents_due": deadlines.documents_due.isoformat(),
        },
    )
    if notify_candidate:
        _notify(session, queue, appointment, "appointment_offered")
    return appointment


def winner_offer(*, session: Session, queue: JobQueue, competition_id: int, actor: Account) -> Appointment:
    """The competition's current offer, the winner's made at first (409 ``no_winner`` without one)."""
    competition = _published(session, competition_id, actor, "appointment.manage")
    offers = competition_offers(session, competition)
    if offers:
        return offers[-1]
    assert competition.outcome is not None and competition.results_published_on is not None
    winner = competition.outcome.get("winner")
    if winner is None:
        raise DomainError(NO_WINNER, "the competition ended without a single winner")
    return _offer(
        session,
        queue,
        competition,
        str(winner),
        offered_on=competition.results_published_on,
        deadlines=_stored_deadlines(competition),
        actor=actor,
        notify_candidate=False,
    )


def competition_view(*, session: Session, competition_id: int, actor: Account, today: date) -> dict[str, Any]:
    """The winner, the window and documents' due day from the published outcome, every offer with its marks."""
    competition = _published(session, competition_id, actor, "appointment.read")
    assert competition.outcome is not None
    offers = competition_offers(session, competition)
    winner = competition.outcome.get("winner")
    deadlines = competition.outcome.get("deadlines")
    marks = None
    if not offers and winner is not None and deadlines:
        window = _stored_deadlines(competition)
        got = deadline_marks(window, today=today, appointed=False, documents_required=True, documents_received_on=None)
        marks = {"appointment_overdue": got.appointment_overdue, "documents_overdue": got.documents_overdue}
    return {
        "competition_id": competition.id,
        "vacancy_id": competition.vacancy_id,
        "results_published_on": competition.results_published_on,
        "winner": winner,
        "deadlines": deadlines,
        "after_winner_refusal": policy_of(competition).after_winner_refusal,
        "overdue": marks,
        "offers": [appointment_out(session, a, today=today) for a in offers],
    }


# --- recording what happened ------------------------------------------------------------------------------


def _open(appointment: Appointment, *statuses: str) -> None:
    if appointment.status not in (statuses or (OFFERED,)):
        raise DomainError(APPOINTMENT_DECIDED, f"the appointment is {appointment.status}")


def record_appointment(
    *,
    session: Session,
    queue: JobQueue,
    appointment: Appointment,
    actor: Account,
    order_number: str,
    appointed_on: date,
    reason: str | None,
) -> Appointment:
    """The order that appoints the offered person; outside the window only with a reason (flagged in the audit)."""
    _open(appointment)
    if appointed_on < appointment.offered_on:
        raise DomainError(DATE_BEFORE_OFFER, f"the order's date {appointed_on} is before {appointment.offered_on}")
    deadlines = _deadlines(appointment)
    timing = "in_window" if deadlines is None else appointment_timing(appointed_on, deadlines)
    reason = (reason or "").strip() or None
    if timing != "in_window" and reason is None:
        raise DomainError(
            REASON_REQUIRED, f"the appointment on {appointed_on} is {timing.replace('_', ' ')}: say why", timing=timing
        )
    before = _snapshot(appointment)
    appointment.status = APPOINTED
    appointment.order_number = order_number.strip()
    appointment.appointed_on = appointed_on
    appointment.outside_window = timing != "in_window"
    appointment.outside_window_reason = reason if appointment.outside_window else None
    appointment.updated_at = utcnow()
    session.flush()
    flag = {"flag": "outside_window", "timing": timing, "reason": reason} if appointment.outside_window else {}
    audit(
        session,
        actor=actor,
        action="appointment.recorded",
        entity_type="appointment",
        entity_id=appointment.id,
        before=before,
        after=_snapshot(appointment),
        **flag,
    )
    _close_vacancy(session, appointment, actor)
    _notify(session, queue, appointment, "appointment_recorded")
    return appointment


def _close_vacancy(session: Session, appointment: Appointment, actor: Account) -> None:
    vacancy = session.get(Vacancy, appointment.vacancy_id)
    assert vacancy is not None
    if vacancy.status == CLOSED:
        return
    before = {"status": vacancy.status}
    vacancy.status = CLOSED
    vacancy.closed_at = vacancy.updated_at = utcnow()
    audit(
        session,
        actor=actor,
        action="vacancy.closed",
        entity_type="vacancy",
        entity_id=vacancy.id,
        before=before,
        after={"status": CLOSED, "filled_by_appointment": appointment.id},
    )


def record_documents(
    *, session: Session, appointment: Appointment, actor: Account, required: bool, received_on: date | None
) -> Appointment:
    """Whether the person must hand in documents (a newcomer) and the day they did."""
    _open(appointment, OFFERED, APPOINTED)
    if received_on is not None and received_on < appointment.offered_on:
        raise DomainError(DATE_BEFORE_OFFER, f"documents received {received_on}, before {appointment.offered_on}")
    before = _snapshot(appointment)
    appointment.documents_required = required
    appointment.documents_received_on = received_on
    appointment.updated_at = utcnow()
    session.flush()
    audit(
        session,
        actor=actor,
        action="appointment.documents",
        entity_type="appointment",
        entity_id=appointment.id,
        before=before,
        after={**_snapshot(appointment), "documents_required": required},
    )
    return appointment


def record_refusal(
    *,
    session: Session,
    queue: JobQueue,
    appointment: Appointment,
    actor: Account,
    kind: str,
    on: date,
    reason: str | None,
) -> dict[str, Any]:
    """The offered person refused (``refused``) or handed in no documents (``documents_not_submitted``).

    After a competition, what follows is the policy's (``after_refusal``): the next ranked candidate gets an
    offer, or the post goes back to competition as a new draft vacancy of the same post. After a route
    outside competition, the draft vacancy simply stays open.
    """
    _open(appointment)
    if on < appointment.offered_on:
        raise DomainError(DATE_BEFORE_OFFER, f"{on} is before the offer of {appointment.offered_on}")
    before = _snapshot(appointment)
    appointment.status = REFUSED if kind == REFUSED else DOCUMENTS_NOT_SUBMITTED
    appointment.refused_on = on
    appointment.refusal_reason = (reason or "").strip() or None
    appointment.updated_at = utcnow()
    session.flush()
    # a route outside competition filled a draft: it stays a draft, free for another proposal or a competition
    next_step: dict[str, Any] = {
        "action": "vacancy_open",
        "reason": "direct_route",
        "vacancy_id": appointment.vacancy_id,
    }
    if appointment.competition_id is not None:
        competition = session.get(Competition, appointment.competition_id)
        assert competition is not None and competition.outcome is not None
        refused = {
            a.anonymous_code
            for a in competition_offers(session, competition)
            if a.status in (REFUSED, DOCUMENTS_NOT_SUBMITTED) and a.anonymous_code
        }
        policy = policy_of(competition)
        decided = after_refusal(competition.outcome.get("ranking", []), refused, policy)
        next_step = {"action": decided.action, "reason": decided.reason}
        if decided.action == "offer" and decided.ref is not None:
            offer = _offer(
                session,
                queue,
                competition,
                decided.ref,
                offered_on=on,
                deadlines=offer_deadlines(on, policy),
                actor=actor,
                notify_candidate=True,
            )
            next_step["appointment_id"] = offer.id
            next_step["anonymous_code"] = decided.ref
    if next_step["action"] == "recompete":
        vacancy = _recompete(session, appointment, actor)
        appointment.next_vacancy_id = vacancy.id
        next_step["vacancy_id"] = vacancy.id
    audit(
        session,
        actor=actor,
        action="appointment.refused",
        entity_type="appointment",
        entity_id=appointment.id,
        before=before,
        after={**_snapshot(appointment), "reason": appointment.refusal_reason},
        next=next_step,
    )
    return next_step


def _recompete(session: Session, appointment: Appointment, actor: Account) -> Vacancy:
    """The post goes back to competition: the old vacancy closes unfilled, a draft of the same post is made."""
    old = session.get(Vacancy, appointment.vacancy_id)
    assert old is not None
    now = utcnow()
    draft = Vacancy(
        state_body_id=old.state_body_id,
        category=old.category,
        managerial=old.managerial,
        functional_area=old.functional_area,
        locality_type=old.locality_type,
        title_kk=old.title_kk,
        title_ru=old.title_ru,
        duties_kk=old.duties_kk,
        duties_ru=old.duties_ru,
        requirements=dict(old.requirements),
        status=DRAFT,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    audit(
        session,
        actor=actor,
        action="vacancy.created",
        entity_type="vacancy",
        entity_id=draft.id,
        after={"status": DRAFT, "recompete_of": old.id, "after_appointment": appointment.id},
    )
    if old.status != CLOSED:
        before = {"status": old.status}
        old.status = CLOSED
        old.closed_at = old.updated_at = now
        audit(
            session,
            actor=actor,
            action="vacancy.closed",
            entity_type="vacancy",
            entity_id=old.id,
            before=before,
            after={"status": CLOSED, "unfilled": True, "recompete_vacancy": draft.id},
        )
    return draft


# --- routes outside competition -----------------------------------------------------------------------------


def eligibility(
    *,
    session: Session,
    candidate_id: int,
    vacancy: Vacancy,
    today: date,
    policy: SelectionPolicy,
    routes: Sequence[str] = ROUTES,
) -> list[dict[str, Any]]:
    """Each route's conditions for ``candidate_id`` and ``vacancy`` on ``today``."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise DomainError(CANDIDATE_NOT_FOUND, f"no candidate {candidate_id}")
    diplomas, reserves = route_facts(session, candidate)
    post = post_of(session, vacancy)
    return [
        eligibility_to_json(
            route_eligibility(route, diplomas=diplomas, reserves=reserves, post=post, on=today, policy=policy)
        )
        for route in routes
    ]


def managed_vacancy(session: Session, vacancy_id: int, actor: Account, action: str = "appointment.manage") -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise DomainError(VACANCY_NOT_OPEN, f"no vacancy {vacancy_id}")
    ensure_can(actor, action, vacancy)
    return vacancy


def propose(
    *,
    session: Session,
    vacancy_id: int,
    candidate_id: int,
    route: str,
    reason: str,
    actor: Account,
    today: date,
    policy: SelectionPolicy,
) -> Appointment:
    """HR proposes to appoint ``candidate_id`` by ``route`` to a draft vacancy (a post not put to competition).

    The route's rule must hold today (409 ``route_not_eligible`` with the conditions otherwise).
    """
    vacancy = managed_vacancy(session, vacancy_id, actor)
    if vacancy.status != DRAFT:
        raise DomainError(
            VACANCY_NOT_OPEN,
            f"the vacancy is {vacancy.status}: a route outside competition fills "
            "a post not put to competition (a draft)",
        )
    pending = session.scalars(
        select(Appointment).where(Appointment.vacancy_id == vacancy.id, Appointment.status.in_(OPEN_STATUSES))
    ).first()
    if pending is not None:
        raise DomainError(VACANCY_NOT_OPEN, f"appointment {pending.id} for this vacancy is {pending.status}")
    [checked] = eligibility(
        session=session, candidate_id=candidate_id, vacancy=vacancy, today=today, policy=policy, routes=[route]
    )
    if not checked["eligible"]:
        raise DomainError(NOT_ELIGIBLE, f"the candidate does not meet the {route} route today", eligibility=checked)
    now = utcnow()
    appointment = Appointment(
        vacancy_id=vacancy.id,
        state_body_id=vacancy.state_body_id,
        candidate_id=candidate_id,
        route=route,
        status=PROPOSED,
        offered_on=today,
        eligibility=checked,
        proposal_reason=reason.strip(),
        proposed_by=actor.id,
        documents_required=False,
        created_at=now,
        updated_at=now,
    )
    session.add(appointment)
    session.flush()
    audit(
        session,
        actor=actor,
        action="appointment.proposed",
        entity_type="appointment",
        entity_id=appointment.id,
        after={
            **_snapshot(appointment),
            "vacancy_id": vacancy.id,
            "eligibility": checked,
            "reason": appointment.proposal_reason,
        },
    )
    return appointment


def decide(
    *,
    session: Session,
    queue: JobQueue,
    appointment: Appointment,
    actor: Account,
    approve: bool,
    note: str | None,
    today: date,
    policy: SelectionPolicy,
) -> Appointment:
    """The second person approves (the rule is checked again on the day) or rejects a proposal."""
    _open(appointment, PROPOSED)
    if appointment.proposed_by == actor.id:
        raise DomainError(OWN_PROPOSAL, "the person who proposed it cannot approve it")
    before = _snapshot(appointment)
    if approve:
        vacancy = session.get(Vacancy, appointment.vacancy_id)
        assert vacancy is not None
        [checked] = eligibility(
            session=session,
            candidate_id=appointment.candidate_id,
            vacancy=vacancy,
            today=today,
            policy=policy,
            routes=[appointment.route],
        )
        if not checked["eligible"]:
            raise DomainError(NOT_ELIGIBLE, "the candidate no longer meets the route", eligibility=checked)
        appointment.eligibility = checked
    appointment.status = OFFERED if approve else REJECTED
    appointment.decided_by = actor.id
    appointment.decided_at = appointment.updated_at = utcnow()
    appointment.decision_note = (note or "").strip() or None
    session.flush()
    audit(
        session,
        actor=actor,
        action="appointment.approved" if approve else "appointment.rejected",
        entity_type="appointment",
        entity_id=appointment.id,
        before=before,
        after={**_snapshot(appointment), "note": appointment.decision_note},
    )
    if approve:
        _notify(session, queue, appointment, "appointment_offered")
    return appointment


def decide_proposal(
    *,
    session: Session,
    queue: JobQueue,
    appointment_id: int,
    actor: Account,
    approve: bool,
    note: str | None,
    today: date,
    policy: SelectionPolicy,
) -> Appointment:
    """The second person's decision on a proposal found by its id: only a second person may decide it
    (``ensure_approver``), then ``decide`` (the rule is checked again on the day)."""
    appointment = get_appointment(
        session=session, appointment_id=appointment_id, actor=actor, action="appointment.read"
    )
    ensure_approver(session, appointment, actor)
    return decide(
        session=session,
        queue=queue,
        appointment=appointment,
        actor=actor,
        approve=approve,
        note=note,
        today=today,
        policy=policy,
    )


def list_appointments(*, session: Session, actor: Account, status: str | None = None) -> Sequence[Appointment]:
    """An HR officer's body's appointments; all for an administrator."""
    query = select(Appointment).order_by(Appointment.id.desc())
    if actor.role != ADMINISTRATOR:
        query = query.where(Appointment.state_body_id == actor.state_body_id)
    if status is not None:
        query = query.where(Appointment.status == status)
    return session.scalars(query).all()


# --- views and messages -----------------------------------------------------------------------------------


def appointment_out(session: Session, appointment: Appointment, *, today: date) -> dict[str, Any]:
    deadlines = _deadlines(appointment)
    overdue = None
    if deadlines is not None and appointment.status in (OFFERED, APPOINTED):
        marks = deadline_marks(
            deadlines,
            today=today,
            appointed=appointment.status == APPOINTED,
            documents_required=appointment.documents_required,
            documents_received_on=appointment.documents_received_on,
        )
        overdue = {"appointment_overdue": marks.appointment_overdue, "documents_overdue": marks.documents_overdue}
    return {
        "id": appointment.id,
        "vacancy_id": appointment.vacancy_id,
        "state_body_id": appointment.state_body_id,
        "candidate_id": appointment.candidate_id,
        "route": appointment.route,
        "competition_id": appointment.competition_id,
        "anonymous_code": appointment.anonymous_code,
        "status": appointment.status,
        "offered_on": appointment.offered_on,
        "window": None
        if deadlines is None
        else {"from": deadlines.appointment_from, "until": deadlines.appointment_until},
        "documents_due": appointment.documents_due,
        "documents_required": appointment.documents_required,
        "documents_received_on": appointment.documents_received_on,
        "order_number": appointment.order_number,
        "appointed_on": appointment.appointed_on,
        "outside_window": appointment.outside_window,
        "outside_window_reason": appointment.outside_window_reason,
        "refused_on": appointment.refused_on,
        "refusal_reason": appointment.refusal_reason,
        "eligibility": appointment.eligibility,
        "proposal_reason": appointment.proposal_reason,
        "proposed_by": appointment.proposed_by,
        "decided_by": appointment.decided_by,
        "decision_note": appointment.decision_note,
        "next_vacancy_id": appointment.next_vacancy_id,
        "overdue": overdue,
    }


def _notify(session: Session, queue: JobQueue, appointment: Appointment, event: str) -> None:
    candidate = session.get(Candidate, appointment.candidate_id)
    vacancy = session.get(Vacancy, appointment.vacancy_id)
    body = session.get(StateBody, appointment.state_body_id)
    assert candidate is not None and vacancy is not None and body is not None
    account = candidate.account
    context: dict[str, Any] = {
        "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
        "state_body_name": {"kk": body.name_kk, "ru": body.name_ru},
    }
    if event == "appointment_offered":
        context |= {
            "basis": BASIS[appointment.route],
            "appointment_until": appointment.window_until,
            "documents_due": appointment.documents_due if appointment.documents_required else None,
        }
    else:
        context |= {"order_number": appointment.order_number, "appointed_on": appointment.appointed_on}
    notify(
        session=session,
        queue=queue,
        account_id=account.id,
        to_address=account.email,
        event=event,
        context=context,
        locale=account.locale,
        dedupe_key=f"appointment:{appointment.id}:{event}",
    )


def ensure_approver(session: Session, appointment: Appointment, actor: Account) -> None:
    """Only a second person may decide a proposal: ``own_proposal`` for the proposer, 403 for other roles."""
    if appointment.proposed_by == actor.id:
        raise DomainError(OWN_PROPOSAL, "the person who proposed it cannot approve it")
    ensure_can(actor, "appointment.approve", access_of(session, appointment))


def ensure_lists(actor: Account) -> None:
    """Appointment lists are for HR officers (their body) and administrators."""
    ensure_can(actor, "appointment.list")


def published_competitions(*, session: Session, actor: Account) -> Sequence[Competition]:
    """The competitions whose results are published and whose appointment ``actor`` records or reads:
    an HR officer's body's, every one for an administrator (newest first)."""
    ensure_can(actor, "appointment.list")
    query = select(Competition).where(Competition.status == RESULTS_PUBLISHED).order_by(Competition.id.desc())
    if actor.role != ADMINISTRATOR:
        query = query.where(Competition.state_body_id == actor.state_body_id)
    return session.scalars(query).all()


# --- the daily look for what is overdue ---------------------------------------------------------------------

OVERDUE_JOB = "appointments.overdue"
OVERDUE_WHAT = {
    "appointment": {"kk": "тағайындау", "ru": "назначения"},
    "documents": {"kk": "құжаттарды тапсыру", "ru": "сдачи документов"},
}
"""What is overdue, as the ``appointment_overdue`` letter names it in each language."""


@dataclass(frozen=True)
class _Pending:
    state_body_id: int
    vacancy_id: int
    person: str
    deadlines: AppointmentDeadlines
    appointment_pending: bool
    documents_received_on: date | None
    documents_required: bool


def _pending(session: Session, today: date) -> list[_Pending]:
    """Published winners without an offer yet, and the offers and appointments whose day has passed."""
    found = []
    no_offer = session.scalars(
        select(Competition).where(
            Competition.status == RESULTS_PUBLISHED,
            Competition.results_published_on.is_not(None),
            ~exists().where(Appointment.competition_id == Competition.id),
        )
    ).all()
    for competition in no_offer:
        outcome = competition.outcome or {}
        if outcome.get("winner") is None or not outcome.get("deadlines"):
            continue
        found.append(
            _Pending(
                competition.state_body_id,
                competition.vacancy_id,
                str(outcome["winner"]),
                _stored_deadlines(competition),
                appointment_pending=True,
                documents_received_on=None,
                documents_required=True,
            )
        )
    offers = session.scalars(
        select(Appointment)
        .where(
            Appointment.status.in_((OFFERED, APPOINTED)),
            Appointment.window_until.is_not(None),
            or_(
                Appointment.window_until < today,
                Appointment.documents_received_on.is_(None) & (Appointment.documents_due < today),
            ),
        )
        .order_by(Appointment.id)
    ).all()
    for appointment in offers:
        deadlines = _deadlines(appointment)
        assert deadlines is not None
        found.append(
            _Pending(
                appointment.state_body_id,
                appointment.vacancy_id,
                appointment.anonymous_code or f"#{appointment.candidate_id}",
                deadlines,
                appointment_pending=appointment.status == OFFERED,
                documents_received_on=appointment.documents_received_on,
                documents_required=appointment.documents_required,
            )
        )
    return found


def notify_overdue(*, session: Session, queue: JobQueue, today: date) -> dict[str, int]:
    """Tell the body's HR officers, each in their language and once per deadline, of every appointment whose
    window has ended unrecorded and every newcomer's documents not received by their due day (the marks of
    ``app.rules.appointment.deadline_marks``, as the pages show them)."""
    told = 0
    overdue = 0
    for item in _pending(session, today):
        marks = deadline_marks(
            item.deadlines,
            today=today,
            appointed=not item.appointment_pending,
            documents_required=item.documents_required,
            documents_received_on=item.documents_received_on,
        )
        what = []
        if marks.appointment_overdue:
            what.append(("appointment", item.deadlines.appointment_until))
        if marks.documents_overdue and item.documents_received_on is None:  # late documents: nothing to chase
            what.append(("documents", item.deadlines.documents_due))
        if not what:
            continue
        overdue += len(what)
        vacancy = session.get(Vacancy, item.vacancy_id)
        body = session.get(StateBody, item.state_body_id)
        assert vacancy is not None and body is not None
        for kind, deadline in what:
            for officer in hr_officers(session=session, state_body_id=item.state_body_id):
                key = f"appointment-overdue:{item.vacancy_id}:{item.person}:{kind}:{officer.id}"
                if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None:
                    continue
                notify(
                    session=session,
                    queue=queue,
                    account_id=officer.id,
                    to_address=officer.email,
                    event="appointment_overdue",
                    context={
                        "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
                        "state_body_name": {"kk": body.name_kk, "ru": body.name_ru},
                        "person": item.person,
                        "what": OVERDUE_WHAT[kind],
                        "deadline": deadline,
                    },
                    locale=officer.locale,
                    dedupe_key=key,
                )
                told += 1
    return {"overdue": overdue, "notified": told}
