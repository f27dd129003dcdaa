"""The personal-qualities assessment (жеке қасиеттерді бағалау, §4): percent, pass mark, reliability."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.rules.errors import RulesError
from app.rules.policy import PERSONAL_QUALITIES, SelectionPolicy

PersonalQualitiesReason = Literal[
    "personal_qualities_below_minimum",
    "personal_qualities_unreliable",
    "personal_qualities_quality_below_minimum",
]


class InvalidPersonalQualitiesScoreError(RulesError):
    """A percent outside 0..100, a count outside 0..tasks, or qualities that are not the 13 of the test."""

    code = "invalid_personal_qualities_score"


class MissingPerQualityScoresError(RulesError):
    """The policy sets a per-quality pass mark but no per-quality percents were given."""

    code = "missing_per_quality_scores"


@dataclass(frozen=True)
class PersonalQualitiesResult:
    """One candidate's assessment.

    ``reason`` is ``None`` when passed, else the first failing check in this order: the overall
    mark, the reliability (validity) scale, the per-quality mark. ``flagged_unreliable`` is
    set whenever the validity scale failed, passed or not, so the proctor and HR review it.
    """

    percent: Fraction
    passed: bool
    reason: PersonalQualitiesReason | None
    flagged_unreliable: bool


def per_quality_percents(correct_by_quality: Mapping[str, int], policy: SelectionPolicy) -> dict[str, Fraction]:
    """Each quality's percent from its correct tasks, in the order of ``PERSONAL_QUALITIES``."""
    _check_qualities(correct_by_quality.keys())
    tasks = policy.personal_qualities_tasks_per_quality
    percents: dict[str, Fraction] = {}
    for quality in PERSONAL_QUALITIES:
        correct = correct_by_quality[quality]
        if isinstance(correct, bool) or not 0 <= correct <= tasks:
            raise InvalidPersonalQualitiesScoreError(f"{quality}: must be 0..{tasks}")
        percents[quality] = Fraction(100 * correct, tasks)
    return percents


def personal_qualities_percent(correct_by_quality: Mapping[str, int], policy: SelectionPolicy) -> Fraction:
    """The overall percent from the correct tasks of each of the 13 qualities."""
    percents = per_quality_percents(correct_by_quality, policy)
    return sum(percents.values(), Fraction(0)) / len(percents)


def score_personal_qualities(
    percent: Fraction | Decimal | int,
    reliable: bool,
    policy: SelectionPolicy,
    per_quality_percent: Mapping[str, Fraction] | None = None,
) -> PersonalQualitiesResult:
    """Apply the pass marks and the reliability scale, in exact arithmetic (49.99 fails, 50 passes)."""
    overall = _percent(percent, "percent")
    reason: PersonalQualitiesReason | None = None
    if overall < Fraction(policy.personal_qualities_pass_percent):
        reason = "personal_qualities_below_minimum"
    elif not reliable and policy.personal_qualities_require_reliable:
        reason = "personal_qualities_unreliable"
    elif policy.personal_qualities_per_quality_pass_percent is not None:
        if per_quality_percent is None:
            raise MissingPerQualityScoresError("the policy sets a per-quality pass mark; give per-quality percents")
        _check_qualities(per_quality_percent.keys())
        mark = Fraction(policy.personal_qualities_per_quality_pass_percent)
        if any(_percent(value, quality) < mark for quality, value in per_quality_percent.items()):
            reason = "personal_qualities_quality_below_minimum"
    return PersonalQualitiesResult(
        percent=overall, passed=reason is None, reason=reason, flagged_unreliable=not reliable
    )


def _percent(value: Fraction | Decimal | int, name: str) -> Fraction:
    # Floats are refused: a binary float would make 49.99 and 50 boundaries inexact.
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise InvalidPersonalQualitiesScoreError(f"{name}: must be an exact number (Fraction, Decimal or int)")
    exact = Fraction(value)
    if not 0 <= exact <= 100:
        raise InvalidPersonalQualitiesScoreError(f"{name}: must be 0..100")
    return exact


def _check_qualities(names: Iterable[str]) -> None:
    given = set(names)
    missing = [q for q in PERSONAL_QUALITIES if q not in given]
    unknown = sorted(str(name) for name in given if name not in PERSONAL_QUALITIES)
    if missing or unknown:
        raise InvalidPersonalQualitiesScoreError(
            "qualities must be exactly the 13 of the test"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
