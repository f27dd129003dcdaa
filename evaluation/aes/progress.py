"""Progress lines on stderr with an ETA, for the long runs of the evaluation."""

from __future__ import annotations

import time
from collections.abc import Callable


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Lines on stderr with an ETA: the time per unit of work so far times the units left."""

    def __init__(self, total_units: float, echo: Callable[[str], None] | None) -> None:
        self.total = max(total_units, 1e-9)
        self.done = 0.0
        self.echo = echo
        self.started = time.perf_counter()

    def advance(self, units: float, message: str) -> None:
        self.done += units
        if self.echo is None:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        self.echo(
            f"{message} [{100 * min(self.done / self.total, 1):.0f} %, {_duration(elapsed)} elapsed, "
            f"ETA {_duration(left)}]"
        )
