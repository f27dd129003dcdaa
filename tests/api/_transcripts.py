"""What the transcript tests share: the fixed two-segment transcript of the stand-in speech model and an
interview to upload a recording to (tests/api/test_transcripts.py, tests/web/test_transcript_*.py and the
worker fault tests, whose stand-in worker process imports this module too)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.interviews.models import Interview
from ml.registry import ModelInfo
from ml.transcription import BASE_MODEL_SHA256, Segment, Transcript
from ml.transcription.transcriber import quality_note
from tests.api._assessment import NOW, Setup

FAKE_MODEL = ModelInfo(name="whisper-base-ct2", version="1.0.0", weights_sha256=BASE_MODEL_SHA256)
SEGMENTS = (
    Segment(
        start=0.0,
        end=1.5,
        text="Сәлеметсіз бе.",
        avg_logprob=-0.1,
        no_speech_prob=0.01,
        compression_ratio=1.0,
        temperature=0.0,
        confidence=0.8958,
        low_confidence=False,
    ),
    Segment(
        start=1.5,
        end=3.0,
        text="Мен заңгермін.",
        avg_logprob=-1.2,
        no_speech_prob=0.05,
        compression_ratio=1.0,
        temperature=0.0,
        confidence=0.2861,
        low_confidence=True,
    ),
)


def add_interview(
    session: Any,
    setup: Setup,
    *,
    person: int = 0,
    starts: datetime = NOW + timedelta(days=1),
    status: str = "scheduled",
) -> int:
    """A 15-minute interview of ``setup.people[person]`` scheduled by the competition's HR; its id."""
    interview = Interview(
        application_id=setup.people[person].application_id,
        competition_id=setup.competition_id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
        duration_minutes=15,
        status=status,
        scheduled_by=setup.hr.id,
        scheduled_at=NOW,
    )
    session.add(interview)
    session.flush()
    return interview.id


def fixed_transcript(model: ModelInfo, language: Any) -> Transcript:
    """What the stand-in speech models return: :data:`SEGMENTS` in ``language``, 3 s long."""
    return Transcript(
        language=language,
        detected_language=language,
        detected_probability=0.98,
        requested_language_probability=0.98,
        language_mismatch=False,
        duration=3.0,
        speech_duration=2.5,
        segments=SEGMENTS,
        model=model,
        quality_note=quality_note(model, language),
    )
