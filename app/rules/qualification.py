"""The qualification check (біліктілік талаптары): a personal file against a vacancy's requirements.

Each stated requirement gets its own result — met or not, what was required, what the file
shows, and a stable reason code that the service turns into Kazakh and Russian text. A
requirement the vacancy does not state is not checked and does not appear in the result.

Requirement codes and their reason codes:

- ``education_level``: ``education_level_met``, ``education_level_below_minimum`` (a minimum
  level is stated and no record reaches it), ``education_level_not_allowed`` (a list of
  allowed levels is stated and no record is in it), ``education_missing`` (no record at all).
- ``education_field``: ``education_field_met``, ``education_field_not_matching`` — the field
  must be that of a record which also satisfies the level requirement.
- ``experience``: ``experience_met``, ``experience_below_minimum``.
- ``functional_area_experience``: ``functional_area_experience_met``,
  ``functional_area_experience_below_minimum``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from app.rules.errors import RulesError
from app.rules.policy import EDUCATION_LEVELS

REQUIREMENT_CODES: Final[tuple[str, ...]] = (
    "education_level",
    "education_field",
    "experience",
    "functional_area_experience",
)
"""Every requirement the check knows, in the order results are listed."""

REASON_CODES: Final[tuple[str, ...]] = (
    "education_level_met",
    "education_level_below_minimum",
    "education_level_not_allowed",
    "education_missing",
    "education_field_met",
    "education_field_not_matching",
    "experience_met",
    "experience_below_minimum",
    "functional_area_experience_met",
    "functional_area_experience_below_minimum",
)
"""Every reason code a result can carry (see the module docstring)."""


class InvalidQualificationRequirements(RulesError):
    """The requirements or the file name an unknown education level, or a negative number of months."""

    code = "invalid_qualification_requirements"


def _normalise_field(name: str) -> str:
    """Fields are compared without case and surrounding or repeated spaces ("Law" == " law ")."""
    return " ".join(name.split()).casefold()


def _check_level(level: str) -> str:
    if level not in EDUCATION_LEVELS:
        raise InvalidQualificationRequirements(
            f"unknown education level {level!r}; one of {', '.join(EDUCATION_LEVELS)}"
        )
    return level


def _check_months(name: str, months: int) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise InvalidQualificationRequirements(f"{name} must be an integer >= 0, got {months!r}")
    return months


@dataclass(frozen=True, kw_only=True)
class QualificationRequirements:
    """A vacancy's qualification requirements; an empty or zero requirement is not checked.

    ``education_levels`` lists the allowed levels; ``min_education_level`` allows that level
    and every higher one (both may be given: a record must satisfy both). ``education_fields``
    are alternatives (any of). ``functional_area`` with ``min_functional_area_months`` asks
    for experience in one functional area (функционалдық бағыт).
    """

    education_levels: frozenset[str] = frozenset()
    min_education_level: str | None = None
    education_fields: frozenset[str] = frozenset()
    min_experience_months: int = 0
    functional_area: str | None = None
    min_functional_area_months: int = 0

    def __post_init__(self) -> None:
        for level in self.education_levels:
            _check_level(level)
        if self.min_education_level is not None:
            _check_level(self.min_education_level)
        _check_months("min_experience_months", self.min_experience_months)
        _check_months("min_functional_area_months", self.min_functional_area_months)
        if self.min_functional_area_months and not self.functional_area:
            raise InvalidQualificationRequirements("min_functional_area_months needs a functional_area")

    @property
    def states_education_level(self) -> bool:
        return bool(self.education_levels) or self.min_education_level is not None

    def level_allowed(self, level: str) -> bool:
        """Whether a record of ``level`` satisfies the level requirement (always, when none is stated)."""
        if self.education_levels and level not in self.education_levels:
            return False
        if self.min_education_level is not None:
            return EDUCATION_LEVELS.index(level) >= EDUCATION_LEVELS.index(self.min_education_level)
        return True


@dataclass(frozen=True, kw_only=True)
class RequirementResult:
    """One requirement: met or not, what it asks, what the file shows, and why (a reason code)."""

    requirement: str
    met: bool
    required: str | int | tuple[str, ...]
    actual: str | int | tuple[str, ...] | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class QualificationCheck:
    """Every stated requirement's result, in ``REQUIREMENT_CODES`` order."""

    results: tuple[RequirementResult, ...]

    @property
    def qualified(self) -> bool:
        """Whether every stated requirement is met (true when none is stated)."""
        return all(result.met for result in self.results)

    @property
    def unmet(self) -> tuple[str, ...]:
        return tuple(result.requirement for result in self.results if not result.met)


def highest_level(levels: Iterable[str]) -> str | None:
    """The highest of ``levels`` on the ascending scale, ``None`` for none."""
    known = [_check_level(level) for level in levels]
    return max(known, key=EDUCATION_LEVELS.index) if known else None


def check_qualification(
    requirements: QualificationRequirements,
    *,
    education: Sequence[tuple[str, str | None]],
    experience_months: int,
    functional_area_months: Mapping[str, int],
) -> QualificationCheck:
    """Check a personal file against ``requirements``.

    ``education`` holds ``(level, field)`` per diploma; ``experience_months`` is the whole
    work experience; ``functional_area_months`` the months per functional area, keyed by
    the area's code (compared like fields: without case and extra spaces).
    """
    for level, _field in education:
        _check_level(level)
    _check_months("experience_months", experience_months)
    for area, months in functional_area_months.items():
        _check_months(f"functional_area_months[{area!r}]", months)

    results: list[RequirementResult] = []
    qualifying = [(level, field) for level, field in education if requirements.level_allowed(level)]
    if requirements.states_education_level:
        results.append(_education_level_result(requirements, education, bool(qualifying)))
    if requirements.education_fields:
        results.append(_education_field_result(requirements, qualifying))
    if requirements.min_experience_months:
        met = experience_months >= requirements.min_experience_months
        results.append(
            RequirementResult(
                requirement="experience",
                met=met,
                required=requirements.min_experience_months,
                actual=experience_months,
                reason="experience_met" if met else "experience_below_minimum",
            )
        )
    if requirements.functional_area and requirements.min_functional_area_months:
        wanted = _normalise_field(requirements.functional_area)
        months = sum(value for area, value in functional_area_months.items() if _normalise_field(area) == wanted)
        met = months >= requirements.min_functional_area_months
        results.append(
            RequirementResult(
                requirement="functional_area_experience",
                met=met,
                required=requirements.min_functional_area_months,
                actual=months,
                reason="functional_area_experience_met" if met else "functional_area_experience_below_minimum",
            )
        )
    return QualificationCheck(results=tuple(results))


def _education_level_result(
    requirements: QualificationRequirements, education: Sequence[tuple[str, str | None]], met: bool
) -> RequirementResult:
    required: str | tuple[str, ...]
    if requirements.education_levels:
        required = tuple(level for level in EDUCATION_LEVELS if level in requirements.education_levels)
        if requirements.min_education_level is not None:
            required = tuple(level for level in required if requirements.level_allowed(level))
        failure = "education_level_not_allowed"
    else:
        assert requirements.min_education_level is not None
        required = requirements.min_education_level
        failure = "education_level_below_minimum"
    actual = highest_level(level for level, _field in education)
    if met:
        reason = "education_level_met"
    elif actual is None:
        reason = "education_missing"
    else:
        reason = failure
    return RequirementResult(requirement="education_level", met=met, required=required, actual=actual, reason=reason)


def _education_field_result(
    requirements: QualificationRequirements, qualifying: Sequence[tuple[str, str | None]]
) -> RequirementResult:
    wanted = {_normalise_field(name) for name in requirements.education_fields}
    fields = tuple(sorted({field for _level, field in qualifying if field}))
    met = any(_normalise_field(field) in wanted for field in fields)
    return RequirementResult(
        requirement="education_field",
        met=met,
        required=tuple(sorted(requirements.education_fields)),
        actual=fields,
        reason="education_field_met" if met else "education_field_not_matching",
    )
