"""The state's selection figures (Concept 2024-2029 §6; selection-rules §13) from plain records.

Per group (a state body, a region, a category or a month, or everything together):

- ``candidates_per_place``: applications / places put to competition (one place per competition),
  against the national target of the group's year (2.5 in 2024 rising by 0.5 a year to 5 in 2029);
- ``no_winner_share``: competitions whose results were published without a winner / competitions
  whose results were published;
- ``time_to_fill``: working days from the vacancy's publication to the appointment (mean, median);
- ``pass_rate``: per stage, candidates who went on / candidates who entered it;
- ``route_share``: appointments per route (competition, graduates, reserves) / all appointments;
- ``alert_reach``: alerts delivered to a person for a vacancy that they then applied to / alerts delivered;
- ``online_share``: done fully online, of three kinds: ``applications`` (every application is submitted
  through the service: Irikteu has no paper intake, so this is 1 wherever there are applications),
  ``tests`` (applications with a recorded personal-qualities or reasoning result whose every recorded
  test was taken in the service / applications with a recorded test result) and ``protocols``
  (competitions whose results were published with a protocol signed by every commission seat by
  electronic signature / competitions whose results were published).

A competition counts in the month its vacancy was published; an appointment in the month of
its order; an alert in the month it was delivered. Each figure carries ``n``, the count it is
computed over; a figure with ``0 < n < min_cell`` is suppressed (value ``None``), as the research
outputs suppress small cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Final, Literal

from app.rules.calendar import working_days_between

GroupBy = Literal["body", "region", "category", "month"]
GROUPINGS: tuple[str, ...] = ("body", "region", "category", "month")
ALL: Final = "all"

CANDIDATES_PER_PLACE_TARGET: dict[int, Fraction] = {
    2024: Fraction(5, 2),
    2025: Fraction(3),
    2026: Fraction(7, 2),
    2027: Fraction(4),
    2028: Fraction(9, 2),
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
    tested: int = 0
    """Applications with a recorded test result (personal qualities or reasoning)."""
    tested_online: int = 0
    """Of those, the applications whose every recorded test was taken in the service."""
    protocol_online: bool = False
    """The results were published with a protocol every commission seat signed electronically."""


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


@dataclass(frozen=True)
class CompetitionCell:
    """Competitions of one place (body, region, category) published in one month, counted.

    ``stages``: (stage, entered, advanced) summed, in the stages' order; ``fill_days``: working days
    from publication to the order -> how many competitions took that long.
    """

    where: Where
    month: str
    competitions: int
    applications: int
    results_published: int = 0
    without_winner: int = 0
    stages: tuple[tuple[str, int, int], ...] = ()
    fill_days: Mapping[int, int] = field(default_factory=dict)
    places: int | None = None
    tested: int = 0
    tested_online: int = 0
    protocols_online: int = 0

    @property
    def place_count(self) -> int:
        return self.competitions if self.places is None else self.places


@dataclass(frozen=True)
class AppointmentCell:
    where: Where
    month: str
    route: str
    appointments: int


@dataclass(frozen=True)
class AlertCell:
    where: Where
    month: str
    delivered: int
    applied: int


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def cells_of(
    competitions: Sequence[CompetitionRecord], appointments: Sequence[AppointmentRecord], alerts: Sequence[AlertRecord]
) -> tuple[list[CompetitionCell], list[AppointmentCell], list[AlertCell]]:
    """Per-record history as cells of one record each (the figures are the same either way)."""
    return (
        [
            CompetitionCell(
                c.where,
                month_of(c.published_on),
                1,
                c.applications,
                int(c.results_published),
                int(c.results_published and not c.winner),
                c.stages,
                {} if c.appointed_on is None else {working_days_between(c.published_on, c.appointed_on): 1},
                places=c.places,
                tested=c.tested,
                tested_online=c.tested_online,
                protocols_online=int(c.results_published and c.protocol_online),
            )
            for c in competitions
        ],
        [AppointmentCell(a.where, month_of(a.appointed_on), a.route, 1) for a in appointments],
        [AlertCell(s.where, month_of(s.delivered_on), 1, int(s.applied)) for s in alerts],
    )


def _key(where: Where, month: str, by: str | None) -> str:
    if by is None:
        return ALL
    if by == "month":
        return month
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


def _median(histogram: Mapping[int, int]) -> Fraction:
    """The median of the values ``histogram`` counts (the mean of the two middle ones for an even count)."""
    total = sum(histogram.values())
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
    return Fraction(found[0] + found[1], 2)


def selection_figures(
    competitions: Sequence[CompetitionRecord],
    appointments: Sequence[AppointmentRecord],
    alerts: Sequence[AlertRecord],
    *,
    by: str | None,
    min_cell: int,
    period_end: date,
) -> list[dict[str, Any]]:
    """The figures per group (one group, ``"all"``, when ``by`` is ``None``), groups sorted by key.

    ``period_end`` names the year whose target a non-monthly group is measured against.
    """
    return figures_of_cells(
        *cells_of(competitions, appointments, alerts), by=by, min_cell=min_cell, period_end=period_end
    )


def figures_of_cells(
    competitions: Sequence[CompetitionCell],
    appointments: Sequence[AppointmentCell],
    alerts: Sequence[AlertCell],
    *,
    by: str | None,
    min_cell: int,
    period_end: date,
) -> list[dict[str, Any]]:
    """``selection_figures`` over counted cells (what the service reads from the database)."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    comps: dict[str, list[CompetitionCell]] = defaultdict(list)
    apps: dict[str, list[AppointmentCell]] = defaultdict(list)
    sent: dict[str, list[AlertCell]] = defaultdict(list)
    for c in competitions:
        comps[_key(c.where, c.month, by)].append(c)
    for a in appointments:
        apps[_key(a.where, a.month, by)].append(a)
    for s in alerts:
        sent[_key(s.where, s.month, by)].append(s)
    keys = sorted(set(comps) | set(apps) | set(sent)) or ([ALL] if by is None else [])
    return [_group(key, by, comps[key], apps[key], sent[key], min_cell, period_end) for key in keys]


def _group(
    key: str,
    by: str | None,
    comps: list[CompetitionCell],
    apps: list[AppointmentCell],
    sent: list[AlertCell],
    min_cell: int,
    period_end: date,
) -> dict[str, Any]:
    places = sum(c.place_count for c in comps)
    applications = sum(c.applications for c in comps)
    target = candidates_per_place_target(_target_year(key, by, period_end))
    ended = sum(c.results_published for c in comps)
    without_winner = sum(c.without_winner for c in comps)
    filled: dict[int, int] = defaultdict(int)
    for c in comps:
        for days, count in c.fill_days.items():
            filled[days] += count
    n_filled = sum(filled.values())
    stage_counts: dict[str, list[int]] = {}
    for c in comps:
        for stage, entered, advanced in c.stages:
            counts = stage_counts.setdefault(stage, [0, 0])
            counts[0] += entered
            counts[1] += advanced
    routes: dict[str, int] = defaultdict(int)
    for a in apps:
        routes[a.route] += a.appointments
    appointed = sum(routes.values())
    delivered = sum(s.delivered for s in sent)
    tested = sum(c.tested for c in comps)
    tested_online = sum(c.tested_online for c in comps)
    return {
        "key": key,
        "competitions": sum(c.competitions for c in comps),
        "places": places,
        "applications": applications,
        "appointments": appointed,
        "candidates_per_place": _figure(
            Fraction(applications, places) if places else None,
            applications,
            min_cell,
            target=None if target is None else float(target),
        ),
        "no_winner_share": _figure(Fraction(without_winner, ended) if ended else None, ended, min_cell),
        "time_to_fill_working_days": _figure(
            Fraction(sum(days * count for days, count in filled.items()), n_filled) if n_filled else None,
            n_filled,
            min_cell,
            median=(None if not n_filled or n_filled < min_cell else float(_median(filled))),
        ),
        "pass_rate": {
            stage: _figure(Fraction(adv, ent) if ent else None, ent, min_cell)
            for stage, (ent, adv) in stage_counts.items()
        },
        "route_share": {
            route: _figure(
                Fraction(count, appointed), appointed, min_cell, count=(None if appointed < min_cell else count)
            )
            for route, count in sorted(routes.items())
        },
        "alert_reach": _figure(
            Fraction(sum(s.applied for s in sent), delivered) if delivered else None, delivered, min_cell
        ),
        "online_share": {
            "applications": _figure(
                Fraction(applications, applications) if applications else None, applications, min_cell
            ),
            "tests": _figure(Fraction(tested_online, tested) if tested else None, tested, min_cell),
            "protocols": _figure(
                Fraction(sum(c.protocols_online for c in comps), ended) if ended else None, ended, min_cell
            ),
        },
    }


def in_period(day: date, start: date | None, end: date | None) -> bool:
    """Whether ``day`` is within ``[start, end]`` (an open end is no limit)."""
    return (start is None or start <= day) and (end is None or day <= end)
