"""Request and response bodies of the test endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import Id, SaneAwareDateTime

Programme = Literal["legislation", "state_language", "personal_qualities", "reasoning"]
TestLanguage = Literal["kk", "ru"]


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme: Programme
    language: TestLanguage
    starts_at: SaneAwareDateTime = Field(description="the start, with its UTC offset")
    application_id: Id | None = Field(
        default=None,
        description="the confirmed application whose stage this test is (required for "
        "personal_qualities and reasoning; optional for legislation)",
    )


class BookingOut(BaseModel):
    id: int
    programme: str
    language: str
    starts_at: datetime
    application_id: int | None
    status: str
    form_hash: str
    second_form_hash: str | None
    created_at: datetime
    cancelled_at: datetime | None
    session_ids: list[int]


class CertificateOut(BaseModel):
    id: int
    programme: str
    issued_on: date
    valid_until: date
    form_hash: str
    score: dict[str, Any]
    verification_code: str
    voided: bool
    void_reason: str | None


class CertificateCheckOut(BaseModel):
    """What anyone holding a verification code learns: the certificate's facts, nothing personal."""

    programme: str
    issued_on: date
    valid_until: date
    score: dict[str, Any]
    form_hash: str
    valid_on_checked_day: bool
    checked_on: date
    voided: bool


class ResultOut(BaseModel):
    id: int
    programme: str
    test_date: date
    score: dict[str, Any]
    passed: bool | None
    reason: str | None
    flagged_unreliable: bool
    form_hash: str
    second_form_hash: str | None
    recorded_for_application: bool
    voided: bool
    void_reason: str | None
    certificate: CertificateOut | None


class SessionOut(BaseModel):
    """A session as its candidate sees it; ``remaining_seconds`` is counted by the server."""

    id: int
    booking_id: int
    programme: str
    block: str
    language: str
    status: str
    time_over: bool
    started_at: datetime
    deadline: datetime
    minutes: int
    extra_minutes: int
    remaining_seconds: int
    submitted_at: datetime | None
    submitted_by: str | None
    form_hash: str
    items: int
    page_size: int
    pages: int
    answers: dict[str, str] = Field(description="item id → the option of the latest saved answer")
    result: ResultOut | None = None


class OptionOut(BaseModel):
    id: str
    text: str


class TableOut(BaseModel):
    columns: list[str]
    rows: list[list[str | int]]
    caption: str | None


class PageItemOut(BaseModel):
    """An item in the candidate's language; the key is never sent."""

    number: int
    item_id: str
    stem: str
    passage: str | None
    table: TableOut | None
    options: list[OptionOut]
    answer: str | None


class PageOut(BaseModel):
    session_id: int
    page: int
    pages: int
    language: str
    items: list[PageItemOut]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    option: str = Field(min_length=1, max_length=8)
    client_request_id: str = Field(
        min_length=1, max_length=100, description="unique per answer the client sends; a retry sends the same id"
    )


class AnswerOut(BaseModel):
    item_id: str
    option: str
    client_request_id: str
    answered_at: datetime
    created: bool = Field(description="false when this request id was stored before (nothing written now)")


class AccommodationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: Id
    programme: Literal["legislation", "state_language", "personal_qualities", "reasoning", "all"]
    extra_minutes: int = Field(gt=0, le=600)
    reason: str = Field(min_length=1, max_length=2000)


class AccommodationOut(BaseModel):
    id: int
    candidate_id: int
    programme: str
    extra_minutes: int
    reason: str
    granted_by: int
    granted_at: datetime
