"""Error codes of interview recordings and their transcripts."""

from __future__ import annotations

from app.errors import ErrorCode, Kind, error_code

NOT_MEDIA = error_code("not_media", Kind.INVALID, "The file is not audio or video")
SILENT_AUDIO = error_code("silent_audio", Kind.INVALID, "The recording is silent")
RECORDING_TOO_LARGE = error_code("recording_too_large", Kind.TOO_LARGE, "The recording is too large")
RECORDING_TOO_LONG = error_code("recording_too_long", Kind.INVALID, "The recording is too long")
UNSUPPORTED_LANGUAGE = error_code("unsupported_language", Kind.INVALID, "The language is not supported")
# A recording the transcriber refuses, by the transcriber's own code.
MEDIA_ERRORS: dict[str, ErrorCode] = {
    error.code: error
    for error in (NOT_MEDIA, SILENT_AUDIO, RECORDING_TOO_LARGE, RECORDING_TOO_LONG, UNSUPPORTED_LANGUAGE)
}
UNSUPPORTED_MEDIA_TYPE = error_code(
    "unsupported_media_type", Kind.UNSUPPORTED_MEDIA, "The request body type is not supported"
)
RECORDING_DELETED = error_code("recording_deleted", Kind.NOT_FOUND, "The recording has been deleted")
TRANSCRIPT_NOT_READY = error_code("transcript_not_ready", Kind.NOT_FOUND, "The transcript is not ready yet")
TRANSCRIPT_VERSION_CONFLICT = error_code(
    "transcript_version_conflict", Kind.CONFLICT, "The transcript has a newer version"
)
