"""Bookings, timed sessions, answers, results, certificates and accommodations of the tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow

# The programme names are the rules' (``app.rules.programmes``); the exam domain names them here too.
from app.rules.programmes import LEGISLATION as LEGISLATION
from app.rules.programmes import PERSONAL_QUALITIES as PERSONAL_QUALITIES
from app.rules.programmes import REASONING as REASONING
from app.rules.programmes import STATE_LANGUAGE as STATE_LANGUAGE

PROGRAMMES: tuple[str, ...] = (LEGISLATION, STATE_LANGUAGE, PERSONAL_QUALITIES, REASONING)
"""What a candidate books; reasoning is taken as two timed blocks, text then numeric."""

STAGE_PROGRAMMES: tuple[str, ...] = (PERSONAL_QUALITIES, REASONING)
"""Programmes that are a stage of one competition: booked for a confirmed application only."""

TEST_LANGUAGES: tuple[str, ...] = ("kk", "ru")

BOOKED: Final = "booked"
CANCELLED: Final = "cancelled"
STARTED: Final = "started"
COMPLETED: Final = "completed"
BOOKING_STATUSES: tuple[str, ...] = (BOOKED, CANCELLED, STARTED, COMPLETED)

RUNNING: Final = "running"
SUBMITTED: Final = "submitted"
SESSION_STATUSES: tuple[str, ...] = (RUNNING, SUBMITTED)

SINGLE_BLOCK: Final = "main"
TEXT_BLOCK: Final = "text"
NUMERIC_BLOCK: Final = "numeric"
BLOCKS: tuple[str, ...] = (SINGLE_BLOCK, TEXT_BLOCK, NUMERIC_BLOCK)

ALL_PROGRAMMES: Final = "all"


class TestBooking(Base):
    """A candidate's booked test: programme, language, start time and the form(s) frozen for it.

    ``application_id`` ties the test to a competition's stage (required for personal qualities and
    reasoning, optional for legislation). ``second_form_hash`` is the numeric block's form of a
    reasoning booking (``form_hash`` is its text block's).
    """

    __tablename__ = "test_bookings"
    __table_args__ = (
        CheckConstraint(check_in("programme", PROGRAMMES), name="programme"),
        CheckConstraint(check_in("language", TEST_LANGUAGES), name="language"),
        CheckConstraint(check_in("status", BOOKING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    programme: Mapped[str] = mapped_column(String(24), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    form_hash: Mapped[str] = mapped_column(ForeignKey("test_forms.form_hash", ondelete="RESTRICT"), nullable=False)
    second_form_hash: Mapped[str | None] = mapped_column(
        ForeignKey("test_forms.form_hash", ondelete="RESTRICT"), nullable=True
    )
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=BOOKED, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TestSession(Base):
    """One timed sitting of a booking's form; the deadline is fixed when it starts (server-side clock).

    ``code`` is the anonymous session code proctors see when the test belongs to no competition.
    """

    __tablename__ = "test_sessions"
    __table_args__ = (
        UniqueConstraint("booking_id", "block"),
        CheckConstraint(check_in("status", SESSION_STATUSES), name="status"),
        CheckConstraint(check_in("block", BLOCKS), name="block"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("test_bookings.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    block: Mapped[str] = mapped_column(String(8), nullable=False, default=SINGLE_BLOCK)
    form_hash: Mapped[str] = mapped_column(ForeignKey("test_forms.form_hash", ondelete="RESTRICT"), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=RUNNING, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    extra_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    auto_submit_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class TestAnswer(Base):
    """One accepted answer or change of answer; the latest row of an item counts.

    ``client_request_id`` is unique per session: a retried request finds its row and writes nothing.
    """

    __tablename__ = "test_answers"
    __table_args__ = (
        UniqueConstraint("session_id", "client_request_id"),
        Index("ix_test_answers_session_item", "session_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("test_sessions.id", ondelete="CASCADE"), nullable=False)
    item_id: Mapped[str] = mapped_column(String(64), nullable=False)
    option: Mapped[str] = mapped_column(String(8), nullable=False)
    client_request_id: Mapped[str] = mapped_column(String(100), nullable=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class TestResult(Base):
    """A scored booking: the score the rules gave, pass or fail (``None``: no pass mark), the form hashes."""

    __tablename__ = "test_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("test_bookings.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    programme: Mapped[str] = mapped_column(String(24), nullable=False)
    form_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    second_form_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    test_date: Mapped[date] = mapped_column(Date, nullable=False)
    score: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flagged_unreliable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    recorded_for_application: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    recording_problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Certificate(Base):
    """A certificate (сертификат) of a legislation or state-language test, or the personal-qualities
    conclusion (қорытынды), valid from the test date."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint(check_in("programme", (LEGISLATION, STATE_LANGUAGE, PERSONAL_QUALITIES)), name="programme"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    programme: Mapped[str] = mapped_column(String(24), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    validity_months: Mapped[int] = mapped_column(Integer, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    result_id: Mapped[int] = mapped_column(
        ForeignKey("test_results.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    form_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    score: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    verification_code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Accommodation(Base):
    """Extra minutes an HR officer granted a candidate for one programme or for all (``all``)."""

    __tablename__ = "accommodations"
    __table_args__ = (
        CheckConstraint(check_in("programme", (*PROGRAMMES, ALL_PROGRAMMES)), name="programme"),
        CheckConstraint("extra_minutes > 0", name="extra_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    programme: Mapped[str] = mapped_column(String(24), nullable=False)
    extra_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    granted_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
