"""Recordings and transcripts of interviews: store, transcribe once per (file, language, model), correct, expire.

The machine transcript is a suggestion for the commission (human-review gate 2): it is the
first version, a member's correction is a new version with its author and time, and no version
is ever changed. The same file (same SHA-256) in the same language with the same model is
transcribed once: a second upload reuses the finished transcript or joins the job already
queued (``dedupe_key`` = hash + language + model hash). The job writes every waiting
interview's machine version in one transaction at its very end, so a worker killed mid-job
leaves nothing half-visible and the retried job starts over.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.service import record
from app.auth.models import Account
from app.auth.permissions import ensure_can
from app.competitions.access import CompetitionAccess, competition_access
from app.competitions.models import Competition
from app.errors import NOT_FOUND, VALIDATION_ERROR, DomainError
from app.interviews.models import Interview
from app.jobs.models import Job
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.mlops.service import is_enabled
from app.settings import Settings
from app.transcripts.access import CORRECT, UPLOAD
from app.transcripts.errors import MEDIA_ERRORS, NOT_MEDIA, TRANSCRIPT_NOT_READY, TRANSCRIPT_VERSION_CONFLICT
from app.transcripts.models import DISABLED, FAILED, QUEUED, TRANSCRIBED, Recording, Transcript, TranscriptVersion
from app.transcripts.schemas import CorrectionIn
from app.transcripts.upload import Received
from ml.registry import ModelInfo
from ml.transcription.model_files import BASE_MODEL_NAME, BASE_MODEL_SHA256, custom_model, packaged_parts
from ml.transcription.transcriber import TranscriberConfig, TranscriptionError, probe

JOB_KIND = "transcribe_recording"
RETENTION_JOB_KIND = "delete_expired_recordings"
LANGUAGES = ("kk", "ru")


# --- settings and model -------------------------------------------------------------------------


_T = TypeVar("_T")


def recordings_dir(settings: Settings) -> Path:
    return settings.data_dir / "recordings"


def transcriber_config(settings: Settings) -> TranscriberConfig:
    return TranscriberConfig(
        model_dir=settings.whisper_model_dir,
        cache_dir=settings.resolved_whisper_cache_dir,
        device=settings.whisper_device,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_cpu_threads,
        batch_size=settings.whisper_batch_size,
        beam_size=settings.whisper_beam_size,
        low_confidence_threshold=settings.transcript_low_confidence,
        max_bytes=settings.recording_max_bytes,
        max_duration_s=settings.recording_max_minutes * 60,
    )


@lru_cache(maxsize=4)
def _model_identity(model_dir: Path | None) -> ModelInfo:
    if model_dir is not None:
        return custom_model(model_dir).info
    return ModelInfo(name=BASE_MODEL_NAME, version=packaged_parts().version, weights_sha256=BASE_MODEL_SHA256)


def model_identity(settings: Settings) -> ModelInfo:
    """Who would transcribe now, without loading the model (the base model's hash is recorded in code)."""
    return _model_identity(settings.whisper_model_dir)


# --- access -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewScope:
    interview: Interview
    competition: Competition
    access: CompetitionAccess


def scope(*, session: Session, interview_id: int, actor: Account, action: str) -> InterviewScope:
    """The interview when ``actor`` may do ``action`` on its recording or transcript (404, 403 otherwise)."""
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise DomainError(NOT_FOUND, f"no interview {interview_id}")
    competition = session.get(Competition, interview.competition_id)
    assert competition is not None
    facts = competition_access(session, competition)
    ensure_can(actor, action, facts)
    return InterviewScope(interview=interview, competition=competition, access=facts)


def _audit(
    session: Session,
    *,
    actor: Account | None,
    action: str,
    entity_type: str,
    entity_id: int,
    payload: dict[str, Any],
    model_version: str | None = None,
) -> None:
    record(
        session,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        actor="system" if actor is None else str(actor.id),
        actor_role="system" if actor is None else actor.role,
        payload={**payload, "request_id": current_request_id()},
        model_version=model_version,
    )


# --- upload -------------------------------------------------------------------------------------


def check_media(path: Path, settings: Settings) -> None:
    """Refuse at upload what the transcriber would refuse from the header alone (not media, too long)."""
    try:
        probe(path, transcriber_config(settings))
    except TranscriptionError as error:
        raise DomainError(MEDIA_ERRORS.get(error.code, NOT_MEDIA), error.message, **error.details) from None


def latest_recording(session: Session, interview_id: int) -> Recording | None:
    return session.scalars(
        select(Recording).where(Recording.interview_id == interview_id).order_by(Recording.id.desc()).limit(1)
    ).first()


_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


def neutral_filename(application: Application | None, uploaded: str) -> str:
    """``interview-<anonymous code>.<extension of the upload>``: nothing of the uploaded name but its extension."""
    suffix = Path(uploaded).suffix.lower()
    code = "unknown" if application is None else application.anonymous_code
    return f"interview-{code}{suffix if _EXTENSION.fullmatch(suffix) else ''}"


def recording_state(session: Session, recording: Recording) -> tuple[str, float | None]:
    """Where the recording stands as people read it, ``(status, percent of the audio processed)``.

    ``status`` is the stored one, ``transcribing`` while its queued job runs, ``deleted`` once the
    retention period removed the file.
    """
    job = session.get(Job, recording.job_id) if recording.job_id else None
    status = recording.status
    if recording.deleted_at is not None:
        status = "deleted"
    elif status == QUEUED and job is not None and job.status == "running":
        status = "transcribing"
    return status, None if job is None else job.progress


def shown_filename(session: Session, recording: Recording) -> str:
    """The recording's name as anyone reads it: neutral even for a row stored before names were replaced."""
    interview = session.get(Interview, recording.interview_id)
    application = None if interview is None else session.get(Application, interview.application_id)
    return neutral_filename(application, recording.filename)


def attach_recording(
    *,
    session: Session,
    queue: JobQueue,
    settings: Settings,
    scoped: InterviewScope,
    received: Received,
    language: str,
    actor: Account,
) -> tuple[Recording, bool]:
    """Store the streamed file as the interview's recording and start its transcription; ``(recording, new)``.

    The same file again (same hash, not yet deleted) changes nothing. The caller deletes
    ``received.path`` when this raises; on success the file has moved under ``data_dir/recordings``.
    """
    if language not in LANGUAGES:
        raise DomainError(VALIDATION_ERROR, "language: kk or ru")
    interview = scoped.interview
    same = session.scalars(
        select(Recording).where(
            Recording.interview_id == interview.id, Recording.sha256 == received.sha256, Recording.deleted_at.is_(None)
        )
    ).first()
    if same is not None:
        received.path.unlink(missing_ok=True)
        return same, False
    check_media(received.path, settings)
    # People name files after the person («Собеседование Фамилия Имя.wav»): the name the commission
    # reads is made from the anonymous code; the uploaded one is never stored.
    filename = neutral_filename(session.get(Application, interview.application_id), received.filename)
    recording = Recording(
        interview_id=interview.id,
        sha256=received.sha256,
        size_bytes=received.size,
        filename=filename,
        content_type=received.content_type,
        language=language,
        status=QUEUED,
        uploaded_by=actor.id,
    )
    session.add(recording)
    session.flush()
    relative = Path(str(interview.id)) / f"{recording.id}-{received.sha256[:16]}{Path(filename).suffix}"
    final = recordings_dir(settings) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    received.path.replace(final)
    recording.path = relative.as_posix()
    interview.recording_ref = f"recording:{recording.id}"
    _audit(
        session,
        actor=actor,
        action="recording.uploaded",
        entity_type="interview_recording",
        entity_id=recording.id,
        payload={
            "interview_id": interview.id,
            "sha256": received.sha256,
            "size_bytes": received.size,
            "filename": filename,
            "language": language,
        },
    )
    start_transcription(session=session, queue=queue, settings=settings, recording=recording, actor=actor)
    return recording, True


def store_upload(
    *,
    session: Session,
    queue: JobQueue,
    settings: Settings,
    interview_id: int,
    received: Received,
    language: str,
    actor: Account,
    present: Callable[[Recording, bool], _T],
) -> _T:
    """The upload's one transaction (the API's and the page's): the permission checked again, the file attached
    (:func:`attach_recording`) and ``present(recording, new)`` read inside it. When anything fails, commit included,
    the received file and the stored copy are deleted and the error goes on."""
    recording: Recording | None = None
    try:
        with session.begin():
            scoped = scope(session=session, interview_id=interview_id, actor=actor, action=UPLOAD)
            recording, new = attach_recording(
                session=session,
                queue=queue,
                settings=settings,
                scoped=scoped,
                received=received,
                language=language,
                actor=actor,
            )
            return present(recording, new)
    except BaseException:
        received.path.unlink(missing_ok=True)
        if recording is not None and recording.path is not None:
            (recordings_dir(settings) / recording.path).unlink(missing_ok=True)
        raise


def start_transcription(
    *, session: Session, queue: JobQueue, settings: Settings, recording: Recording, actor: Account | None
) -> None:
    """Queue the transcription (or reuse a finished one of the same file); off switch: ``transcription_disabled``."""
    if not is_enabled(session, "transcription"):
        recording.status = DISABLED
        return
    model = model_identity(settings)
    done = session.scalars(
        select(TranscriptVersion)
        .where(
            TranscriptVersion.recording_sha256 == recording.sha256,
            TranscriptVersion.author_id.is_(None),
            TranscriptVersion.language == recording.language,
        )
        .order_by(TranscriptVersion.id.desc())
    ).all()
    reusable = next((v for v in done if (v.model or {}).get("weights_sha256") == model.weights_sha256), None)
    if reusable is not None:
        write_machine_version(
            session=session,
            recording=recording,
            segments=reusable.segments,
            details={**reusable.details, "reused_from_version_id": reusable.id},
            model=reusable.model or {},
            detected_language=reusable.detected_language,
            language_probability=reusable.language_probability,
            language_mismatch=reusable.language_mismatch,
        )
        return
    recording.status = QUEUED
    recording.error_code = None
    recording.job_id = queue.enqueue(
        JOB_KIND,
        {"sha256": recording.sha256, "language": recording.language, "model": model.as_dict()},
        dedupe_key=f"transcribe:{recording.sha256}:{recording.language}:{model.weights_sha256[:16]}",
        session=session,
    )
    job = session.get(Job, recording.job_id)
    if job is not None and job.status in ("succeeded", "failed"):
        # the same file failed before (a silent file stays silent): say so now rather than wait forever
        recording.status = FAILED
        recording.error_code = str((job.result or {}).get("error_code") or "transcription_failed")


# --- the machine version ------------------------------------------------------------------------


def _transcript_for(session: Session, interview_id: int) -> Transcript:
    transcript = session.scalars(select(Transcript).where(Transcript.interview_id == interview_id)).first()
    if transcript is None:
        transcript = Transcript(interview_id=interview_id)
        session.add(transcript)
        session.flush()
    return transcript


def _next_version(session: Session, transcript_id: int) -> int:
    top = session.scalar(
        select(func.max(TranscriptVersion.version)).where(TranscriptVersion.transcript_id == transcript_id)
    )
    return int(top or 0) + 1


def write_machine_version(
    *,
    session: Session,
    recording: Recording,
    segments: list[dict[str, Any]],
    details: dict[str, Any],
    model: dict[str, Any],
    detected_language: str | None,
    language_probability: float | None,
    language_mismatch: bool,
) -> TranscriptVersion:
    """The machine's transcript of ``recording`` as the next version of its interview's transcript."""
    transcript = _transcript_for(session, recording.interview_id)
    transcript.recording_id = recording.id
    version = TranscriptVersion(
        transcript_id=transcript.id,
        version=_next_version(session, transcript.id),
        author_id=None,
        language=recording.language,
        detected_language=detected_language,
        language_probability=language_probability,
        language_mismatch=language_mismatch,
        model=model,
        recording_sha256=recording.sha256,
        segments=segments,
        details=details,
    )
    session.add(version)
    session.flush()
    recording.status, recording.error_code = TRANSCRIBED, None
    interview = session.get(Interview, recording.interview_id)
    assert interview is not None
    interview.transcript_ref = f"transcript:{transcript.id}"
    label = f"{model.get('name')}@{model.get('version')}#{str(model.get('weights_sha256', ''))[:12]}"
    _audit(
        session,
        actor=None,
        action="transcript.machine_version",
        entity_type="transcript",
        entity_id=transcript.id,
        model_version=label,
        payload={
            "interview_id": recording.interview_id,
            "recording_id": recording.id,
            "version": version.version,
            "segments": len(segments),
            "model": model,
        },
    )
    return version


def waiting_recordings(session: Session, sha256: str, language: str) -> Sequence[Recording]:
    return session.scalars(
        select(Recording)
        .where(Recording.sha256 == sha256, Recording.language == language, Recording.status == QUEUED)
        .order_by(Recording.id)
    ).all()


def mark_failed(session: Session, sha256: str, language: str, code: str) -> int:
    waiting = waiting_recordings(session, sha256, language)
    for recording in waiting:
        recording.status, recording.error_code = FAILED, code
        _audit(
            session,
            actor=None,
            action="recording.transcription_failed",
            entity_type="interview_recording",
            entity_id=recording.id,
            payload={"interview_id": recording.interview_id, "error_code": code},
        )
    return len(waiting)


# --- reading and correcting ---------------------------------------------------------------------


def transcript_of(session: Session, interview_id: int) -> Transcript | None:
    return session.scalars(select(Transcript).where(Transcript.interview_id == interview_id)).first()


def versions_of(session: Session, transcript: Transcript) -> Sequence[TranscriptVersion]:
    return session.scalars(
        select(TranscriptVersion)
        .where(TranscriptVersion.transcript_id == transcript.id)
        .order_by(TranscriptVersion.version)
    ).all()


def get_version(session: Session, interview: Interview, number: int | None) -> tuple[Transcript, TranscriptVersion]:
    """Version ``number`` (the latest when ``None``); 404 ``transcript_not_ready`` when there is none yet."""
    transcript = transcript_of(session, interview.id)
    if transcript is None:
        recording = latest_recording(session, interview.id)
        raise DomainError(
            TRANSCRIPT_NOT_READY,
            "this interview has no transcript yet",
            recording_status=None if recording is None else recording.status,
            job_id=None if recording is None else recording.job_id,
        )
    query = select(TranscriptVersion).where(TranscriptVersion.transcript_id == transcript.id)
    query = (
        query.where(TranscriptVersion.version == number)
        if number is not None
        else query.order_by(TranscriptVersion.version.desc()).limit(1)
    )
    version = session.scalars(query).first()
    if version is None:
        raise DomainError(NOT_FOUND, f"the transcript has no version {number}")
    return transcript, version


def correct_interview(*, session: Session, interview_id: int, actor: Account, data: CorrectionIn) -> TranscriptVersion:
    """The API's and the page's correction: the permission checked, then :func:`correct` with the checked form."""
    scoped = scope(session=session, interview_id=interview_id, actor=actor, action=CORRECT)
    return correct(
        session=session,
        interview=scoped.interview,
        actor=actor,
        base_version=data.base_version,
        segments=[segment.model_dump() for segment in data.segments],
        note=data.note,
    )


def correct(
    *,
    session: Session,
    interview: Interview,
    actor: Account,
    base_version: int,
    segments: list[dict[str, Any]],
    note: str | None,
) -> TranscriptVersion:
    """A member's corrected text as a new version; ``base_version`` must be the latest (409 otherwise)."""
    transcript, latest = get_version(session, interview, None)
    if base_version != latest.version:
        raise DomainError(
            TRANSCRIPT_VERSION_CONFLICT,
            f"the transcript is at version {latest.version}; correct that one",
            latest_version=latest.version,
        )
    version = TranscriptVersion(
        transcript_id=transcript.id,
        version=latest.version + 1,
        author_id=actor.id,
        based_on=latest.version,
        note=note,
        language=latest.language,
        detected_language=None,
        language_probability=None,
        language_mismatch=False,
        model=None,
        recording_sha256=None,
        segments=segments,
        details={"corrected": True},
    )
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        raise DomainError(
            TRANSCRIPT_VERSION_CONFLICT, "another correction was saved at the same moment; read it and retry"
        ) from None
    changed = sum(1 for tag, *_ in _opcodes(latest.segments, segments) if tag != "equal")
    _audit(
        session,
        actor=actor,
        action="transcript.corrected",
        entity_type="transcript",
        entity_id=transcript.id,
        payload={
            "interview_id": interview.id,
            "version": version.version,
            "based_on": latest.version,
            "changed_blocks": changed,
            "note": note,
        },
    )
    return version


def _texts(segments: Sequence[dict[str, Any]]) -> list[str]:
    return [str(segment.get("text", "")) for segment in segments]


def _opcodes(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> Sequence[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(a=_texts(before), b=_texts(after), autojunk=False).get_opcodes()


def diff(before: TranscriptVersion, after: TranscriptVersion) -> dict[str, Any]:
    """What changed between two versions, segment by segment (difflib over the segment texts)."""
    a, b = _texts(before.segments), _texts(after.segments)
    changes = [
        {"op": tag, "from_segments": [i1, i2], "to_segments": [j1, j2], "before": a[i1:i2], "after": b[j1:j2]}
        for tag, i1, i2, j1, j2 in _opcodes(before.segments, after.segments)
        if tag != "equal"
    ]
    unified = "".join(
        difflib.unified_diff(
            [f"{t}\n" for t in a],
            [f"{t}\n" for t in b],
            fromfile=f"version {before.version}",
            tofile=f"version {after.version}",
            lineterm="\n",
        )
    )
    return {"from": before.version, "to": after.version, "changes": changes, "unified": unified}


# --- retention ----------------------------------------------------------------------------------


def delete_expired(*, session: Session, settings: Settings, now: Any) -> list[int]:
    """Delete the files of recordings uploaded more than ``recording_retention_days`` ago; audited, rows kept."""
    cutoff = now - timedelta(days=settings.recording_retention_days)
    expired = session.scalars(
        select(Recording).where(Recording.deleted_at.is_(None), Recording.uploaded_at <= cutoff).order_by(Recording.id)
    ).all()
    deleted = []
    for recording in expired:
        if recording.path is not None:
            (recordings_dir(settings) / recording.path).unlink(missing_ok=True)
        recording.path, recording.deleted_at = None, now
        _audit(
            session,
            actor=None,
            action="recording.deleted",
            entity_type="interview_recording",
            entity_id=recording.id,
            payload={
                "interview_id": recording.interview_id,
                "sha256": recording.sha256,
                "reason": "retention",
                "retention_days": settings.recording_retention_days,
                "uploaded_at": recording.uploaded_at.isoformat(),
            },
        )
        deleted.append(recording.id)
    return deleted
