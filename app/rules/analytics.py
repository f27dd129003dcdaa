"""The state's selection figures (Concept 2024-2029 §6; selection-rules §13) from plain records.

Per group (a state body, a region, a category or a month, or everything together):

- ``candidates_per_place``: applications / places put to competition (one place per competition),
  against the national target of the group's year (2.5 in 2024 rising by 0.5 a year to 5 in 2029);
- ``no_winner_share``: competitions whose results were published without a winner / competitions
  whose results were published;
- ``time_to_fill``: working days from the vacancy's publication to the appointment (mean, median);
- ``pass_rate``: per stage, candidates who went on / candidates who entered it;
- ``route_share``: appointments per route (competition, graduates, reserves) / all appointments;
- ``alert_reach``: alerts delivered to a person for a vacancy that they then applied to / alerts delivered.

A competition counts in the month its vacancy was published; an appointment in the month of
its order; an alert in the month it was delivered. Each figure carries ``n``, the count it is
computed over; a figure with ``0 < n < min_cell`` is suppressed (value ``None``), as the research
outputs suppress small cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from statistics import median
from typing import Any, Final, Literal

from app.rules.calendar import working_days_between

GroupBy = Literal["body", "region", "category", "month"]
GROUPINGS: tuple[str, ...] = ("body", "region", "category", "month")
ALL: Final = "all"

CANDIDATES_PER_PLACE_TARGET: dict[int, Fraction] = {
    2024: Fraction(5, 2), 2025: Fraction(3), 2026: Fraction(7, 2), 2027: Fraction(4), 2028: Fraction(9, 2),
    2029: Fraction(5),
}
"""The Concept's target indicator 3 (seed 004 §6: бір орынға кандидаттар саны), by year."""


def candidates_per_place_target(year: int) -> Fraction | None:
    """The year's national target; the first year's before 2024 is none, 2029's after it stays."""
    if year < min(CANDIDATES_PER_PLACE_TARGET):
        return None
    return CANDIDATES_PER_PLACE_TARGET[min(year, max(CANDIDATES_PER_PLACE_TARGET))]


@dataclass(frozen=True)
class Where:
    """Where a record belongs: its state body (code), region and position category."""

    body: str
    region: str
    category: str


@dataclass(frozen=True)
class CompetitionRecord:
    where: Where
    published_on: date
    applications: int
    stages: tuple[tuple[str, int, int], ...] = ()
    """(stage, entered, advanced) of each stage run, in order."""
    results_published: bool = False
    winner: bool = False
    appointed_on: date | None = None
    places: int = 1


@dataclass(frozen=True)
class AppointmentRecord:
    where: Where
    appointed_on: date
    route: str


@dataclass(frozen=True)
class AlertRecord:
    where: Where
    delivered_on: date
    applied: bool


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _key(where: Where, on: date, by: str | None) -> str:
    if by is None:
        return ALL
    if by == "month":
        return _month(on)
    return str(getattr(where, by))


def _round(value: Fraction, places: int = 4) -> float:
    factor: int = 10**places
    scaled = value * factor
    rounded: int = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return rounded / factor


def _figure(numerator: Fraction | int | None, n: int, min_cell: int, **extra: Any) -> dict[str, Any]:
    suppressed = 0 < n < min_cell
    value = None if suppressed or numerator is None or n == 0 else _round(Fraction(numerator))
    return {"value": value, "n": n, "suppressed": suppressed, **extra}


def _target_year(key: str, by: str | None, period_end: date) -> int:
    return int(key[:4]) if by == "month" else period_end.year


def selection_figures(competitions: Sequence[CompetitionRecord], appointments: Sequence[AppointmentRecord],
                      alerts: Sequence[AlertRecord], *, by: str | None, min_cell: int,
                      period_end: date) -> list[dict[str, Any]]:
    """The figures per group (one group, ``"all"``, when ``by`` is ``None``), groups sorted by key.

    ``period_end`` names the year whose target a non-monthly group is measured against.
    """
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    comps: dict[str, list[CompetitionRecord]] = defaultdict(list)
    apps: dict[str, list[AppointmentRecord]] = defaultdict(list)
    sent: dict[str, list[AlertRecord]] = defaultdict(list)
    for c in competitions:
        comps[_key(c.where, c.published_on, by)].append(c)
    for a in appointments:
        apps[_key(a.where, a.appointed_on, by)].append(a)
    for s in alerts:
        sent[_key(s.where, s.delivered_on, by)].append(s)
    keys = sorted(set(comps) | set(apps) | set(sent)) or ([ALL] if by is None else [])
    return [_group(key, by, comps[key], apps[key], sent[key], min_cell, period_end) for key in keys]


def _group(key: str, by: str | None, comps: list[CompetitionRecord], apps: list[AppointmentRecord],
           sent: list[AlertRecord], min_cell: int, period_end: date) -> dict[str, Any]:
    places = sum(c.places for c in comps)
    applications = sum(c.applications for c in comps)
    target = candidates_per_place_target(_target_year(key, by, period_end))
    ended = [c for c in comps if c.results_published]
    filled = [working_days_between(c.published_on, c.appointed_on) for c in comps if c.appointed_on is not None]
    stage_counts: dict[str, list[int]] = {}
    for c in comps:
        for stage, entered, advanced in c.stages:
            counts = stage_counts.setdefault(stage, [0, 0])
            counts[0] += entered
            counts[1] += advanced
    routes: dict[str, int] = defaultdict(int)
    for a in apps:
        routes[a.route] += 1
    return {
        "key": key,
        "competitions": len(comps),
        "places": places,
        "applications": applications,
        "appointments": len(apps),
        "candidates_per_place": _figure(
            Fraction(applications, places) if places else None, applications, min_cell,
            target=None if target is None else float(target)),
        "no_winner_share": _figure(
            Fraction(sum(1 for c in ended if not c.winner), len(ended)) if ended else None, len(ended), min_cell),
        "time_to_fill_working_days": _figure(
            Fraction(sum(filled), len(filled)) if filled else None, len(filled), min_cell,
            median=(None if not filled or len(filled) < min_cell else float(median(filled)))),
        "pass_rate": {stage: _figure(Fraction(adv, ent) if ent else None, ent, min_cell)
                      for stage, (ent, adv) in stage_counts.items()},
        "route_share": {route: _figure(Fraction(count, len(apps)), len(apps), min_cell, count=(
            None if len(apps) < min_cell else count)) for route, count in sorted(routes.items())},
        "alert_reach": _figure(
            Fraction(sum(1 for s in sent if s.applied), len(sent)) if sent else None, len(sent), min_cell),
    }


def in_period(day: date, start: date | None, end: date | None) -> bool:
    """Whether ``day`` is within ``[start, end]`` (an open end is no limit)."""
    return (start is None or start <= day) and (end is None or day <= end)


def filter_period(records: Iterable[Any], day_of: Callable[[Any], date], start: date | None,
                  end: date | None) -> list[Any]:
    return [r for r in records if in_period(day_of(r), start, end)]
