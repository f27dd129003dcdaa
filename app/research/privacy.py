"""Small-cell suppression of the published group tables, with complementary suppression.

A *row* of a group table (one group: its size and its counts, with every figure computed from
them) is published whole or suppressed whole. A row is *sensitive* when one of its counts is
below the minimum cell (``IRIKTEU_RESEARCH_MIN_CELL``). The table's total is published too, and
for an intersection (``sex×language``) so are the margins (the ``sex`` and the ``language``
tables), so a lone suppressed row could be recovered by subtraction. Complementary suppression
therefore adds, in every margin that holds a suppressed row, the smallest published rows until
the suppressed rows of that margin together meet the minimum and number at least two; a final
audit (linear algebra over the margin equations) suppresses more until no suppressed row's count
is determined by the published ones. When even the whole table is too small, the total goes too. Across
the stages of one audit a row hidden at a stage stays hidden at every later stage: a later stage's group
size is the earlier stage's selected count, so publishing it would give the hidden counts back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.research.groups import INTERSECTION, UNKNOWN


@dataclass(frozen=True)
class Suppression:
    """Which rows are hidden, and why (``small`` or ``complementary``); ``total_hidden`` for a tiny table."""

    hidden: dict[str, str]
    total_hidden: bool

    def shows(self, value: str) -> bool:
        return value not in self.hidden


def _margins(values: Sequence[str], intersection: bool) -> list[list[str]]:
    """The sets of rows whose sums are published: the whole table, and each slice of an intersection."""
    margins = [list(values)]
    if intersection:
        known = [v for v in values if v != UNKNOWN]
        for position in (0, 1):
            slices: dict[str, list[str]] = {}
            for value in known:
                slices.setdefault(value.split(INTERSECTION)[position], []).append(value)
            margins.extend(slices.values())
    return margins


def suppress(
    counts: Mapping[str, Sequence[int]], *, min_cell: int, intersection: bool = False, earlier: Iterable[str] = ()
) -> Suppression:
    """Decide which rows of a table to hide. ``counts`` maps each group value to its counts (the group size
    first, then e.g. selected and not selected); ``min_cell`` 0 or 1 hides nothing. ``earlier``: rows hidden at
    an earlier stage stay hidden, since a later stage's group size is the earlier stage's selected count."""
    values = list(counts)
    if min_cell <= 1 or not values:
        return Suppression({}, False)
    size = {v: int(counts[v][0]) for v in values}
    hidden: dict[str, str] = {v: "earlier_stage" for v in earlier if v in counts}
    hidden.update({v: "small" for v in values if min(int(c) for c in counts[v]) < min_cell})
    margins = _margins(values, intersection)

    def aggregate_ok(rows: list[str]) -> bool:
        sums = np.sum([list(counts[v]) for v in rows], axis=0)
        return len(rows) >= 2 and int(sums.min()) >= min_cell

    changed = True
    while changed:
        changed = False
        for margin in margins:
            suppressed = [v for v in margin if v in hidden]
            if not suppressed:
                continue
            published = sorted((v for v in margin if v not in hidden), key=lambda v: (size[v], v))
            while not aggregate_ok(suppressed) and published:
                extra = published.pop(0)
                hidden[extra] = "complementary"
                suppressed.append(extra)
                changed = True
        for value in _recoverable(values, hidden, margins):
            candidates = sorted(
                (v for m in margins if value in m for v in m if v not in hidden), key=lambda v: (size[v], v)
            )
            if candidates:
                hidden[candidates[0]] = "complementary"
                changed = True
    totals = np.sum([list(counts[v]) for v in values], axis=0)
    total_hidden = int(totals.min()) < min_cell or (len(values) == 1 and bool(hidden))
    return Suppression(hidden, total_hidden)


def _recoverable(values: Sequence[str], hidden: Mapping[str, str], margins: Sequence[Sequence[str]]) -> list[str]:
    """Hidden rows whose count follows from the published margin sums (a unit vector in the row space)."""
    unknowns = [v for v in values if v in hidden]
    if not unknowns:
        return []
    index = {v: i for i, v in enumerate(unknowns)}
    matrix = np.array(
        [[1.0 if v in margin else 0.0 for v in unknowns] for margin in margins if any(v in index for v in margin)]
    )
    if matrix.size == 0:
        return []
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for value, i in index.items():
        unit = np.zeros(len(unknowns))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(value)
    return found


def recoverable_rows(values: Sequence[str], hidden: Mapping[str, str], *, intersection: bool = False) -> list[str]:
    """The hidden rows an outsider could compute back from the published totals (should be none)."""
    return _recoverable(values, hidden, _margins(values, intersection))
