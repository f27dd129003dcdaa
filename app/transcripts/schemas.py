"""Request and response bodies of the recording and transcript endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.bounds import MAX_COUNT


class RecordingOut(BaseModel):
    """A recording and where its transcription stands (``progress``: percent of the audio processed)."""

    id: int
    interview_id: int
    sha256: str
    size_bytes: int
    filename: str
    content_type: str | None
    language: str
    status: str = Field(description="queued, transcribing, transcribed, failed, transcription_disabled, deleted")
    error_code: str | None
    job_id: str | None
    progress: float | None
    uploaded_at: datetime
    deleted_at: datetime | None


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str = Field(max_length=5000)

    @model_validator(mode="after")
    def _ordered(self) -> SegmentIn:
        if self.end < self.start:
            raise ValueError("a segment ends after it starts")
        return self


class CorrectionIn(BaseModel):
    """A member's corrected transcript: all segments, based on the latest version."""

    model_config = ConfigDict(extra="forbid")

    base_version: int = Field(ge=1, le=MAX_COUNT)
    segments: list[SegmentIn] = Field(max_length=10000)
    note: str | None = Field(default=None, max_length=1000)


class VersionSummary(BaseModel):
    version: int
    author_id: int | None = Field(description="empty: the machine's version")
    machine: bool
    created_at: datetime
    based_on: int | None
    note: str | None
    model: dict[str, Any] | None
    segments: int


class VersionsOut(BaseModel):
    interview_id: int
    transcript_id: int
    versions: list[VersionSummary]


class TranscriptOut(BaseModel):
    """One version of the transcript; low-confidence segments of the machine's carry ``low_confidence``."""

    interview_id: int
    transcript_id: int
    version: int
    latest_version: int
    machine: bool
    author_id: int | None
    created_at: datetime
    based_on: int | None
    note: str | None
    language: str
    detected_language: str | None
    language_probability: float | None
    language_mismatch: bool
    model: dict[str, Any] | None
    quality_note: dict[str, str] | None
    segments: list[dict[str, Any]]
    details: dict[str, Any]


class DiffChange(BaseModel):
    op: str
    from_segments: list[int]
    to_segments: list[int]
    before: list[str]
    after: list[str]


class DiffOut(BaseModel):
    from_: int = Field(alias="from")
    to: int
    changes: list[DiffChange]
    unified: str

    model_config = ConfigDict(populate_by_name=True)
