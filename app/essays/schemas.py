"""Request and response bodies of the essay, practical-assessment and stage-scoring endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import BoundedInt, SingleLine
from app.essays.models import ESSAY_TEXT_MAX_CHARS

Language = Literal["kk", "ru"]
ScoredStage = Literal["essay", "practical", "interview"]


class EssayStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language


class EssayDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=ESSAY_TEXT_MAX_CHARS)
    language: Language | None = None


class EssaySubmitIn(BaseModel):
    """The final text, or nothing to submit the last autosaved draft."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=ESSAY_TEXT_MAX_CHARS)
    language: Language | None = None


class EssayOut(BaseModel):
    """The candidate's own essay, with the topic and the clock."""

    id: int
    application_id: int
    anonymous_code: str
    language: str
    topic: dict[str, str] | None
    text: str
    started_at: datetime
    deadline_at: datetime
    seconds_left: int = Field(description="until the deadline, as of the request; 0 once it has passed")
    saved_at: datetime | None
    submitted_at: datetime | None
    word_count: int
    word_limit: int
    over_word_limit: bool
    locked: bool
    content_hash: str | None


class MemberScoreOut(BaseModel):
    score: int
    comment: str | None
    scored_at: datetime


class AnonymousEssayOut(BaseModel):
    """An essay as the commission reads it: the anonymous code, never who wrote it."""

    anonymous_code: str
    language: str
    text: str
    word_count: int
    submitted_at: datetime
    content_hash: str
    my_score: MemberScoreOut | None = Field(description="the reader's own score (blind-first: no one else's)")


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: BoundedInt = Field(description="on the policy's scale, 1..5 by default (422 score_out_of_range)")
    comment: str | None = Field(default=None, max_length=5000, description="the member's note")


class ScoreOut(BaseModel):
    competition_id: int
    stage: str
    anonymous_code: str
    score: int
    comment: str | None
    scored_at: datetime


class StageClosureOut(BaseModel):
    competition_id: int
    stage: str
    closed_at: datetime
    closed_by: int


class PracticalTaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_kk: SingleLine = Field(min_length=1, max_length=300)
    title_ru: SingleLine = Field(min_length=1, max_length=300)
    instructions_kk: str = Field(min_length=1, max_length=20_000)
    instructions_ru: str = Field(min_length=1, max_length=20_000)
    level_note: str | None = Field(default=None, max_length=2000)


class PracticalTaskOut(BaseModel):
    id: int
    competition_id: int
    title_kk: str
    title_ru: str
    instructions_kk: str
    instructions_ru: str
    level_note: str | None
    updated_at: datetime


class PracticalEntrantOut(BaseModel):
    anonymous_code: str
    my_score: MemberScoreOut | None


class PracticalOut(BaseModel):
    """The practical stage as the commission sees it: tasks and the entrants by anonymous code."""

    competition_id: int
    stage_closed: bool
    tasks: list[PracticalTaskOut]
    entrants: list[PracticalEntrantOut]
