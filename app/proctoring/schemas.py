"""Request and response bodies of the proctoring endpoints (anonymous: codes only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import SaneAwareDateTime

EventKind = Literal[
    "other_person_in_room",
    "person_swapped",
    "left_seat",
    "looked_away",
    "camera_covered_or_disconnected",
    "paper_materials",
]


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    occurred_at: SaneAwareDateTime
    evidence_ref: str | None = Field(
        default=None, max_length=500, description="where the proctoring client keeps the recording or snapshot"
    )


class EventOut(BaseModel):
    id: int
    kind: str
    occurred_at: datetime
    evidence_ref: str | None
    flagged: bool = Field(description="false when the rules allow it (paper in the reasoning test)")


class ReviewOut(BaseModel):
    """A review in the proctors' queue: the anonymous code, never a name, IIN, birth date, contact or photo."""

    id: int
    code: str = Field(description="the application's anonymous code, or the session's code outside competitions")
    programme: str
    block: str
    status: str
    flags: list[str]
    session_started_at: datetime
    session_ends_at: datetime
    review_due_on: date
    overdue: bool
    events: list[EventOut]
    decided_at: datetime | None
    decision_reason: str | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "dismiss"]
    reason: str = Field(min_length=1, max_length=2000)
