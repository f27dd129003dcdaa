"""Vacancy alerts over HTTP: subscriptions, campaigns, recipients and standing rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.bounds import Id


class CriteriaIn(BaseModel):
    """What a subscriber wants to hear of; an empty list accepts everything of that kind."""

    functional_areas: list[str] = Field(default_factory=list, max_length=20)
    regions: list[str] = Field(default_factory=list, max_length=40)
    categories: list[str] = Field(default_factory=list, max_length=40, description="category codes, e.g. C-4")
    text: str | None = Field(default=None, description="free text: the kind of work wanted")


class SubscriptionIn(BaseModel):
    criteria: CriteriaIn = Field(default_factory=CriteriaIn)
    frequency: Literal["immediate", "daily", "weekly"] = "daily"
    locale: Literal["kk", "ru"] | None = Field(default=None, description="the account's language unless given")


class SubscriptionOut(BaseModel):
    id: int
    candidate_id: int
    criteria: dict[str, Any]
    frequency: str
    locale: str
    active: bool
    created_at: datetime
    unsubscribed_at: datetime | None


class UnsubscribedOut(BaseModel):
    subscription_id: int
    active: bool
    unsubscribed_at: datetime | None


class CampaignIn(BaseModel):
    vacancy_ids: list[Id] = Field(min_length=1, max_length=50)


class CampaignOut(BaseModel):
    id: int
    state_body_id: int
    vacancy_ids: list[int]
    status: str
    drafted_at: datetime
    drafted_by: int | None
    approved_by: int | None
    approved_at: datetime | None
    standing_rule_id: int | None
    cancelled_by: int | None
    recipients_count: int
    outcome: dict[str, Any]
    model: dict[str, Any]
    finished_at: datetime | None
    send_job_id: str | None = None


class RecipientOut(BaseModel):
    """A recipient as HR sees it: the subscription, never the person."""

    subscription_id: int
    vacancy_ids: list[int]
    score: float
    explanation: dict[str, Any]
    status: str


class RecipientsPage(BaseModel):
    items: list[RecipientOut]
    total: int
    page: int
    page_size: int


class StandingRuleIn(BaseModel):
    functional_areas: list[str] = Field(default_factory=list, max_length=20)
    categories: list[str] = Field(default_factory=list, max_length=40)
    auto_approve: bool = True


class StandingRuleOut(BaseModel):
    id: int
    state_body_id: int
    criteria: dict[str, Any]
    auto_approve: bool
    active: bool
    created_by: int
    created_at: datetime
    withdrawn_at: datetime | None
