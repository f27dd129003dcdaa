"""Test bookings, timed sessions, answers, certificates and accommodations over HTTP."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.deps import CandidateAccount, CandidateClaims, require_roles
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.bounds import BoundedInt, Id
from app.deps import NowDep, PolicyDep, QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import DomainError
from app.exams import service
from app.exams.errors import CERTIFICATE_NOT_FOUND, PAGE_NOT_FOUND, SESSION_ALREADY_STARTED
from app.exams.forms import cached_form, get_item_bank
from app.exams.models import RUNNING, Accommodation, Certificate, TestBooking, TestResult, TestSession
from app.exams.schemas import (
    AccommodationIn,
    AccommodationOut,
    AnswerIn,
    AnswerOut,
    BookingIn,
    BookingOut,
    CertificateCheckOut,
    CertificateOut,
    OptionOut,
    PageItemOut,
    PageOut,
    ResultOut,
    SessionOut,
    TableOut,
)
from app.items.bank import Bank
from app.items.item import Language
from app.rules.calendar import certificate_is_valid
from app.settings import Settings

bookings_router = APIRouter(prefix="/api/v1/test-bookings", tags=["tests"])
sessions_router = APIRouter(prefix="/api/v1/test-sessions", tags=["tests"])
certificates_router = APIRouter(prefix="/api/v1/certificates", tags=["tests"])
accommodations_router = APIRouter(prefix="/api/v1/accommodations", tags=["tests"])

BankDep = Annotated[Bank, Depends(get_item_bank)]
StaffAccount = Annotated[Account, Depends(require_roles(HR_OFFICER, ADMINISTRATOR))]


# --- views -----------------------------------------------------------------------------------------


def _booking_out(session: Session, booking: TestBooking) -> BookingOut:
    return BookingOut(
        id=booking.id,
        programme=booking.programme,
        language=booking.language,
        starts_at=booking.starts_at,
        application_id=booking.application_id,
        status=booking.status,
        form_hash=booking.form_hash,
        second_form_hash=booking.second_form_hash,
        created_at=booking.created_at,
        cancelled_at=booking.cancelled_at,
        session_ids=[s.id for s in service.booking_sessions(session, booking.id)],
    )


def _certificate_out(certificate: Certificate) -> CertificateOut:
    return CertificateOut(
        id=certificate.id,
        programme=certificate.programme,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        form_hash=certificate.form_hash,
        score=certificate.score,
        verification_code=certificate.verification_code,
        voided=certificate.voided_at is not None,
        void_reason=certificate.void_reason,
    )


def _result_out(session: Session, result: TestResult) -> ResultOut:
    certificate = session.scalars(select(Certificate).where(Certificate.result_id == result.id)).first()
    return ResultOut(
        id=result.id,
        programme=result.programme,
        test_date=result.test_date,
        score=result.score,
        passed=result.passed,
        reason=result.reason,
        flagged_unreliable=result.flagged_unreliable,
        form_hash=result.form_hash,
        second_form_hash=result.second_form_hash,
        recorded_for_application=result.recorded_for_application,
        voided=result.voided_at is not None,
        void_reason=result.void_reason,
        certificate=None if certificate is None else _certificate_out(certificate),
    )


def _session_out(session: Session, test_session: TestSession, *, now: datetime, settings: Settings) -> SessionOut:
    booking = session.get(TestBooking, test_session.booking_id)
    assert booking is not None
    form = cached_form(session, test_session.form_hash)
    result = service.result_of(session, booking.id)
    size = settings.test_page_size
    return SessionOut(
        id=test_session.id,
        booking_id=booking.id,
        programme=booking.programme,
        block=test_session.block,
        language=test_session.language,
        status=test_session.status,
        time_over=test_session.status == RUNNING and now >= test_session.deadline,
        started_at=test_session.started_at,
        deadline=test_session.deadline,
        minutes=test_session.minutes,
        extra_minutes=test_session.extra_minutes,
        remaining_seconds=service.remaining_seconds(test_session, now),
        submitted_at=test_session.submitted_at,
        submitted_by=test_session.submitted_by,
        form_hash=test_session.form_hash,
        items=len(form.items),
        page_size=size,
        pages=math.ceil(len(form.items) / size),
        answers=service.answers_of(session, test_session.id),
        result=None if result is None else _result_out(session, result),
    )


# --- bookings --------------------------------------------------------------------------------------


@bookings_router.post("", status_code=status.HTTP_201_CREATED)
def book_test(
    data: BookingIn,
    account: CandidateAccount,
    session: SessionDep,
    bank: BankDep,
    policy: PolicyDep,
    today: TodayDep,
    now: NowDep,
) -> BookingOut:
    """Book a test; legislation and state language at least ``test_booking_min_days_ahead`` days ahead."""
    with session.begin():
        booking = service.book(
            session=session,
            actor=account,
            bank=bank,
            policy=policy,
            today=today,
            now=now,
            programme=data.programme,
            language=data.language,
            starts_at=data.starts_at,
            application_id=data.application_id,
        )
        return _booking_out(session, booking)


@bookings_router.get("")
def my_bookings(account: CandidateAccount, session: SessionDep) -> list[BookingOut]:
    with session.begin():
        return [_booking_out(session, b) for b in service.own_bookings(session, account)]


@bookings_router.get("/{booking_id}")
def read_booking(booking_id: Id, account: CandidateAccount, session: SessionDep) -> BookingOut:
    with session.begin():
        return _booking_out(session, service.own_booking(session, booking_id, account))


@bookings_router.post("/{booking_id}/cancel")
def cancel_booking(booking_id: Id, account: CandidateAccount, session: SessionDep, now: NowDep) -> BookingOut:
    """Cancel before the test starts (409 ``booking_not_cancellable`` after)."""
    with session.begin():
        return _booking_out(session, service.cancel(session=session, booking_id=booking_id, actor=account, now=now))


# --- sessions --------------------------------------------------------------------------------------


@sessions_router.post("/{booking_id}/start", status_code=status.HTTP_201_CREATED)
def start_session(
    booking_id: Id, account: CandidateAccount, session: SessionDep, queue: QueueDep, settings: SettingsDep, now: NowDep
) -> SessionOut:
    """Start the booked test; the deadline is fixed now and the submission job scheduled at it."""
    try:
        with session.begin():
            started = service.start(
                session=session, queue=queue, booking_id=booking_id, actor=account, now=now, settings=settings
            )
            return _session_out(session, started, now=now, settings=settings)
    except IntegrityError:
        # A concurrent start of the same booking won the unique (booking, block) row.
        raise DomainError(SESSION_ALREADY_STARTED, "the session of this booking is running; resume it") from None


@sessions_router.get("/{session_id}")
def read_session(
    session_id: Id, account: CandidateAccount, session: SessionDep, settings: SettingsDep, now: NowDep
) -> SessionOut:
    """The session with the time left and the saved answers (what a client resumes from)."""
    with session.begin():
        return _session_out(session, service.own_session(session, session_id, account), now=now, settings=settings)


@sessions_router.get("/{session_id}/pages/{page}")
def read_page(
    session_id: Id, page: BoundedInt, account: CandidateAccount, session: SessionDep, settings: SettingsDep
) -> PageOut:
    """One page of items in the session's language, with the saved answers and without the key."""
    with session.begin():
        test_session = service.own_session(session, session_id, account)
        form = cached_form(session, test_session.form_hash)
        size = settings.test_page_size
        pages = math.ceil(len(form.items) / size)
        if not 1 <= page <= pages:
            raise DomainError(PAGE_NOT_FOUND, f"pages are 1..{pages}")
        answers = service.answers_of(session, test_session.id)
        language: Language = "kk" if test_session.language == "kk" else "ru"
        items = []
        for offset, item in enumerate(form.items[(page - 1) * size : page * size]):
            text = item.text(language)
            table = (
                None
                if text.table is None
                else TableOut(
                    columns=list(text.table.columns),
                    rows=[list(row) for row in text.table.rows],
                    caption=text.table.caption,
                )
            )
            items.append(
                PageItemOut(
                    number=(page - 1) * size + offset + 1,
                    item_id=item.id,
                    stem=text.stem,
                    passage=text.passage,
                    table=table,
                    options=[OptionOut(id=o.id, text=o.text) for o in text.options],
                    answer=answers.get(item.id),
                )
            )
        return PageOut(session_id=test_session.id, page=page, pages=pages, language=language, items=items)


@sessions_router.put("/{session_id}/answers/{item_id}")
def save_answer(
    session_id: Id, item_id: str, data: AnswerIn, claims: CandidateClaims, request: Request, now: NowDep
) -> AnswerOut:
    """Save an answer at once; the same ``client_request_id`` again returns the stored answer.

    The hot path of a test (every answer is a request): the token is read without the database
    and the account is checked in the answer's own transaction (``service.save_answer``); the
    session comes straight from the factory rather than ``SessionDep``, which would cost two
    thread-pool hops. The answer is committed before the response is built.
    """
    with request.app.state.sessions() as session, session.begin():
        saved = service.save_answer(
            session=session,
            session_id=session_id,
            claims=claims,
            item_id=item_id,
            option=data.option,
            client_request_id=data.client_request_id,
            now=now,
        )
    answer = saved.answer
    return AnswerOut(
        item_id=answer.item_id,
        option=answer.option,
        client_request_id=answer.client_request_id,
        answered_at=answer.answered_at,
        created=saved.created,
    )


@sessions_router.post("/{session_id}/submit")
def submit_session(
    session_id: Id,
    account: CandidateAccount,
    session: SessionDep,
    policy: PolicyDep,
    settings: SettingsDep,
    now: NowDep,
) -> SessionOut:
    """Submit (idempotent); the last session of a booking is scored at once."""
    with session.begin():
        submitted = service.submit(
            session=session, session_id=session_id, actor=account, now=now, policy=policy, by="candidate"
        )
        return _session_out(session, submitted, now=now, settings=settings)


# --- certificates ----------------------------------------------------------------------------------


@certificates_router.get("/mine")
def my_certificates(account: CandidateAccount, session: SessionDep) -> list[CertificateOut]:
    with session.begin():
        rows = session.scalars(
            select(Certificate).where(Certificate.account_id == account.id).order_by(Certificate.id)
        ).all()
        return [_certificate_out(row) for row in rows]


@certificates_router.get("/verify/{verification_code}")
def verify_certificate(verification_code: str, session: SessionDep, today: TodayDep) -> CertificateCheckOut:
    """Check a certificate by its code (no sign-in): its dates, score and whether it is valid today."""
    with session.begin():
        row = session.scalars(select(Certificate).where(Certificate.verification_code == verification_code)).first()
        if row is None:
            raise DomainError(CERTIFICATE_NOT_FOUND, "no certificate has this code")
        valid = row.voided_at is None and certificate_is_valid(row.issued_on, today, row.validity_months)
        return CertificateCheckOut(
            programme=row.programme,
            issued_on=row.issued_on,
            valid_until=row.valid_until,
            score=row.score,
            form_hash=row.form_hash,
            valid_on_checked_day=valid,
            checked_on=today,
            voided=row.voided_at is not None,
        )


# --- accommodations --------------------------------------------------------------------------------


def _accommodation_out(row: Accommodation) -> AccommodationOut:
    return AccommodationOut(
        id=row.id,
        candidate_id=row.candidate_id,
        programme=row.programme,
        extra_minutes=row.extra_minutes,
        reason=row.reason,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
    )


@accommodations_router.post("", status_code=status.HTTP_201_CREATED)
def grant_accommodation(
    data: AccommodationIn, account: StaffAccount, session: SessionDep, now: NowDep
) -> AccommodationOut:
    """Extra test minutes for a candidate (HR officer or administrator); used when a session starts."""
    with session.begin():
        row = service.grant_accommodation(
            session=session,
            actor=account,
            candidate_id=data.candidate_id,
            programme=data.programme,
            extra_minutes=data.extra_minutes,
            reason=data.reason,
            now=now,
        )
        return _accommodation_out(row)


@accommodations_router.get("")
def list_accommodations(
    account: StaffAccount, session: SessionDep, candidate_id: Annotated[Id, Query()]
) -> list[AccommodationOut]:
    with session.begin():
        return [_accommodation_out(row) for row in service.accommodations_of(session, account, candidate_id)]
