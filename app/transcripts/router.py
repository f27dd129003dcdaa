"""Recordings and transcripts of interviews over HTTP: upload, status, versions, corrections, diff, exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.auth.deps import CurrentAccount
from app.bounds import MAX_COUNT, Id
from app.deps import QueueDep, SessionDep, SettingsDep
from app.errors import CONFLICT, NOT_FOUND, DomainError
from app.transcripts import access, exports, service
from app.transcripts.errors import RECORDING_DELETED
from app.transcripts.models import DISABLED, Recording, Transcript, TranscriptVersion
from app.transcripts.schemas import CorrectionIn, DiffOut, RecordingOut, TranscriptOut, VersionsOut, VersionSummary
from app.transcripts.upload import receive_file

router = APIRouter(prefix="/api/v1/interviews", tags=["transcripts"])


def _recording_out(session: Session, recording: Recording) -> RecordingOut:
    status, progress = service.recording_state(session, recording)
    return RecordingOut(
        id=recording.id,
        interview_id=recording.interview_id,
        sha256=recording.sha256,
        size_bytes=recording.size_bytes,
        filename=service.shown_filename(session, recording),
        content_type=recording.content_type,
        language=recording.language,
        status=status,
        error_code=recording.error_code,
        job_id=recording.job_id,
        progress=progress,
        uploaded_at=recording.uploaded_at,
        deleted_at=recording.deleted_at,
    )


def _transcript_out(session: Session, transcript: Transcript, version: TranscriptVersion) -> TranscriptOut:
    latest = max(v.version for v in service.versions_of(session, transcript))
    return TranscriptOut(
        interview_id=transcript.interview_id,
        transcript_id=transcript.id,
        version=version.version,
        latest_version=latest,
        machine=version.author_id is None,
        author_id=version.author_id,
        created_at=version.created_at,
        based_on=version.based_on,
        note=version.note,
        language=version.language,
        detected_language=version.detected_language,
        language_probability=version.language_probability,
        language_mismatch=version.language_mismatch,
        model=version.model,
        quality_note=version.details.get("quality_note"),
        segments=version.segments,
        details=version.details,
    )


@router.post(
    "/{interview_id}/recording",
    status_code=202,
    responses={200: {"description": "the same file again: nothing changed"}},
)
async def upload_recording(
    interview_id: Id,
    request: Request,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    settings: SettingsDep,
    response: Response,
) -> RecordingOut:
    """Upload the interview's recording (multipart: ``file`` and ``language`` kk|ru); HR of the body or the
    commission secretary. Streamed to disk, refused past ``recording_max_bytes``; transcription is queued."""

    def authorise() -> None:
        with session.begin():
            service.scope(session=session, interview_id=interview_id, actor=account, action=access.UPLOAD)

    await run_in_threadpool(authorise)
    received = await receive_file(
        request, directory=service.recordings_dir(settings) / ".incoming", limit=settings.recording_max_bytes
    )

    def store() -> tuple[RecordingOut, bool]:
        return service.store_upload(
            session=session,
            queue=queue,
            settings=settings,
            interview_id=interview_id,
            received=received,
            language=received.fields.get("language", "").strip(),
            actor=account,
            present=lambda recording, new: (_recording_out(session, recording), new),
        )

    out, new = await run_in_threadpool(store)
    if not new:
        response.status_code = 200
    return out


@router.get("/{interview_id}/recording")
def read_recording(interview_id: Id, account: CurrentAccount, session: SessionDep) -> RecordingOut:
    """The latest recording and its transcription status and progress (commission and HR of the interview)."""
    with session.begin():
        service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        recording = service.latest_recording(session, interview_id)
        if recording is None:
            raise DomainError(NOT_FOUND, "no recording was uploaded for this interview")
        return _recording_out(session, recording)


@router.get("/{interview_id}/recording/file", response_class=FileResponse)
def download_recording(
    interview_id: Id, account: CurrentAccount, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """The recording itself, until the retention period deletes it."""
    with session.begin():
        service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        recording = service.latest_recording(session, interview_id)
        if recording is None or recording.path is None:
            raise DomainError(
                RECORDING_DELETED if recording else NOT_FOUND,
                "the recording is not stored (never uploaded, or deleted after the retention period)",
            )
        path = service.recordings_dir(settings) / recording.path
        return FileResponse(
            path,
            media_type=recording.content_type or "application/octet-stream",
            filename=service.shown_filename(session, recording),
        )


@router.post("/{interview_id}/recording/transcribe", status_code=202)
def transcribe_again(
    interview_id: Id, account: CurrentAccount, session: SessionDep, queue: QueueDep, settings: SettingsDep
) -> RecordingOut:
    """Queue the transcription of a recording stored while the ``transcription`` module was switched off."""
    with session.begin():
        service.scope(session=session, interview_id=interview_id, actor=account, action=access.UPLOAD)
        recording = service.latest_recording(session, interview_id)
        if recording is None or recording.path is None:
            raise DomainError(NOT_FOUND, "no stored recording to transcribe")
        if recording.status != DISABLED:
            raise DomainError(CONFLICT, f"the recording is {recording.status}")
        service.start_transcription(session=session, queue=queue, settings=settings, recording=recording, actor=account)
        return _recording_out(session, recording)


@router.get("/{interview_id}/transcript")
def read_transcript(
    interview_id: Id,
    account: CurrentAccount,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> TranscriptOut:
    """The latest version (or ``version``); 404 ``transcript_not_ready`` with the recording's status before."""
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        transcript, found = service.get_version(session, scoped.interview, version)
        return _transcript_out(session, transcript, found)


@router.get("/{interview_id}/transcript/versions")
def list_versions(interview_id: Id, account: CurrentAccount, session: SessionDep) -> VersionsOut:
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        transcript, _latest = service.get_version(session, scoped.interview, None)
        return VersionsOut(
            interview_id=interview_id,
            transcript_id=transcript.id,
            versions=[
                VersionSummary(
                    version=v.version,
                    author_id=v.author_id,
                    machine=v.author_id is None,
                    created_at=v.created_at,
                    based_on=v.based_on,
                    note=v.note,
                    model=v.model,
                    segments=len(v.segments),
                )
                for v in service.versions_of(session, transcript)
            ],
        )


@router.post("/{interview_id}/transcript/versions", status_code=201)
def correct_transcript(
    interview_id: Id, data: CorrectionIn, account: CurrentAccount, session: SessionDep
) -> TranscriptOut:
    """A commission member's correction: a new version with author and time (the machine's stays)."""
    with session.begin():
        version = service.correct_interview(session=session, interview_id=interview_id, actor=account, data=data)
        transcript = session.get(Transcript, version.transcript_id)
        assert transcript is not None
        return _transcript_out(session, transcript, version)


@router.get("/{interview_id}/transcript/diff", response_model=DiffOut, response_model_by_alias=True)
def diff_versions(
    interview_id: Id,
    account: CurrentAccount,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_COUNT)],
    to: Annotated[int, Query(ge=1, le=MAX_COUNT)],
) -> DiffOut:
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        _t, before = service.get_version(session, scoped.interview, from_)
        _t, after = service.get_version(session, scoped.interview, to)
        return DiffOut.model_validate(service.diff(before, after))


@router.get(
    "/{interview_id}/transcript/export",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {}, "text/vtt": {}, "application/x-subrip": {}, "application/json": {}},
            "description": "the transcript in the chosen format, as a download",
        }
    },
)
def export_transcript(
    interview_id: Id,
    account: CurrentAccount,
    session: SessionDep,
    format: Literal["txt", "vtt", "srt", "json"] = "txt",
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> Response:
    """The transcript as plain text, WebVTT, SRT or JSON (a download)."""
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        transcript, found = service.get_version(session, scoped.interview, version)
        document = _transcript_out(session, transcript, found).model_dump(mode="json")
    media_type, extension = exports.FORMATS[format]
    return Response(
        exports.render(format, document),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="interview-{interview_id}-v{found.version}.{extension}"'
        },
    )
