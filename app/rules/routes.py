"""Routes into a post without competition (selection-rules §11) and each one's eligibility.

Four routes, each a list of conditions checked one by one and shown like the qualification
check (every condition with ``met``, what is required, what the file shows):

- ``grant_graduate``: studied on a state grant, GPA >= ``graduate_gpa_min`` on the policy's
  ``graduate_gpa_scale`` (a GPA on another scale is compared in proportion), within
  ``graduate_window_years`` of the diploma counted as the Civil Code counts a period, to a
  district or rural post (seeds 000, 002);
- ``academy_graduate``: a best graduate of the Academy of Public Administration, within
  ``academy_window_years`` of the diploma, to a post of any region but ``academy_excluded_region`` (000);
- ``regional_reserve`` / ``presidential_youth_reserve``: a member of that personnel reserve on the
  day (000, 004 §2.2.2); the regional reserve serves its own region when the membership names one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from app.rules.calendar import period_end_years
from app.rules.errors import RulesError
from app.rules.policy import SelectionPolicy

GRANT_GRADUATE: Final = "grant_graduate"
ACADEMY_GRADUATE: Final = "academy_graduate"
REGIONAL_RESERVE: Final = "regional_reserve"
PRESIDENTIAL_YOUTH_RESERVE: Final = "presidential_youth_reserve"
ROUTES: tuple[str, ...] = (GRANT_GRADUATE, ACADEMY_GRADUATE, REGIONAL_RESERVE, PRESIDENTIAL_YOUTH_RESERVE)
"""The routes outside competition; ``competition`` is the ordinary one."""

COMPETITION_ROUTE: Final = "competition"
LOCALITY_TYPES: tuple[str, ...] = ("district", "rural", "city", "republican")
"""A vacancy's level: district (аудандық), rural (ауылдық), city, republican."""
GRADUATE_LOCALITIES: frozenset[str] = frozenset({"district", "rural"})
"""Where state-grant graduates go without competition (000: аудандық және ауылдық деңгей)."""

RESERVE_OF_ROUTE: dict[str, str] = {REGIONAL_RESERVE: "regional", PRESIDENTIAL_YOUTH_RESERVE: "presidential_youth"}


class UnknownRoute(RulesError):
    """The route is none of ``ROUTES``."""

    code = "unknown_route"


@dataclass(frozen=True)
class Diploma:
    """One diploma of the personal file with what the routes read; ``gpa`` on ``gpa_scale``."""

    institution: str
    diploma_on: date | None
    grant_funded: bool = False
    gpa: Decimal | None = None
    gpa_scale: Decimal | None = None
    academy: bool = False
    best_graduate: bool = False


@dataclass(frozen=True)
class Reserve:
    """A personnel-reserve membership: ``kind`` (``regional``, ``presidential_youth``), its region and dates."""

    kind: str
    since: date
    until: date | None
    region: str | None = None


@dataclass(frozen=True)
class Post:
    """What the routes read of a vacancy: its locality type and its state body's region."""

    locality_type: str | None
    region: str


@dataclass(frozen=True)
class Condition:
    """One condition of a route: its code, whether it is met, what is required and what the file shows."""

    code: str
    met: bool
    required: Any
    actual: Any


@dataclass(frozen=True)
class RouteEligibility:
    route: str
    eligible: bool
    conditions: tuple[Condition, ...]
    diploma: Diploma | None = None
    """The diploma the check went by (the one that meets most conditions), for the graduates' routes."""


def gpa_meets(gpa: Decimal, scale: Decimal, policy: SelectionPolicy) -> bool:
    """Whether ``gpa`` on ``scale`` reaches the policy's minimum, compared in proportion and exactly.

    3.33 on 4 meets 3.33 on 4; 4.1625 on 5 is the same share (83.25 %) and meets it too.
    """
    return gpa * policy.graduate_gpa_scale >= policy.graduate_gpa_min * scale


def _within_years(diploma_on: date | None, on: date, years: int, policy: SelectionPolicy) -> tuple[bool, str | None]:
    if diploma_on is None:
        return False, None
    end = period_end_years(diploma_on, years, move_to_working_day=policy.period_end_moves_to_working_day)
    return diploma_on <= on <= end, end.isoformat()


def _graduate_conditions(diploma: Diploma, post: Post, on: date, policy: SelectionPolicy) -> tuple[Condition, ...]:
    within, until = _within_years(diploma.diploma_on, on, policy.graduate_window_years, policy)
    gpa_ok = (
        diploma.gpa is not None
        and diploma.gpa_scale is not None
        and diploma.gpa_scale > 0
        and gpa_meets(diploma.gpa, diploma.gpa_scale, policy)
    )
    return (
        Condition("state_grant", diploma.grant_funded, True, diploma.grant_funded),
        Condition(
            "gpa",
            gpa_ok,
            {"min": str(policy.graduate_gpa_min), "scale": str(policy.graduate_gpa_scale)},
            None if diploma.gpa is None else {"gpa": str(diploma.gpa), "scale": str(diploma.gpa_scale)},
        ),
        Condition(
            "within_period_of_diploma",
            within,
            {"years": policy.graduate_window_years, "until": until},
            None if diploma.diploma_on is None else diploma.diploma_on.isoformat(),
        ),
        Condition(
            "locality", post.locality_type in GRADUATE_LOCALITIES, sorted(GRADUATE_LOCALITIES), post.locality_type
        ),
    )


def _academy_conditions(diploma: Diploma, post: Post, on: date, policy: SelectionPolicy) -> tuple[Condition, ...]:
    within, until = _within_years(diploma.diploma_on, on, policy.academy_window_years, policy)
    outside = post.region.strip().casefold() != policy.academy_excluded_region.strip().casefold()
    return (
        Condition(
            "academy_best_graduate",
            diploma.academy and diploma.best_graduate,
            True,
            {"academy": diploma.academy, "best_graduate": diploma.best_graduate},
        ),
        Condition(
            "within_period_of_diploma",
            within,
            {"years": policy.academy_window_years, "until": until},
            None if diploma.diploma_on is None else diploma.diploma_on.isoformat(),
        ),
        Condition("region", outside, {"not": policy.academy_excluded_region}, post.region),
    )


def _best(route: str, checks: list[tuple[Diploma, tuple[Condition, ...]]]) -> RouteEligibility:
    if not checks:
        return RouteEligibility(route, False, (Condition("diploma", False, True, None),))
    diploma, conditions = max(checks, key=lambda item: sum(c.met for c in item[1]))
    return RouteEligibility(route, all(c.met for c in conditions), conditions, diploma)


def route_eligibility(
    route: str,
    *,
    diplomas: Sequence[Diploma],
    reserves: Sequence[Reserve],
    post: Post,
    on: date,
    policy: SelectionPolicy,
) -> RouteEligibility:
    """Whether a person with ``diplomas`` and ``reserves`` may be appointed to ``post`` on ``on`` by ``route``.

    With several diplomas the one meeting most conditions is shown (first among equals).
    """
    if route == GRANT_GRADUATE:
        return _best(route, [(d, _graduate_conditions(d, post, on, policy)) for d in diplomas])
    if route == ACADEMY_GRADUATE:
        return _best(route, [(d, _academy_conditions(d, post, on, policy)) for d in diplomas])
    if route in RESERVE_OF_ROUTE:
        kind = RESERVE_OF_ROUTE[route]
        current = [r for r in reserves if r.kind == kind and r.since <= on and (r.until is None or on <= r.until)]
        conditions = [
            Condition(
                "reserve_member",
                bool(current),
                kind,
                [{"since": r.since.isoformat(), "until": r.until and r.until.isoformat()} for r in current],
            )
        ]
        if kind == "regional" and current:
            regions = [r.region for r in current]
            same = any(r is None or r.strip().casefold() == post.region.strip().casefold() for r in regions)
            conditions.append(Condition("reserve_region", same, post.region, regions))
        return RouteEligibility(route, all(c.met for c in conditions), tuple(conditions))
    raise UnknownRoute(f"unknown route {route!r}; one of {', '.join(ROUTES)}")


def eligibility_to_json(result: RouteEligibility) -> dict[str, Any]:
    return {
        "route": result.route,
        "eligible": result.eligible,
        "conditions": [
            {"code": c.code, "met": c.met, "required": c.required, "actual": c.actual} for c in result.conditions
        ],
    }
