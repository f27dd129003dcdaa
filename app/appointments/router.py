"""Appointment over HTTP: after a competition (§9) and by the routes outside competition (§11)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from app.appointments import service
from app.appointments.schemas import AppointIn, DecisionIn, DocumentsIn, ProposalIn, RefusalIn
from app.auth.deps import CurrentAccount
from app.auth.models import Account
from app.bounds import Id
from app.deps import PolicyDep, QueueDep, SessionDep, TodayDep
from app.jobs.queue import JobQueue
from app.rules.policy import SelectionPolicy

router = APIRouter(prefix="/api/v1/appointments", tags=["appointment"])
competition_router = APIRouter(prefix="/api/v1/competitions", tags=["appointment"])
vacancy_router = APIRouter(prefix="/api/v1/vacancies", tags=["appointment"])


@competition_router.get("/{competition_id}/appointment")
def read_competition_appointment(
    competition_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> dict[str, Any]:
    """The winner, the appointment window and the documents' due day, every offer with its overdue marks."""
    with session.begin():
        return service.competition_view(session=session, competition_id=competition_id, actor=account, today=today)


@competition_router.post("/{competition_id}/appointment")
def appoint_winner(
    competition_id: Id, data: AppointIn, account: CurrentAccount, session: SessionDep, queue: QueueDep, today: TodayDep
) -> dict[str, Any]:
    """HR records the order appointing the offered candidate (the winner first); outside the window with a
    reason. The vacancy closes; the person is notified."""
    with session.begin():
        offer = service.winner_offer(session=session, queue=queue, competition_id=competition_id, actor=account)
        service.record_appointment(
            session=session,
            queue=queue,
            appointment=offer,
            actor=account,
            order_number=data.order_number,
            appointed_on=data.appointed_on,
            reason=data.reason,
        )
        return service.appointment_out(session, offer, today=today)


@competition_router.post("/{competition_id}/appointment/refusal")
def winner_refused(
    competition_id: Id, data: RefusalIn, account: CurrentAccount, session: SessionDep, queue: QueueDep
) -> dict[str, Any]:
    """The offered candidate refused or handed in no documents; the policy says what follows."""
    with session.begin():
        offer = service.winner_offer(session=session, queue=queue, competition_id=competition_id, actor=account)
        next_step = service.record_refusal(
            session=session,
            queue=queue,
            appointment=offer,
            actor=account,
            kind=data.kind,
            on=data.on,
            reason=data.reason,
        )
        return {"appointment_id": offer.id, "status": offer.status, "next": next_step}


@competition_router.post("/{competition_id}/appointment/documents")
def winner_documents(
    competition_id: Id,
    data: DocumentsIn,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
) -> dict[str, Any]:
    """Whether the offered candidate must hand in documents, and when they did."""
    with session.begin():
        offer = service.winner_offer(session=session, queue=queue, competition_id=competition_id, actor=account)
        service.record_documents(
            session=session, appointment=offer, actor=account, required=data.required, received_on=data.received_on
        )
        return service.appointment_out(session, offer, today=today)


@router.get("")
def list_appointments(
    account: CurrentAccount,
    session: SessionDep,
    today: TodayDep,
    status_filter: str | None = Query(default=None, alias="status"),
) -> list[dict[str, Any]]:
    """An HR officer's body's appointments and proposals; every one for an administrator."""
    with session.begin():
        service.ensure_lists(account)
        return [
            service.appointment_out(session, a, today=today)
            for a in service.list_appointments(session=session, actor=account, status=status_filter)
        ]


@router.get("/{appointment_id}")
def read_appointment(
    appointment_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> dict[str, Any]:
    with session.begin():
        appointment = service.get_appointment(
            session=session, appointment_id=appointment_id, actor=account, action="appointment.read"
        )
        return service.appointment_out(session, appointment, today=today)


@router.post("/{appointment_id}/order")
def record_order(
    appointment_id: Id, data: AppointIn, account: CurrentAccount, session: SessionDep, queue: QueueDep, today: TodayDep
) -> dict[str, Any]:
    """The order for an offered (or approved) appointment."""
    with session.begin():
        appointment = service.get_appointment(
            session=session, appointment_id=appointment_id, actor=account, action="appointment.manage"
        )
        service.record_appointment(
            session=session,
            queue=queue,
            appointment=appointment,
            actor=account,
            order_number=data.order_number,
            appointed_on=data.appointed_on,
            reason=data.reason,
        )
        return service.appointment_out(session, appointment, today=today)


@router.post("/{appointment_id}/refusal")
def record_refusal(
    appointment_id: Id, data: RefusalIn, account: CurrentAccount, session: SessionDep, queue: QueueDep
) -> dict[str, Any]:
    with session.begin():
        appointment = service.get_appointment(
            session=session, appointment_id=appointment_id, actor=account, action="appointment.manage"
        )
        next_step = service.record_refusal(
            session=session,
            queue=queue,
            appointment=appointment,
            actor=account,
            kind=data.kind,
            on=data.on,
            reason=data.reason,
        )
        return {"appointment_id": appointment.id, "status": appointment.status, "next": next_step}


@router.post("/{appointment_id}/documents")
def record_documents(
    appointment_id: Id, data: DocumentsIn, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> dict[str, Any]:
    with session.begin():
        appointment = service.get_appointment(
            session=session, appointment_id=appointment_id, actor=account, action="appointment.manage"
        )
        service.record_documents(
            session=session,
            appointment=appointment,
            actor=account,
            required=data.required,
            received_on=data.received_on,
        )
        return service.appointment_out(session, appointment, today=today)


@vacancy_router.get("/{vacancy_id}/routes")
def route_eligibility(
    vacancy_id: Id, candidate_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep, policy: PolicyDep
) -> dict[str, Any]:
    """Each route outside competition for this candidate and post today, condition by condition (HR of the body)."""
    with session.begin():
        vacancy = service.managed_vacancy(session, vacancy_id, account)
        return {
            "vacancy_id": vacancy.id,
            "candidate_id": candidate_id,
            "on": today,
            "routes": service.eligibility(
                session=session, candidate_id=candidate_id, vacancy=vacancy, today=today, policy=policy
            ),
        }


@vacancy_router.post("/{vacancy_id}/direct-appointments", status_code=status.HTTP_201_CREATED)
def propose_direct(
    vacancy_id: Id, data: ProposalIn, account: CurrentAccount, session: SessionDep, today: TodayDep, policy: PolicyDep
) -> dict[str, Any]:
    """HR proposes an appointment without competition by a route; the rule must hold (409 with the conditions)."""
    with session.begin():
        appointment = service.propose(
            session=session,
            vacancy_id=vacancy_id,
            candidate_id=data.candidate_id,
            route=data.route,
            reason=data.reason,
            actor=account,
            today=today,
            policy=policy,
        )
        return service.appointment_out(session, appointment, today=today)


def _decide(
    *,
    approve: bool,
    appointment_id: int,
    data: DecisionIn,
    account: Account,
    session: Session,
    queue: JobQueue,
    today: date,
    policy: SelectionPolicy,
) -> dict[str, Any]:
    """The second person's decision on a proposed direct appointment (the rule is checked again)."""
    with session.begin():
        appointment = service.decide_proposal(
            session=session,
            queue=queue,
            appointment_id=appointment_id,
            actor=account,
            approve=approve,
            note=data.note,
            today=today,
            policy=policy,
        )
        return service.appointment_out(session, appointment, today=today)


@router.post("/{appointment_id}/approve")
def approve(
    appointment_id: Id,
    data: DecisionIn,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
    policy: PolicyDep,
) -> dict[str, Any]:
    """The second person (an administrator, never the proposer) approves; the rule is checked again."""
    return _decide(
        approve=True,
        appointment_id=appointment_id,
        data=data,
        account=account,
        session=session,
        queue=queue,
        today=today,
        policy=policy,
    )


@router.post("/{appointment_id}/reject")
def reject(
    appointment_id: Id,
    data: DecisionIn,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
    policy: PolicyDep,
) -> dict[str, Any]:
    """The second person (an administrator, never the proposer) rejects the proposal."""
    return _decide(
        approve=False,
        appointment_id=appointment_id,
        data=data,
        account=account,
        session=session,
        queue=queue,
        today=today,
        policy=policy,
    )
