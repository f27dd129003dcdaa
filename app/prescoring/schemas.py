"""Request and response bodies of essay pre-scoring: the commission's essay view, discussions, mode, registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.essays.schemas import AnonymousEssayOut

SUGGESTION_DESCRIPTION = (
    "the pre-score: {status: suggested, score, probabilities, confidence, top_features, model, suggested_at}; "
    "{status: hidden_until_you_score} for a voting member before their own score in blind_first mode; "
    "{status: hidden_until_stage_closed} for the HR service, administrators and the secretary while the stage "
    "is open; {status: unavailable, reason, message: {kk, ru}} when there is none (reason: a scorer reason "
    "code, switched_off or pending). It never counts."
)


class FlagOut(BaseModel):
    kind: Literal["suggestion_gap", "members_apart"]
    gap: int = Field(description="points between the member and the pre-score, or between the two members")
    discussed: bool


class DiscussedFlagOut(BaseModel):
    kind: str
    gap: int


class DiscussionRecordOut(BaseModel):
    note: str
    resolved_by: int
    resolved_at: datetime
    flags: list[DiscussedFlagOut]


class DiscussionOut(BaseModel):
    """An essay's discussion flags: ``required`` while a flag has no recorded discussion (the stage cannot close)."""

    flagged: bool
    required: bool
    flags: list[FlagOut]
    discussions: list[DiscussionRecordOut]


class ReviewedEssayOut(AnonymousEssayOut):
    """An essay in the commission's view, with its pre-score as the reader may see it and its flags."""

    suggestion: dict[str, Any] = Field(description=SUGGESTION_DESCRIPTION)
    discussion: DiscussionOut | None = Field(
        description="the flags; null for a voting member who has not scored the essay yet (they tell how far "
        "apart the scores are)"
    )


class ReviewedEssaysOut(BaseModel):
    competition_id: int
    stage_closed: bool
    prescoring_mode: str
    topic: dict[str, str] | None
    essays: list[ReviewedEssayOut]


class DiscussionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=5000, description="what the commission concluded")


class EssayDiscussionOut(DiscussionOut):
    competition_id: int
    anonymous_code: str


class PrescoringModeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["blind_first", "assist"]


class RequeuedOut(BaseModel):
    competition_id: int
    queued: list[str] = Field(description="anonymous codes of the essays whose pre-score was queued")


class EssayModelOut(BaseModel):
    """A registry entry: what was trained on what, and how well (the artifact itself is not sent)."""

    id: int
    scope: str
    topic_key: str | None
    name: str
    version: str
    params_sha256: str
    training_data_sha256: str
    n_train: int
    metrics: dict[str, Any]
    encoder: dict[str, Any]
    created_at: datetime
    validity_gate: dict[str, Any] | None = None
    """``held_back`` (no suggestions) with the thresholds it misses, from ``app.prescoring.gate``."""
