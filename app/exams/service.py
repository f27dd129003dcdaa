"""Booking a test, the timed session, answers saved one at a time, submission and accommodations.

Decisions (documented here once):

- Legislation and state-language tests stand alone (their product is a certificate); a
  legislation booking may name a confirmed application, and its result is then recorded there.
  Personal qualities and reasoning are stages of one competition: booked for the candidate's own
  confirmed application whose stage plan holds that stage (422 ``application_required`` without one).
- Reasoning is two timed blocks (text, then numeric; ``reasoning_minutes_per_block`` each), each
  its own session and form; the first start opens the text block, the next the numeric one.
- Another candidate's booking or session answers 404 (``booking_not_found`` /
  ``test_session_not_found``): its existence is not disclosed.
- An answer is one row of ``test_answers`` per accepted change (the latest counts); the
  ``client_request_id`` makes a retry return the stored row without a second write. Answers are
  not audit events (the answer history is their record); starting, submitting, scoring,
  certificates, cancellations and accommodations are.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.applications.access import candidate_access
from app.applications.errors import APPLICATION_NOT_CONFIRMED
from app.applications.models import CONFIRMED, Application
from app.audit.events import audit
from app.auth.models import Account
from app.auth.permissions import can
from app.auth.security import TokenClaims, check_account_state
from app.candidates.models import Candidate
from app.candidates.service import candidate_of_account
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.errors import RESULTS_ALREADY_PUBLISHED, STAGE_NOT_IN_PLAN
from app.competitions.models import RESULTS_PUBLISHED
from app.errors import DomainError
from app.exams.errors import (
    ALREADY_BOOKED,
    ALREADY_TAKEN,
    APPLICATION_NOT_ALLOWED,
    APPLICATION_NOT_FOUND,
    APPLICATION_REQUIRED,
    BOOKING_CANCELLED,
    BOOKING_IN_PAST,
    BOOKING_MISSED,
    BOOKING_NOT_CANCELLABLE,
    BOOKING_NOT_FOUND,
    BOOKING_TOO_SOON,
    CANDIDATE_NOT_FOUND,
    CLIENT_REQUEST_ID_REUSED,
    SESSION_ALREADY_STARTED,
    SESSION_NOT_OPEN,
    SESSION_SUBMITTED,
    SESSION_TIME_OVER,
    TEST_ALREADY_SUBMITTED,
    TEST_SESSION_NOT_FOUND,
    UNKNOWN_ITEM,
    UNKNOWN_OPTION,
)
from app.exams.forms import cached_form, draw_and_freeze
from app.exams.models import (
    ALL_PROGRAMMES,
    BOOKED,
    CANCELLED,
    COMPLETED,
    LEGISLATION,
    NUMERIC_BLOCK,
    PERSONAL_QUALITIES,
    REASONING,
    RUNNING,
    SINGLE_BLOCK,
    STAGE_PROGRAMMES,
    STARTED,
    STATE_LANGUAGE,
    SUBMITTED,
    TEXT_BLOCK,
    Accommodation,
    TestAnswer,
    TestBooking,
    TestResult,
    TestSession,
)
from app.exams.reviews import UNRELIABLE_ANSWERS, confirmed_violation, flag_session
from app.exams.scoring import latest_answers, score_booking
from app.items.bank import Bank
from app.items.forms import Form, ItemBankTooSmallError
from app.jobs.queue import JobQueue
from app.rules.calendar import earliest_booking_date
from app.rules.policy import SelectionPolicy
from app.rules.programmes import COMPETITION_STAGE
from app.settings import Settings

AUTO_SUBMIT_JOB = "testing.auto_submit"
SESSION_CODE_PREFIX = "TS-"
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

ITEM_BANK_PROGRAMMES: dict[str, tuple[str, ...]] = {
    LEGISLATION: ("legislation",),
    STATE_LANGUAGE: ("state_language",),
    PERSONAL_QUALITIES: ("personal_qualities",),
    REASONING: ("reasoning_text", "reasoning_numeric"),
}
"""The item-bank programme of each form a booking holds, in block order."""


def _not_found_booking(booking_id: int) -> DomainError:
    return DomainError(BOOKING_NOT_FOUND, f"no test booking {booking_id} of yours")


def _not_found_session(session_id: int) -> DomainError:
    return DomainError(TEST_SESSION_NOT_FOUND, f"no test session {session_id} of yours")


# --- policy ----------------------------------------------------------------------------------------


def policy_for(session: Session, booking: TestBooking, default: SelectionPolicy) -> SelectionPolicy:
    """The competition's policy snapshot for a stage test; the deployment's policy otherwise."""
    if booking.application_id is None:
        return default
    application = session.get(Application, booking.application_id)
    assert application is not None
    return competitions.policy_of(
        competitions.get_competition(session=session, competition_id=application.competition_id)
    )


# --- booking ---------------------------------------------------------------------------------------


def _own_application(session: Session, candidate: Candidate, application_id: int, programme: str) -> Application:
    application = session.get(Application, application_id)
    if application is None or application.candidate_id != candidate.id:
        raise DomainError(APPLICATION_NOT_FOUND, f"no application {application_id} of yours")
    if application.status != CONFIRMED:
        raise DomainError(
            APPLICATION_NOT_CONFIRMED, "tests of a competition are booked for a confirmed application only"
        )
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    if competition.status == RESULTS_PUBLISHED:
        raise DomainError(RESULTS_ALREADY_PUBLISHED, "the results of this competition are published")
    stage = COMPETITION_STAGE[programme]
    if stage != "eligibility" and stage not in competition.stage_plan:
        raise DomainError(STAGE_NOT_IN_PLAN, f"this competition has no {stage} stage")
    return application


def _previous_items(session: Session, account_id: int, programme: str) -> frozenset[str]:
    """Items of the candidate's last completed form of ``programme``: a retake draws other items if it can."""
    last = session.scalars(
        select(TestBooking)
        .where(
            TestBooking.account_id == account_id, TestBooking.programme == programme, TestBooking.status == COMPLETED
        )
        .order_by(TestBooking.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return frozenset()
    hashes = [h for h in (last.form_hash, last.second_form_hash) if h is not None]
    return frozenset(item.id for h in hashes for item in cached_form(session, h).items)


def book(
    *,
    session: Session,
    actor: Account,
    bank: Bank,
    policy: SelectionPolicy,
    today: date,
    now: datetime,
    programme: str,
    language: str,
    starts_at: datetime,
    application_id: int | None,
    seed: int | None = None,
) -> TestBooking:
    """Book a test and freeze its form(s); 422 ``booking_too_soon`` inside the minimum days ahead."""
    candidate = candidate_of_account(session, actor)
    if starts_at <= now:
        raise DomainError(BOOKING_IN_PAST, "the booked time has passed")
    if programme in STAGE_PROGRAMMES and application_id is None:
        raise DomainError(
            APPLICATION_REQUIRED, f"a {programme} test is a competition stage: name your confirmed application"
        )
    if programme == STATE_LANGUAGE and application_id is not None:
        raise DomainError(APPLICATION_NOT_ALLOWED, "the state-language test belongs to no competition stage")
    application = None
    if application_id is not None:
        application = _own_application(session, candidate, application_id, programme)
        policy = competitions.policy_of(
            competitions.get_competition(session=session, competition_id=application.competition_id)
        )
    if programme in (LEGISLATION, STATE_LANGUAGE):
        earliest = earliest_booking_date(today, policy)
        if starts_at.astimezone(KAZAKHSTAN).date() < earliest:
            raise DomainError(
                BOOKING_TOO_SOON,
                f"book this test for {earliest.isoformat()} or later (Kazakhstan time)",
                earliest_date=earliest.isoformat(),
            )
    active = select(TestBooking.id).where(
        TestBooking.account_id == actor.id,
        TestBooking.programme == programme,
        TestBooking.status.in_((BOOKED, STARTED)),
    )
    if application_id is not None:
        active = active.where(TestBooking.application_id == application_id)
    if programme in STAGE_PROGRAMMES and application_id is not None:
        done = select(TestBooking.id).where(
            TestBooking.application_id == application_id,
            TestBooking.programme == programme,
            TestBooking.status == COMPLETED,
        )
        if session.scalar(done) is not None:
            raise DomainError(ALREADY_TAKEN, f"the {programme} test of this application is taken")
    existing = session.scalar(active)
    if existing is not None:
        raise DomainError(
            ALREADY_BOOKED, f"you have booking {existing} of this test open; cancel it first", booking_id=existing
        )
    seed = secrets.randbits(31) if seed is None else seed
    forms: list[Form] = []
    seen = _previous_items(session, actor.id, programme)
    for bank_programme in ITEM_BANK_PROGRAMMES[programme]:
        try:
            form = draw_and_freeze(session, bank, bank_programme, seed=seed, policy=policy, exclude=seen)
        except ItemBankTooSmallError:
            # The bank cannot give a form without the last one's items: any approved items then.
            form = draw_and_freeze(session, bank, bank_programme, seed=seed, policy=policy)
        forms.append(form)
    booking = TestBooking(
        account_id=actor.id,
        candidate_id=candidate.id,
        programme=programme,
        language=language,
        starts_at=starts_at,
        application_id=application_id,
        form_hash=forms[0].form_hash,
        second_form_hash=forms[1].form_hash if len(forms) > 1 else None,
        seed=seed,
        status=BOOKED,
    )
    session.add(booking)
    session.flush()
    audit(
        session,
        actor=actor,
        action="test_booking.created",
        entity_type="test_booking",
        entity_id=booking.id,
        after=booking_facts(booking),
    )
    return booking


def booking_facts(booking: TestBooking) -> dict[str, object]:
    return {
        "programme": booking.programme,
        "language": booking.language,
        "starts_at": booking.starts_at,
        "application_id": booking.application_id,
        "form_hash": booking.form_hash,
        "second_form_hash": booking.second_form_hash,
        "status": booking.status,
    }


def own_booking(session: Session, booking_id: int, actor: Account, *, lock: bool = False) -> TestBooking:
    booking = session.get(TestBooking, booking_id, with_for_update=lock)
    if booking is None or booking.account_id != actor.id:
        raise _not_found_booking(booking_id)
    return booking


def own_bookings(session: Session, actor: Account) -> Sequence[TestBooking]:
    return session.scalars(
        select(TestBooking).where(TestBooking.account_id == actor.id).order_by(TestBooking.starts_at, TestBooking.id)
    ).all()


def cancel(*, session: Session, booking_id: int, actor: Account, now: datetime) -> TestBooking:
    """Cancel a booking not yet started (and before its time); cancelling again changes nothing."""
    booking = own_booking(session, booking_id, actor, lock=True)
    if booking.status == CANCELLED:
        return booking
    if booking.status != BOOKED or now >= booking.starts_at:
        raise DomainError(BOOKING_NOT_CANCELLABLE, "a test is cancelled before it starts only")
    before = booking_facts(booking)
    booking.status, booking.cancelled_at = CANCELLED, now
    audit(
        session,
        actor=actor,
        action="test_booking.cancelled",
        entity_type="test_booking",
        entity_id=booking.id,
        before=before,
        after=booking_facts(booking),
    )
    return booking


# --- accommodations --------------------------------------------------------------------------------


def grant_accommodation(
    *,
    session: Session,
    actor: Account,
    candidate_id: int,
    programme: str,
    extra_minutes: int,
    reason: str,
    now: datetime,
) -> Accommodation:
    """Extra minutes for a candidate's tests of ``programme`` (or ``all``); the latest grant that applies counts.

    HR officers grant them to candidates who applied to their own body only (``candidate.accommodate``).
    """
    accommodated_candidate(session, actor, candidate_id)
    row = Accommodation(
        candidate_id=candidate_id,
        programme=programme,
        extra_minutes=extra_minutes,
        reason=reason,
        granted_by=actor.id,
        granted_at=now,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        action="accommodation.granted",
        entity_type="accommodation",
        entity_id=row.id,
        after={"candidate_id": candidate_id, "programme": programme, "extra_minutes": extra_minutes, "reason": reason},
    )
    return row


def accommodated_candidate(session: Session, actor: Account, candidate_id: int) -> Candidate:
    """The candidate when ``actor`` may grant and read their accommodations; 404 otherwise (existence is secret)."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or not can(
        actor,
        "candidate.accommodate",
        candidate_access(session, candidate_id=candidate.id, account_id=candidate.account_id),
    ):
        raise DomainError(CANDIDATE_NOT_FOUND, f"no candidate {candidate_id}")
    return candidate


def accommodations_of(session: Session, actor: Account, candidate_id: int) -> Sequence[Accommodation]:
    accommodated_candidate(session, actor, candidate_id)
    return session.scalars(
        select(Accommodation).where(Accommodation.candidate_id == candidate_id).order_by(Accommodation.id)
    ).all()


def extra_minutes_for(session: Session, candidate_id: int, programme: str) -> int:
    latest = session.scalars(
        select(Accommodation)
        .where(Accommodation.candidate_id == candidate_id, Accommodation.programme.in_((programme, ALL_PROGRAMMES)))
        .order_by(Accommodation.granted_at.desc(), Accommodation.id.desc())
        .limit(1)
    ).first()
    return 0 if latest is None else latest.extra_minutes


# --- sessions --------------------------------------------------------------------------------------


def booking_sessions(session: Session, booking_id: int) -> list[TestSession]:
    return list(
        session.scalars(select(TestSession).where(TestSession.booking_id == booking_id).order_by(TestSession.id)).all()
    )


def _next_block(booking: TestBooking, existing: Sequence[TestSession]) -> tuple[str, str]:
    """The block to start and its form: reasoning's text block, then its numeric block."""
    if booking.programme != REASONING:
        return SINGLE_BLOCK, booking.form_hash
    if not existing:
        return TEXT_BLOCK, booking.form_hash
    assert booking.second_form_hash is not None
    return NUMERIC_BLOCK, booking.second_form_hash


def _session_code(session: Session) -> str:
    while True:
        code = SESSION_CODE_PREFIX + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if session.scalar(select(TestSession.id).where(TestSession.code == code)) is None:
            return code


def start(
    *, session: Session, queue: JobQueue, booking_id: int, actor: Account, now: datetime, settings: Settings
) -> TestSession:
    """Start the booking's (next) timed session; the auto-submission job is scheduled at its deadline."""
    booking = own_booking(session, booking_id, actor, lock=True)
    if booking.status == CANCELLED:
        raise DomainError(BOOKING_CANCELLED, "this booking is cancelled")
    if booking.status == COMPLETED:
        raise DomainError(TEST_ALREADY_SUBMITTED, "this test is submitted")
    existing = booking_sessions(session, booking.id)
    running = [s for s in existing if s.status == RUNNING]
    if running:
        raise DomainError(
            SESSION_ALREADY_STARTED, "the session of this booking is running; resume it", session_id=running[0].id
        )
    if now < booking.starts_at - timedelta(minutes=settings.test_start_early_minutes):
        raise DomainError(
            SESSION_NOT_OPEN,
            f"the test opens at {booking.starts_at.isoformat()}",
            opens_at=(booking.starts_at - timedelta(minutes=settings.test_start_early_minutes)).isoformat(),
        )
    if not existing and now > booking.starts_at + timedelta(minutes=settings.test_start_late_minutes):
        raise DomainError(BOOKING_MISSED, "the booked time is long past; book again")
    block, form_hash = _next_block(booking, existing)
    form = cached_form(session, form_hash)
    extra = extra_minutes_for(session, booking.candidate_id, booking.programme)
    test_session = TestSession(
        booking_id=booking.id,
        account_id=booking.account_id,
        block=block,
        form_hash=form_hash,
        language=booking.language,
        code=_session_code(session),
        status=RUNNING,
        started_at=now,
        minutes=form.time_limit_minutes,
        extra_minutes=extra,
        deadline=now + timedelta(minutes=form.time_limit_minutes + extra),
    )
    session.add(test_session)
    booking.status = STARTED
    session.flush()
    test_session.auto_submit_job_id = queue.enqueue(
        AUTO_SUBMIT_JOB,
        {"session_id": test_session.id},
        dedupe_key=f"{AUTO_SUBMIT_JOB}:{test_session.id}",
        session=session,
        eta=test_session.deadline,
    )
    audit(
        session,
        actor=actor,
        action="test_session.started",
        entity_type="test_session",
        entity_id=test_session.id,
        after={
            "booking_id": booking.id,
            "block": block,
            "form_hash": form_hash,
            "started_at": now,
            "minutes": test_session.minutes,
            "extra_minutes": extra,
            "deadline": test_session.deadline,
        },
    )
    return test_session


def own_session(session: Session, session_id: int, actor: Account, *, lock: bool = False) -> TestSession:
    test_session = session.get(TestSession, session_id, with_for_update=lock)
    if test_session is None or test_session.account_id != actor.id:
        raise _not_found_session(session_id)
    return test_session


def remaining_seconds(test_session: TestSession, now: datetime) -> int:
    """Whole seconds left, counted by the server; 0 once the deadline has come or the session is submitted."""
    if test_session.status != RUNNING:
        return 0
    return max(0, (test_session.deadline - now) // timedelta(seconds=1))


# --- answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedAnswer:
    answer: TestAnswer
    created: bool


def existing_request(session: Session, session_id: int, client_request_id: str) -> TestAnswer | None:
    return session.scalars(
        select(TestAnswer).where(TestAnswer.session_id == session_id, TestAnswer.client_request_id == client_request_id)
    ).first()


def _stored_again(stored: TestAnswer, item_id: str, option: str) -> SavedAnswer:
    if (stored.item_id, stored.option) != (item_id, option):
        raise DomainError(CLIENT_REQUEST_ID_REUSED, "this client_request_id was used for another answer")
    return SavedAnswer(stored, created=False)


def _answer_refusal(
    session: Session, *, status: str, deadline: datetime, form_hash: str, item_id: str, option: str, now: datetime
) -> DomainError | None:
    if status == SUBMITTED:
        return DomainError(SESSION_SUBMITTED, "the session is submitted")
    if now >= deadline:
        return DomainError(SESSION_TIME_OVER, "the time of this session is over")
    form = cached_form(session, form_hash)
    try:
        item = form.item(item_id)
    except KeyError:
        return DomainError(UNKNOWN_ITEM, f"item {item_id!r} is not in this session's form")
    if option not in item.option_ids:
        return DomainError(UNKNOWN_OPTION, f"option {option!r} is not one of {', '.join(item.option_ids)}")
    return None


def save_answer(
    *,
    session: Session,
    session_id: int,
    claims: TokenClaims,
    item_id: str,
    option: str,
    client_request_id: str,
    now: datetime,
) -> SavedAnswer:
    """Save one answer; the same ``client_request_id`` again returns the stored row and writes nothing.

    The hot path of a test, in one transaction of two statements:

    1. one SELECT reads the caller's account (active, role: ``check_account_state``) and the
       session (owner, status, deadline, form). On PostgreSQL it takes a shared lock on the
       session row (``FOR SHARE OF test_sessions``) until commit. Submission locks the row
       ``FOR UPDATE``, so either it waits for this answer's commit and then counts it, or this
       SELECT waits for the submission's commit and then reads ``submitted`` (PostgreSQL re-reads
       a locked row's latest version) and refuses. A plain read would not do: under READ
       COMMITTED an answer could read ``running``, the submission score without it, and the
       answer commit after: acknowledged and never scored. On SQLite every transaction begins
       IMMEDIATE (``app.db``), so the two are serialised anyway.
    2. ``INSERT … ON CONFLICT (session_id, client_request_id) DO NOTHING RETURNING id``: the
       unique constraint, not an earlier SELECT, decides whether this request id is new, so two
       copies of one request in flight at once store one row and both get it back.

    A refusal (submitted, time over, unknown item or option) looks for the request id first: a
    retry of an answer acknowledged in time still gets its stored answer.
    """
    row = session.execute(
        select(
            Account.is_active,
            Account.role,
            Account.token_version,
            TestSession.account_id,
            TestSession.status,
            TestSession.deadline,
            TestSession.form_hash,
        )
        .select_from(Account)
        .join(TestSession, TestSession.id == session_id)
        .where(Account.id == claims.account_id)
        .with_for_update(read=True, of=TestSession)
    ).first()
    if row is None:  # no such account or no such session: which one decides the problem
        account = session.execute(
            select(Account.is_active, Account.role, Account.token_version).where(Account.id == claims.account_id)
        ).first()
        check_account_state(
            claims,
            is_active=None if account is None else account.is_active,
            role=None if account is None else account.role,
            token_version=None if account is None else account.token_version,
        )
        raise _not_found_session(session_id)
    check_account_state(claims, is_active=row.is_active, role=row.role, token_version=row.token_version)
    if row.account_id != claims.account_id:
        raise _not_found_session(session_id)
    refusal = _answer_refusal(
        session,
        status=row.status,
        deadline=row.deadline,
        form_hash=row.form_hash,
        item_id=item_id,
        option=option,
        now=now,
    )
    if refusal is not None:
        stored = existing_request(session, session_id, client_request_id)
        if stored is not None:
            return _stored_again(stored, item_id, option)
        raise refusal
    values = {
        "session_id": session_id,
        "item_id": item_id,
        "option": option,
        "client_request_id": client_request_id,
        "answered_at": now,
    }
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    answer_id = session.execute(
        insert(TestAnswer)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[TestAnswer.session_id, TestAnswer.client_request_id])
        .returning(TestAnswer.id)
    ).scalar()
    if answer_id is None:
        stored = existing_request(session, session_id, client_request_id)
        assert stored is not None  # the conflict was this row (READ COMMITTED sees it once committed)
        return _stored_again(stored, item_id, option)
    # A plain object, not added to the session: the row is written already.
    return SavedAnswer(TestAnswer(id=answer_id, **values), created=True)


def answers_of(session: Session, session_id: int) -> dict[str, str]:
    return latest_answers(session, session_id)


# --- submission ------------------------------------------------------------------------------------


def submit(
    *, session: Session, session_id: int, actor: Account | None, now: datetime, policy: SelectionPolicy, by: str
) -> TestSession:
    """Submit a session (``by``: ``candidate`` or ``deadline``); submitting again returns it unchanged.

    The last session of a booking is scored at once; the result is recorded for the application.
    ``actor`` is the candidate (``None``: the deadline job acts for them).
    """
    if actor is not None:
        test_session = own_session(session, session_id, actor, lock=True)
    else:
        found = session.get(TestSession, session_id, with_for_update=True)
        if found is None:
            raise _not_found_session(session_id)
        test_session = found
    if test_session.status == SUBMITTED:
        return test_session
    booking = session.get(TestBooking, test_session.booking_id, with_for_update=True)
    candidate = session.get(Account, test_session.account_id)
    assert booking is not None and candidate is not None
    test_session.status, test_session.submitted_at, test_session.submitted_by = SUBMITTED, now, by
    session.flush()
    sessions = booking_sessions(session, booking.id)
    blocks_needed = len(ITEM_BANK_PROGRAMMES[booking.programme])
    audit(
        session,
        actor=actor,
        action="test_session.submitted",
        entity_type="test_session",
        entity_id=test_session.id,
        after={"submitted_at": now, "by": by, "answers": len(answers_of(session, test_session.id))},
    )
    if len(sessions) == blocks_needed and all(s.status == SUBMITTED for s in sessions):
        booking.status = COMPLETED
        result = score_booking(
            session,
            booking=booking,
            sessions=sessions,
            candidate=candidate,
            policy=policy_for(session, booking, policy),
            voided_reason=confirmed_violation(session, booking.id),
        )
        if result.flagged_unreliable:
            flag_session(session, test_session=test_session, flag=UNRELIABLE_ANSWERS)
    return test_session


def result_of(session: Session, booking_id: int) -> TestResult | None:
    return session.scalars(select(TestResult).where(TestResult.booking_id == booking_id)).first()
