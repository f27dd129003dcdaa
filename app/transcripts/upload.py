"""A multipart upload streamed to a file in chunks, hashed as it arrives, stopped the moment it passes the limit.

Starlette's ``UploadFile`` would first spool the whole body to a temporary file; here the
request body is parsed as it arrives (python-multipart's push parser), so a recording larger
than the limit is refused after ``limit`` bytes, never stored whole, never held in memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from app.errors import BAD_REQUEST, VALIDATION_ERROR, DomainError
from app.transcripts.errors import RECORDING_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE

FIELD_LIMIT = 1024
"""Bytes a plain form field (``language``) may hold."""


@dataclass
class Received:
    """The file part written to ``path`` plus the small fields."""

    path: Path
    sha256: str
    size: int
    filename: str
    content_type: str | None
    fields: dict[str, str] = field(default_factory=dict)


class _TooLarge(Exception):
    pass


def clean_filename(name: str | None) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", os.path.basename((name or "").replace("\\", "/")))[:200].strip()
    return base or "recording"


class _Sink:
    """python-multipart callbacks: the file part to ``target``, other parts to ``fields``."""

    def __init__(self, target: Path, limit: int, file_field: str) -> None:
        self.target, self.limit, self.file_field = target, limit, file_field
        self.digest = hashlib.sha256()
        self.size = 0
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.content_type: str | None = None
        self.handle: IO[bytes] | None = None
        self._headers: dict[str, bytes] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._in_file = False
        self._buffer = b""

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers, self._field, self._value, self._buffer = {}, b"", b"", b""
        self._name, self._in_file = None, False

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field, self._value = b"", b""

    def headers_finished(self) -> None:
        _kind, options = parse_options_header(self._headers.get("content-disposition", b""))
        name, filename = options.get(b"name"), options.get(b"filename")
        self._name = None if name is None else name.decode("utf-8", "replace")
        if self._name == self.file_field and self.handle is None:
            self.filename = None if filename is None else filename.decode("utf-8", "replace")
            content_type = self._headers.get("content-type")
            self.content_type = None if content_type is None else content_type.decode("latin-1")[:120]
            self.handle = open(self.target, "wb")  # noqa: SIM115 - closed by receive_file
            self._in_file = True

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._in_file:
            self.size += len(chunk)
            if self.size > self.limit:
                raise _TooLarge
            self.digest.update(chunk)
            assert self.handle is not None
            self.handle.write(chunk)
            return
        self._buffer += chunk
        if len(self._buffer) > FIELD_LIMIT:
            raise DomainError(VALIDATION_ERROR, "a form field is too long")

    def part_end(self) -> None:
        if not self._in_file and self._name is not None:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")


async def receive_file(request: Request, *, directory: Path, limit: int, file_field: str = "file") -> Received:
    """Stream the multipart body: the ``file_field`` part to a new file in ``directory``; 413 past ``limit``.

    The caller owns the returned file (move it into place or delete it); on any error nothing is left.
    """
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise DomainError(UNSUPPORTED_MEDIA_TYPE, "send the recording as multipart/form-data with a 'file' part")
    directory.mkdir(parents=True, exist_ok=True)
    sink = _Sink(directory / f".{uuid.uuid4().hex}.part", limit, file_field)
    parser = MultipartParser(boundary, sink.callbacks())  # type: ignore[arg-type]
    complete = False
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if sink.handle is None:
            raise DomainError(VALIDATION_ERROR, "the form has no 'file' part")
        sink.handle.flush()
        os.fsync(sink.handle.fileno())
        complete = True
    except _TooLarge:
        raise DomainError(RECORDING_TOO_LARGE, f"the recording is larger than {limit} bytes", limit=limit) from None
    except DomainError:
        raise
    except Exception as error:  # a malformed multipart body
        raise DomainError(BAD_REQUEST, f"the multipart body cannot be read ({type(error).__name__})") from None
    finally:
        if sink.handle is not None:
            sink.handle.close()
        if not complete:
            sink.target.unlink(missing_ok=True)
    return Received(
        path=sink.target,
        sha256=sink.digest.hexdigest(),
        size=sink.size,
        filename=clean_filename(sink.filename),
        content_type=sink.content_type,
        fields=sink.fields,
    )
