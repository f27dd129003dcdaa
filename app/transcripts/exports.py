"""A transcript version as plain text, WebVTT, SRT or JSON (pure functions of its segments)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

FORMATS: Final[dict[str, tuple[str, str]]] = {
    "txt": ("text/plain; charset=utf-8", "txt"),
    "vtt": ("text/vtt; charset=utf-8", "vtt"),
    "srt": ("application/x-subrip; charset=utf-8", "srt"),
    "json": ("application/json", "json"),
}


def _clock(seconds: float, separator: str) -> str:
    millis = round(max(0.0, seconds) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _one_line(text: str) -> str:
    # A blank line ends a cue in WebVTT and SRT; "-->" would read as a timing line.
    return " ".join(text.split()).replace("-->", "->")


def to_text(segments: Sequence[dict[str, Any]]) -> str:
    """One segment a line, no timestamps."""
    return "".join(f"{_one_line(str(s['text']))}\n" for s in segments)


def to_vtt(segments: Sequence[dict[str, Any]]) -> str:
    cues = [
        f"{n}\n{_clock(s['start'], '.')} --> {_clock(s['end'], '.')}\n{_one_line(str(s['text']))}\n"
        for n, s in enumerate(segments, start=1)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def to_srt(segments: Sequence[dict[str, Any]]) -> str:
    cues = [
        f"{n}\n{_clock(s['start'], ',')} --> {_clock(s['end'], ',')}\n{_one_line(str(s['text']))}\n"
        for n, s in enumerate(segments, start=1)
    ]
    return "\n".join(cues)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render(fmt: str, document: dict[str, Any]) -> str:
    """``document`` is the transcript version as the API returns it (``segments`` inside)."""
    segments = document["segments"]
    if fmt == "txt":
        return to_text(segments)
    if fmt == "vtt":
        return to_vtt(segments)
    if fmt == "srt":
        return to_srt(segments)
    if fmt == "json":
        return to_json(document)
    raise ValueError(f"unknown format {fmt!r}")
