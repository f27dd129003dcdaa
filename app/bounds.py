"""Bounded input types: what the schema refuses (422) before a value reaches arithmetic or the database.

Issue 13 found 500s on ids beyond 64 bits, offsets past SQLite's integers, date-times whose
offset pushes them past year 9999 or before year 1, and dates at 9999-12-31 that later
arithmetic overflows. Request models and route parameters use these types instead of plain
``int`` / ``datetime`` / ``date`` / ``str``, so the OpenAPI document states the bounds too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import annotated_types as at
from pydantic import AfterValidator, AwareDatetime

MAX_ID = 2**31 - 1
"""Every id column is INTEGER: 32 bits on PostgreSQL, so a larger id can name nothing (and 64 bits on SQLite)."""
MAX_COUNT = 2**31 - 1
"""Offsets, pages, versions and other counts."""

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
"""The sane range of every date and date-time a request may carry."""

Id = Annotated[int, at.Ge(1), at.Le(MAX_ID)]
Count = Annotated[int, at.Ge(0), at.Le(MAX_COUNT)]
PositiveCount = Annotated[int, at.Ge(1), at.Le(MAX_COUNT)]
BoundedInt = Annotated[int, at.Ge(-MAX_COUNT), at.Le(MAX_COUNT)]


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"the date must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


def _sane_datetime(value: datetime) -> datetime:
    try:
        moment = value.astimezone(UTC) if value.tzinfo is not None else value
    except (OverflowError, ValueError):
        raise ValueError(f"the date-time must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}") from None
    if not EARLIEST <= moment.date() <= LATEST:
        raise ValueError(f"the date-time must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]
SaneDateTime = Annotated[datetime, AfterValidator(_sane_datetime)]


def _single_line(value: str) -> str:
    if any(ord(character) < 32 or ord(character) == 127 or character in "\u2028\u2029\x85" for character in value):
        raise ValueError("line breaks and control characters are not allowed here")
    return value


SingleLine = Annotated[str, AfterValidator(_single_line)]
"""Text that ends up in an e-mail header, a file name or a one-line title: no line break, no control character."""
SaneAwareDateTime = Annotated[AwareDatetime, AfterValidator(_sane_datetime)]
"""A date-time with its UTC offset, within the sane range once converted to UTC."""
