"""Request and response bodies of the competition endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import Id


class CommissionSeatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: Id
    role: Literal["chair", "member", "secretary"] = "member"


class CommissionSeatOut(BaseModel):
    account_id: int
    display_name: str
    role: str
    added_at: datetime


class EssayTopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kk: str = Field(min_length=1, max_length=2000)
    ru: str = Field(min_length=1, max_length=2000)


class CompetitionCalendar(BaseModel):
    """The competition's dates and whether a deadline has passed with work still undone (as of ``today``)."""

    published_on: date
    applications_close_on: date
    documents_review_due: date
    results_published_on: date | None
    today: date
    applications_open: bool
    documents_review_overdue: bool
    applications_awaiting_confirmation: int
    applications_overdue: int


class CompetitionOut(BaseModel):
    id: int
    vacancy_id: int
    state_body_id: int
    category: str
    managerial: bool
    stage_plan: list[str]
    policy: dict[str, Any]
    status: str
    essay_topic: dict[str, str] | None
    prescoring_mode: str = Field(
        description="how members meet the essay pre-score: blind_first (after their own "
        "score, the default) or assist (at once)"
    )
    calendar: CompetitionCalendar
    commission: list[CommissionSeatOut] | None = Field(
        description="the seats; shown to the HR of the body, administrators and the members themselves"
    )


class ProgressOut(BaseModel):
    """The outcome so far, exactly as ``irikteu replay`` prints it for the stored data (refs: anonymous codes)."""

    competition_id: int
    status: str
    candidates: int
    outcome: dict[str, Any]


class PublishedResultsOut(BaseModel):
    competition_id: int
    status: str
    results_published_on: date
    outcome: dict[str, Any]
    names: dict[str, str] | None = Field(
        default=None, description="anonymous code -> full name of the ranked, shown once results are published"
    )
