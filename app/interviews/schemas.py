"""Request and response bodies of the interview endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import SaneAwareDateTime
from app.essays.schemas import MemberScoreOut


class InterviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anonymous_code: str = Field(min_length=1, max_length=16)
    starts_at: SaneAwareDateTime = Field(description="with its offset, e.g. 2026-03-03T10:00:00+05:00")


class InterviewStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["held", "cancelled"]


class InterviewOut(BaseModel):
    """An interview by anonymous code (commission and HR); the recording and transcript come later."""

    id: int
    competition_id: int
    anonymous_code: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    status: str
    recording_ref: str | None = Field(description="set by the transcription issue; empty until then")
    transcript_ref: str | None = Field(description="set by the transcription issue; empty until then")
    my_score: MemberScoreOut | None = None


class InterviewsOut(BaseModel):
    competition_id: int
    stage_closed: bool
    shortlist: list[str] = Field(description="anonymous codes on the interview shortlist")
    interviews: list[InterviewOut]


class MyInterviewOut(BaseModel):
    """The candidate's own slot."""

    anonymous_code: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    status: str
