"""The transcription job (one file, one language, one model) and the daily deletion of expired recordings."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, Protocol

from app.db import transaction, utcnow
from app.jobs.queue import JobContext, job_handler, periodic_job
from app.settings import Settings
from app.transcripts import service
from ml.registry import ModelInfo
from ml.transcription import Transcriber, TranscriberConfig, Transcript, TranscriptionError


class SpeechToText(Protocol):
    """What the job needs of a transcriber (tests put a fixed one in its place)."""

    model_info: ModelInfo

    def transcribe(self, path: Any, *, language: Any, progress: Any = None) -> Transcript: ...


_LOADING = threading.Lock()


@lru_cache(maxsize=2)
def _load(config: TranscriberConfig) -> Transcriber:
    return Transcriber(config)


def get_transcriber(settings: Settings) -> SpeechToText:
    """The process's transcriber for these settings, loaded on first use and kept (one load per process)."""
    with _LOADING:
        return _load(service.transcriber_config(settings))


@job_handler(service.JOB_KIND)
def transcribe_recording(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Transcribe the file with this hash; write every waiting interview's machine version at the end, at once."""
    sha256, language = str(payload["sha256"]), str(payload["language"])
    settings = context.settings
    with transaction(context.sessions) as session:
        waiting = service.waiting_recordings(session, sha256, language)
        source = next((r.path for r in waiting if r.path is not None), None)
    if source is None:
        return {"skipped": "no recording with this hash is waiting for a transcript"}
    context.progress(0.0, "loading the speech model")
    transcriber = get_transcriber(settings)

    def report(fraction: float) -> None:
        context.progress(round(fraction * 100, 1), "audio processed")

    try:
        transcript = transcriber.transcribe(
            service.recordings_dir(settings) / source, language=language, progress=report
        )
    except TranscriptionError as error:
        with transaction(context.sessions) as session:
            failed = service.mark_failed(session, sha256, language, error.code)
        return {"error_code": error.code, "message": error.message, "recordings": failed}
    segments = [segment.as_dict() for segment in transcript.segments]
    with transaction(context.sessions) as session:
        written = [
            service.write_machine_version(
                session=session,
                recording=recording,
                segments=segments,
                details=transcript.metadata(),
                model=transcript.model.as_dict(),
                detected_language=transcript.detected_language,
                language_probability=transcript.detected_probability,
                language_mismatch=transcript.language_mismatch,
            ).transcript_id
            for recording in service.waiting_recordings(session, sha256, language)
        ]
    return {
        "transcripts": written,
        "segments": len(segments),
        "duration": transcript.duration,
        "model": transcript.model.label,
    }


@job_handler(service.RETENTION_JOB_KIND)
def delete_expired_recordings(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    with transaction(context.sessions) as session:
        deleted = service.delete_expired(session=session, settings=context.settings, now=utcnow())
    return {"deleted": deleted}


periodic_job(service.RETENTION_JOB_KIND, minute="17", hour="2")
