"""Interview recordings and transcripts for the commission: upload with live progress, the transcript beside
its recording, corrections as new versions, a word-level diff of two versions, exports.

Every page calls the transcripts service the API uses (``app.transcripts.service``) with the same
permissions (``app.transcripts.access``). Members read the candidate's anonymous code only; the
recording's file name is the neutral one the service makes (``interview-<code>.wav``).
"""

from __future__ import annotations

import difflib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.applications.models import Application
from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account
from app.auth.permissions import can
from app.bounds import MAX_COUNT, Id
from app.competitions.access import competition_access
from app.competitions.models import CommissionMember, Competition
from app.deps import QueueDep, SessionDep, SettingsDep
from app.errors import NOT_FOUND, DomainError, Kind, declared_codes
from app.i18n import translate
from app.interviews.models import Interview
from app.interviews.service import interviews_of
from app.transcripts import access, exports, service
from app.transcripts.errors import RECORDING_DELETED
from app.transcripts.models import Recording, TranscriptVersion
from app.transcripts.schemas import CorrectionIn
from app.transcripts.upload import receive_file
from app.vacancies.models import Vacancy
from app.web.deps import CheckedForm, PageForbidden, Visitor, WebRoute, field, redirect, render, staff_of
from app.web.messages import FieldError, problem_message
from app.web.nav import staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _(message: str) -> str:
    """Mark a msgid for the catalogues; translated where it is shown."""
    return message


INDEX = "/commission/transcripts"
staff_link(
    INDEX,
    _("Interview transcripts"),
    COMMISSION_MEMBER,
    HR_OFFICER,
    order=40,
    description=_("Interview recordings, their machine transcripts and the commission's corrections"),
)

Reader = Annotated[Visitor, Depends(staff_of(COMMISSION_MEMBER, HR_OFFICER))]

STATUS_TEXTS: dict[str, str] = {
    "queued": _("Waiting for transcription"),
    "transcribing": _("Transcribing"),
    "transcribed": _("Transcribed"),
    "failed": _("The transcription failed"),
    "transcription_disabled": _("Transcription is switched off"),
    "deleted": _("The recording was deleted after the retention period"),
    "none": _("No recording yet"),
}
"""Recording status → msgid."""

LANGUAGE_NAMES: dict[str, str] = {"kk": _("Kazakh"), "ru": _("Russian")}
EXPORTS = ("txt", "vtt", "srt")


def _base(interview_id: Id) -> str:
    return f"/commission/interviews/{interview_id}"


def _account(visitor: Visitor) -> Account:
    assert visitor.account is not None
    return visitor.account


def _code(session: Session, interview: Interview) -> str:
    application = session.get(Application, interview.application_id)
    return "" if application is None else application.anonymous_code


def _clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@dataclass(frozen=True)
class RecordingView:
    status: str
    progress: float | None
    error: str | None
    language: str
    filename: str
    playable: bool


def _recording_view(session: Session, recording: Recording | None, locale: str) -> RecordingView:
    if recording is None:
        return RecordingView("none", None, None, "", "", False)
    status, progress = service.recording_state(session, recording)
    error = None
    if status == "failed":
        declared = declared_codes().get(recording.error_code or "")
        error = translate(declared.title, locale) if declared is not None else None
    return RecordingView(
        status=status,
        progress=progress,
        error=error,
        language=recording.language,
        filename=service.shown_filename(session, recording),
        playable=recording.path is not None and recording.deleted_at is None,
    )


# --- the list of interviews -----------------------------------------------------------------------------


@router.get(INDEX, response_class=HTMLResponse)
def interviews_page(request: Request, visitor: Reader, session: SessionDep) -> HTMLResponse:
    """The interviews whose transcripts the visitor may read (their commissions, or their body's competitions)."""
    account = _account(visitor)
    kk = visitor.locale == "kk"
    groups = []
    with session.begin():
        query = select(Competition).order_by(Competition.id)
        if account.role == HR_OFFICER:
            query = query.where(Competition.state_body_id == account.state_body_id)
        else:
            query = query.join(CommissionMember, CommissionMember.competition_id == Competition.id).where(
                CommissionMember.account_id == account.id
            )
        for competition in session.scalars(query).unique():
            facts = competition_access(session, competition)
            if not can(account, access.READ, facts):
                continue
            vacancy = session.get(Vacancy, competition.vacancy_id)
            rows = []
            for interview, application in interviews_of(session=session, competition=competition):
                recording = service.latest_recording(session, interview.id)
                rows.append(
                    {
                        "id": interview.id,
                        "code": application.anonymous_code,
                        "starts_at": interview.starts_at,
                        "recording": _recording_view(session, recording, visitor.locale),
                        "transcript": service.transcript_of(session, interview.id) is not None,
                    }
                )
            if rows:
                title = "" if vacancy is None else (vacancy.title_kk if kk else vacancy.title_ru)
                groups.append({"id": competition.id, "title": title, "interviews": rows})
    t = visitor.texts
    return render(
        request,
        visitor,
        "transcripts/index.html",
        title=t.gettext("Interview transcripts"),
        groups=groups,
        status_texts={key: t.gettext(text) for key, text in STATUS_TEXTS.items()},
    )


# --- upload ---------------------------------------------------------------------------------------------


def _upload_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    interview_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    language: str = "",
) -> HTMLResponse:
    with session.begin():
        scoped = service.scope(
            session=session, interview_id=interview_id, actor=_account(visitor), action=access.UPLOAD
        )
        code = _code(session, scoped.interview)
        recording = _recording_view(session, service.latest_recording(session, interview_id), visitor.locale)
    t = visitor.texts
    return render(
        request,
        visitor,
        "transcripts/upload.html",
        status=status,
        errors=errors,
        title=t.gettext("Upload the interview recording"),
        interview_id=interview_id,
        base=_base(interview_id),
        code=code,
        recording=recording,
        status_texts={key: t.gettext(text) for key, text in STATUS_TEXTS.items()},
        languages=[(key, t.gettext(name)) for key, name in LANGUAGE_NAMES.items()],
        language=language,
    )


@router.get("/commission/interviews/{interview_id}/recording", response_class=HTMLResponse)
def upload_form(interview_id: Id, request: Request, visitor: Reader, session: SessionDep) -> HTMLResponse:
    return _upload_page(request, visitor, session, interview_id)


UPLOAD_FIELDS = {"validation_error": "language", "unsupported_media_type": "file"}
"""Upload error codes → the field they concern (the rest concern the file)."""


@router.post("/commission/interviews/{interview_id}/recording", response_class=HTMLResponse)
async def upload(
    interview_id: Id,
    request: Request,
    visitor: Reader,
    session: SessionDep,
    queue: QueueDep,
    settings: SettingsDep,
) -> Response:
    """Stream the file to disk (as the API does), check the form's CSRF token, store it and queue its transcription."""
    account = _account(visitor)

    def authorise() -> None:
        with session.begin():
            service.scope(session=session, interview_id=interview_id, actor=account, action=access.UPLOAD)

    await run_in_threadpool(authorise)
    t = visitor.texts
    try:
        received = await receive_file(
            request, directory=service.recordings_dir(settings) / ".incoming", limit=settings.recording_max_bytes
        )
    except DomainError as problem:
        error = FieldError("file", problem_message(problem, t))
        return await run_in_threadpool(
            _upload_page, request, visitor, session, interview_id, status=422, errors=[error]
        )
    presented = received.fields.get("csrf_token", "")
    if not hmac.compare_digest(presented.encode(), visitor.csrf.encode()):
        received.path.unlink(missing_ok=True)
        raise PageForbidden()
    language = received.fields.get("language", "").strip()
    errors = []
    if language not in LANGUAGE_NAMES:
        errors.append(FieldError("language", t.gettext("Choose the language of the interview")))
    if received.size == 0:
        errors.append(FieldError("file", t.gettext("Choose the recording file")))
    if errors:
        received.path.unlink(missing_ok=True)
        return await run_in_threadpool(
            _upload_page, request, visitor, session, interview_id, status=422, errors=errors, language=language
        )

    def store() -> None:
        service.store_upload(
            session=session,
            queue=queue,
            settings=settings,
            interview_id=interview_id,
            received=received,
            language=language,
            actor=account,
            present=lambda _recording, _new: None,
        )

    try:
        await run_in_threadpool(store)
    except DomainError as problem:
        if problem.kind in (Kind.NOT_FOUND, Kind.FORBIDDEN):
            raise
        error = FieldError(UPLOAD_FIELDS.get(problem.code, "file"), problem_message(problem, t))
        return await run_in_threadpool(
            _upload_page, request, visitor, session, interview_id, status=422, errors=[error], language=language
        )
    return redirect(f"{_base(interview_id)}/transcript?uploaded=1")


@router.get("/commission/interviews/{interview_id}/recording/status", response_class=HTMLResponse)
def status_fragment(interview_id: Id, request: Request, visitor: Reader, session: SessionDep) -> HTMLResponse:
    """The transcription's progress, polled by htmx every two seconds until it ends (then htmx opens the transcript)."""
    with session.begin():
        service.scope(session=session, interview_id=interview_id, actor=_account(visitor), action=access.READ)
        recording = _recording_view(session, service.latest_recording(session, interview_id), visitor.locale)
        ready = service.transcript_of(session, interview_id) is not None
    t = visitor.texts
    response = render(
        request,
        visitor,
        "transcripts/_status.html",
        base=_base(interview_id),
        recording=recording,
        ready=ready,
        status_texts={key: t.gettext(text) for key, text in STATUS_TEXTS.items()},
    )
    if recording.status == "transcribed" and request.headers.get("HX-Request") == "true":
        response.headers["HX-Redirect"] = f"{_base(interview_id)}/transcript"  # the transcript is there: show it
    return response


@router.get("/commission/interviews/{interview_id}/recording/file")
def recording_file(interview_id: Id, visitor: Reader, session: SessionDep, settings: SettingsDep) -> Response:
    """The recording for the page's player (inline, under its neutral name)."""
    with session.begin():
        service.scope(session=session, interview_id=interview_id, actor=_account(visitor), action=access.READ)
        recording = service.latest_recording(session, interview_id)
        if recording is None or recording.path is None:
            raise DomainError(RECORDING_DELETED if recording else NOT_FOUND, "the recording is not stored")
        return FileResponse(
            service.recordings_dir(settings) / recording.path,
            media_type=recording.content_type or "application/octet-stream",
            filename=service.shown_filename(session, recording),
            content_disposition_type="inline",
        )


# --- the transcript -------------------------------------------------------------------------------------


def _author_names(session: Session, versions: Any) -> dict[int, str]:
    ids = {v.author_id for v in versions if v.author_id is not None}
    return {a.id: a.display_name for a in session.scalars(select(Account).where(Account.id.in_(ids)))} if ids else {}


def _segments(version: TranscriptVersion) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "start": float(segment.get("start", 0.0)),
            "end": float(segment.get("end", 0.0)),
            "from": _clock(float(segment.get("start", 0.0))),
            "to": _clock(float(segment.get("end", 0.0))),
            "text": str(segment.get("text", "")),
            "low": bool(segment.get("low_confidence")),
            "confidence": segment.get("confidence"),
        }
        for number, segment in enumerate(version.segments, start=1)
    ]


@router.get("/commission/interviews/{interview_id}/transcript", response_class=HTMLResponse)
def transcript_page(
    interview_id: Id,
    request: Request,
    visitor: Reader,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
    saved: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
    uploaded: str = "",
) -> HTMLResponse:
    account = _account(visitor)
    t = visitor.texts
    context: dict[str, Any] = {}
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.READ)
        code = _code(session, scoped.interview)
        recording = _recording_view(session, service.latest_recording(session, interview_id), visitor.locale)
        may_upload = can(account, access.UPLOAD, scoped.access)
        transcript = service.transcript_of(session, interview_id)
        if transcript is not None:
            _t, shown = service.get_version(session, scoped.interview, version)
            versions = list(service.versions_of(session, transcript))
            names = _author_names(session, versions)
            latest = versions[-1].version
            note = (shown.details or {}).get("quality_note") or {}
            context = {
                "shown": shown,
                "latest": latest,
                "versions": [
                    {
                        "version": v.version,
                        "machine": v.author_id is None,
                        "author": names.get(v.author_id or 0, ""),
                        "created_at": v.created_at,
                        "note": v.note,
                        "model": v.model or {},
                    }
                    for v in versions
                ],
                "author": names.get(shown.author_id or 0, ""),
                "segments": _segments(shown),
                "quality_note": note.get(visitor.locale) if isinstance(note, dict) else None,
                "may_correct": can(account, access.CORRECT, scoped.access) and shown.version == latest,
                "low_count": sum(1 for s in shown.segments if s.get("low_confidence")),
            }
    return render(
        request,
        visitor,
        "transcripts/transcript.html",
        title=t.gettext("Interview transcript"),
        interview_id=interview_id,
        base=_base(interview_id),
        code=code,
        recording=recording,
        may_upload=may_upload,
        saved=saved,
        uploaded=bool(uploaded),
        exports=EXPORTS,
        language_names={key: t.gettext(name) for key, name in LANGUAGE_NAMES.items()},
        status_texts={key: t.gettext(text) for key, text in STATUS_TEXTS.items()},
        **context,
    )


# --- corrections ----------------------------------------------------------------------------------------


def _edit_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    interview_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    texts: dict[int, str] | None = None,
    note: str = "",
) -> HTMLResponse:
    with session.begin():
        scoped = service.scope(
            session=session, interview_id=interview_id, actor=_account(visitor), action=access.CORRECT
        )
        code = _code(session, scoped.interview)
        _t, latest = service.get_version(session, scoped.interview, None)
        segments = _segments(latest)
    for segment in segments:
        if texts is not None and segment["number"] in texts:
            segment["text"] = texts[segment["number"]]
    return render(
        request,
        visitor,
        "transcripts/edit.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Correct the transcript"),
        base=_base(interview_id),
        code=code,
        base_version=latest.version,
        language=latest.language,
        segments=segments,
        note=note,
    )


@router.get("/commission/interviews/{interview_id}/transcript/edit", response_class=HTMLResponse)
def edit_form(interview_id: Id, request: Request, visitor: Reader, session: SessionDep) -> HTMLResponse:
    return _edit_page(request, visitor, session, interview_id)


@router.post("/commission/interviews/{interview_id}/transcript/edit", response_class=HTMLResponse)
def save_correction(
    interview_id: Id, request: Request, visitor: Reader, form: CheckedForm, session: SessionDep
) -> Response:
    """The corrected texts as a new version (author and time by the service); the machine's version stays."""
    account = _account(visitor)
    t = visitor.texts
    note = field(form, "note")
    base_text = field(form, "base_version")
    texts: dict[int, str] = {}
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=account, action=access.CORRECT)
        _t, latest = service.get_version(session, scoped.interview, None)
        timings = [(float(s.get("start", 0.0)), float(s.get("end", 0.0))) for s in latest.segments]
    for number in range(1, len(timings) + 1):
        texts[number] = field(form, f"segment-{number}")
    try:
        data = CorrectionIn.model_validate(
            {
                "base_version": int(base_text) if base_text.isdigit() else 0,
                "segments": [
                    {"start": start, "end": end, "text": texts[number]}
                    for number, (start, end) in enumerate(timings, start=1)
                ],
                "note": note or None,
            }
        )
    except ValidationError as invalid:
        location = invalid.errors()[0]["loc"]
        where = f"segment-{int(location[1]) + 1}" if location[:1] == ("segments",) and len(location) > 1 else "note"
        errors = [FieldError(where, t.gettext("This text is too long"))]
        return _edit_page(request, visitor, session, interview_id, status=422, errors=errors, texts=texts, note=note)
    try:
        with session.begin():
            number = service.correct_interview(
                session=session, interview_id=interview_id, actor=account, data=data
            ).version
    except DomainError as problem:
        if problem.kind in (Kind.NOT_FOUND, Kind.FORBIDDEN):
            raise
        errors = [FieldError("segment-1", problem_message(problem, t))]
        return _edit_page(request, visitor, session, interview_id, status=409, errors=errors, texts=texts, note=note)
    return redirect(f"{_base(interview_id)}/transcript?saved={number}")


# --- diff and exports -----------------------------------------------------------------------------------


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``(kind, words)`` pieces: ``same``, ``removed`` or ``added`` (difflib over whitespace-separated words)."""
    a, b = before.split(), after.split()
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", " ".join(b[j1:j2])))
    return pieces


@router.get("/commission/interviews/{interview_id}/transcript/diff", response_class=HTMLResponse)
def diff_page(
    interview_id: Id,
    request: Request,
    visitor: Reader,
    session: SessionDep,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_COUNT)] = None,
    to: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> HTMLResponse:
    """What changed between two versions: the changed segments, word by word."""
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=_account(visitor), action=access.READ)
        code = _code(session, scoped.interview)
        transcript, latest = service.get_version(session, scoped.interview, None)
        versions = list(service.versions_of(session, transcript))
        names = _author_names(session, versions)
        newer = to or latest.version
        older = from_ or max(1, newer - 1)
        _t, before = service.get_version(session, scoped.interview, older)
        _t, after = service.get_version(session, scoped.interview, newer)
        changes = service.diff(before, after)["changes"]
        language = after.language
        timings = [(s.get("start", 0.0), s.get("end", 0.0)) for s in after.segments or before.segments]
    blocks = []
    for change in changes:
        first = change["to_segments"][0] if change["to_segments"][1] > change["to_segments"][0] else None
        start = timings[first][0] if first is not None and first < len(timings) else None
        blocks.append(
            {
                "segments": [change["from_segments"][0] + 1, change["from_segments"][1]],
                "at": None if start is None else _clock(float(start)),
                "pieces": word_diff(" ".join(change["before"]), " ".join(change["after"])),
            }
        )
    t = visitor.texts
    choices = [
        (
            v.version,
            t.gettext("Version %(number)s (machine)", number=v.version)
            if v.author_id is None
            else t.gettext("Version %(number)s by %(author)s", number=v.version, author=names.get(v.author_id, "")),
        )
        for v in versions
    ]
    return render(
        request,
        visitor,
        "transcripts/diff.html",
        title=t.gettext("Changes between versions"),
        base=_base(interview_id),
        code=code,
        older=older,
        newer=newer,
        choices=choices,
        blocks=blocks,
        language=language,
    )


@router.get("/commission/interviews/{interview_id}/transcript/export")
def export(
    interview_id: Id,
    visitor: Reader,
    session: SessionDep,
    format: Literal["txt", "vtt", "srt"] = "txt",
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> Response:
    """The version as plain text, WebVTT or SRT (the service's exports), a download named by interview and version."""
    with session.begin():
        scoped = service.scope(session=session, interview_id=interview_id, actor=_account(visitor), action=access.READ)
        _t, found = service.get_version(session, scoped.interview, version)
        body = exports.render(format, {"segments": found.segments})
    media_type, extension = exports.FORMATS[format]
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="interview-{interview_id}-v{found.version}.{extension}"'
        },
    )
