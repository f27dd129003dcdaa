"""Request bodies of the appointment endpoints."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Route = Literal["grant_graduate", "academy_graduate", "regional_reserve", "presidential_youth_reserve"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AppointIn(Strict):
    order_number: str = Field(min_length=1, max_length=64, description="the number of the appointing order")
    appointed_on: date = Field(description="the order's date")
    reason: str | None = Field(
        default=None, max_length=2000, description="required when the date falls outside the appointment window"
    )


class RefusalIn(Strict):
    kind: Literal["refused", "documents_not_submitted"]
    on: date
    reason: str | None = Field(default=None, max_length=2000)


class DocumentsIn(Strict):
    required: bool = Field(default=True, description="false: a serving civil servant hands in no documents")
    received_on: date | None = None


class ProposalIn(Strict):
    candidate_id: int
    route: Route
    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(Strict):
    note: str | None = Field(default=None, max_length=2000)
