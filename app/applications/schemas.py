"""Request and response bodies of the application endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RequirementResultOut(BaseModel):
    requirement: str
    met: bool
    required: Any
    actual: Any
    reason: str
    explanation: dict[str, str] = Field(description="the reason in Kazakh (kk) and Russian (ru)")


class CandidateContactOut(BaseModel):
    """Personal data: for the candidate themself and the HR of the body only."""

    candidate_id: int
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    email: str
    phone: str


class StageResultsOut(BaseModel):
    legislation: dict[str, int] | None
    legislation_certificate_valid: bool
    personal_qualities: dict[str, Any] | None
    reasoning: dict[str, int] | None
    violations: list[str]
    updated_at: datetime


class ApplicationOut(BaseModel):
    """The candidate's own view and the HR view (``candidate`` is filled for HR only)."""

    id: int
    competition_id: int
    vacancy_id: int
    anonymous_code: str
    status: str
    applied_at: datetime
    applied_on: date
    hr_confirmation_due: date
    hr_confirmation_overdue: bool
    qualified: bool
    qualification: list[RequirementResultOut]
    experience_months: int
    education_level: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    candidate: CandidateContactOut | None = None
    stage_results: StageResultsOut | None = None


class AnonymousApplicationOut(BaseModel):
    """What commission members and proctors see: the anonymous code and stage data, nothing personal.

    ``full_name`` appears only after the results are published.
    """

    id: int
    competition_id: int
    anonymous_code: str
    status: str
    stage_results: StageResultsOut | None
    full_name: str | None = None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class StageResultsIn(BaseModel):
    """Recorded results; a field left out keeps its stored value, ``null`` clears it.

    Shapes and ranges are the replay format's (checked by ``app.rules.replay`` against the
    competition's policy): legislation ``{"constitution", "civil_service", "anti_corruption",
    "ethics"}``, personal_qualities ``{"percent": 0..100, "reliable": bool}``, reasoning
    ``{"text": 0..25, "numeric": 0..25}``, violations: stage names.
    """

    model_config = ConfigDict(extra="forbid")

    legislation: dict[str, Any] | None = None
    legislation_certificate_valid: bool | None = None
    personal_qualities: dict[str, Any] | None = None
    reasoning: dict[str, Any] | None = None
    violations: list[Any] | None = None
