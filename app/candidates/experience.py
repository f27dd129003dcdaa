"""Work experience (еңбек өтілі) in completed months from a list of jobs, overlapping periods counted once.

A period's length is its completed calendar months plus the leftover days; the leftover days
of all periods are summed and every 30 of them make one more month, the usual way a length of
service is totalled from several jobs. A job without an end date runs to ``on`` (inclusive);
jobs are clipped at ``on`` and a job starting after ``on`` does not count.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

DAYS_PER_MONTH_OF_LEFTOVERS = 30

Period = tuple[date, date | None]
"""(first day, last day or None for a current job)."""


def _add_months(d: date, months: int) -> date:
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def merged_periods(periods: Iterable[Period], *, on: date) -> list[tuple[date, date]]:
    """The periods clipped at ``on`` and joined where they overlap or touch; inclusive bounds, in order."""
    clipped = sorted((start, min(end or on, on)) for start, end in periods if start <= on)
    merged: list[tuple[date, date]] = []
    for start, end in clipped:
        if end < start:
            continue
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def months_and_days(first: date, last: date) -> tuple[int, int]:
    """Completed months and leftover days from ``first`` through ``last`` (both days included)."""
    after = last + timedelta(days=1)
    months = (after.year - first.year) * 12 + after.month - first.month
    if _add_months(first, months) > after:
        months -= 1
    return months, (after - _add_months(first, months)).days


def total_months(periods: Iterable[Period], *, on: date) -> int:
    """Completed months of experience on ``on``; overlapping jobs count once."""
    months = days = 0
    for first, last in merged_periods(periods, on=on):
        m, d = months_and_days(first, last)
        months += m
        days += d
    return months + days // DAYS_PER_MONTH_OF_LEFTOVERS
