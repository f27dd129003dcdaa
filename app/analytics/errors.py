"""The analytics domain's error codes."""

from __future__ import annotations

from app.errors import Kind, error_code

BAD_PERIOD = error_code("bad_period", Kind.INVALID, "The period is not valid")
