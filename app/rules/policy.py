"""Every threshold, count, duration and weight of the selection rules, in one frozen policy.

Defaults come from the seeds (see ``shared/domain/selection-rules.md``); the
section of the digest is named beside each field. Nothing in ``app/rules``
holds a threshold of its own: it reads it from a ``SelectionPolicy``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from app.rules.errors import PolicyError

LEGISLATION_ACTS: tuple[str, ...] = ("constitution", "civil_service", "anti_corruption", "ethics")
"""The four acts of the legislation test, in the order of the test (§2)."""

PERSONAL_QUALITIES: tuple[str, ...] = (
    "stress_resistance",
    "initiative",
    "responsibility",
    "service_orientation",
    "integrity",
    "self_development",
    "promptness",
    "cooperation",
    "managing_activity",
    "decision_making",
    "leadership",
    "strategic_thinking",
    "managing_change",
)
"""The 13 personal qualities (жеке қасиеттер), in the order of the seeds (§4)."""

EDUCATION_LEVELS: tuple[str, ...] = (
    "secondary",
    "technical_vocational",
    "bachelor",
    "master",
    "doctorate",
)
"""Education levels, ascending: the final tie-break compares their positions (§9)."""

HalfRounding = Literal["up", "down"]
ScoreAggregation = Literal["mean", "median"]
AfterRefusal = Literal["recompete", "offer_next_ranked"]


@dataclass(frozen=True, kw_only=True)
class SelectionPolicy:
    """The rules' numbers. Frozen: a competition keeps the policy it started with."""

    # §2 legislation test: questions per act, time, pass marks
    legislation_questions_constitution: int = 15
    legislation_questions_civil_service: int = 15
    legislation_questions_anti_corruption: int = 15
    legislation_questions_ethics: int = 10
    legislation_minutes: int = 55
    legislation_pass_total: int = 30
    legislation_pass_per_act: int = 5
    # §2 state-language test: no pass mark (None)
    state_language_questions: int = 20
    state_language_minutes: int = 20
    state_language_pass_mark: int | None = None
    # §2 booking and certificates (validity from the test date)
    test_booking_min_days_ahead: int = 1
    legislation_certificate_validity_months: int = 12
    state_language_certificate_validity_months: int = 12
    personal_qualities_validity_months: int = 12
    # §4 personal qualities: 13 qualities x 10 tasks, 100 minutes, overall >= 50 %
    personal_qualities_tasks_per_quality: int = 10
    # validity (sincerity) scale items added to the 130 tasks; the seeds name the scale, not a count
    personal_qualities_validity_items: int = 10
    # reliable when at most this many validity items get their implausibly perfect (keyed) answer
    personal_qualities_validity_max_hits: int = 6
    personal_qualities_minutes: int = 100
    personal_qualities_pass_percent: Decimal = Decimal(50)
    personal_qualities_per_quality_pass_percent: Decimal | None = None
    personal_qualities_require_reliable: bool = True
    # §5 text and numeric reasoning: who goes on
    reasoning_text_questions: int = 25
    reasoning_numeric_questions: int = 25
    reasoning_minutes_per_block: int = 25
    reasoning_half_rounding: HalfRounding = "up"
    reasoning_min_places: int = 3
    # §6 essay (managerial) and §7 practical assessment (non-managerial)
    member_score_min: int = 1
    member_score_max: int = 5
    essay_pass_score: Decimal = Decimal(3)
    essay_word_limit: int = 200
    essay_minutes: int = 45
    practical_pass_score: Decimal = Decimal(3)
    member_score_aggregation: ScoreAggregation = "mean"
    essay_min_scoring_share: Fraction = Fraction(2, 3)
    # §6, §12 review of the ML pre-score: points between a member and the suggestion, or between two members,
    # that flag an essay for the commission's discussion (architecture: human-review gates)
    essay_discussion_gap: int = 2
    # §8 interview
    interview_places: int = 3
    interview_minutes: int = 15
    # §9 total: weight x normalised stage score
    weight_personal_qualities: Decimal = Decimal(1)
    weight_reasoning: Decimal = Decimal(1)
    weight_essay: Decimal = Decimal(1)
    weight_practical: Decimal = Decimal(1)
    weight_interview: Decimal = Decimal(1)
    final_top_n: int = 3
    # §3, §4, §5, §6, §9 deadlines (working days unless named calendar)
    hr_confirmation_working_days: int = 1
    documents_review_working_days: int = 3
    proctor_review_working_days: int = 1
    essay_scoring_working_days: int = 1
    protocol_working_days: int = 1
    practical_assessment_working_days: int = 3
    appointment_earliest_working_day: int = 6
    appointment_latest_working_day: int = 10
    documents_due_calendar_days: int = 10
    # §9 after the winner refuses or hands in no documents: the seeds are silent; by default the
    # post goes back to competition, "offer_next_ranked" offers it to the next of the best ranked
    after_winner_refusal: AfterRefusal = "recompete"
    # §11 routes outside competition: state-grant graduates with GPA >= 3.33 on a 4-point scale
    # (002) within one year of the diploma (000); the Academy's best graduates within one year,
    # every region but this one (000)
    graduate_gpa_min: Decimal = Decimal("3.33")
    graduate_gpa_scale: Decimal = Decimal(4)
    graduate_window_years: int = 1
    academy_window_years: int = 1
    academy_excluded_region: str = "Astana"
    # the state's figures (Concept 2024-2029 §6): a figure computed over fewer people or
    # competitions than this is suppressed, as in the research outputs
    analytics_min_cell: int = 10
    # the Civil Code: a period whose last day is not a working day ends on the next working day
    period_end_moves_to_working_day: bool = True

    @property
    def legislation_questions(self) -> dict[str, int]:
        """Questions per act, keyed by the names in ``LEGISLATION_ACTS``."""
        return {act: getattr(self, f"legislation_questions_{act}") for act in LEGISLATION_ACTS}

    @property
    def legislation_questions_total(self) -> int:
        return sum(self.legislation_questions.values())

    @property
    def personal_qualities_tasks(self) -> int:
        return len(PERSONAL_QUALITIES) * self.personal_qualities_tasks_per_quality

    @property
    def reasoning_questions_total(self) -> int:
        return self.reasoning_text_questions + self.reasoning_numeric_questions


def policy_fields(policy: SelectionPolicy | None = None) -> dict[str, Any]:
    """Every policy field with its value (the defaults when no policy is given), JSON-ready.

    ``irikteu policy --json`` prints this.
    """
    policy = policy or SelectionPolicy()
    return {f.name: _to_json(getattr(policy, f.name)) for f in dataclasses.fields(SelectionPolicy)}


def _to_json(value: Any) -> Any:
    if isinstance(value, Fraction):
        # Exact shares print as "p/q" strings (2/3 has no exact decimal form); whole numbers as numbers.
        return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def policy_from_overrides(overrides: Mapping[str, Any], base: SelectionPolicy | None = None) -> SelectionPolicy:
    """A policy with named fields replaced; unknown names and wrong types raise ``PolicyError``.

    ``PolicyError.problems`` holds ``(field, message)`` pairs, one per bad field.
    """
    base = base or SelectionPolicy()
    fields = {f.name: f for f in dataclasses.fields(SelectionPolicy)}
    changes: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, raw in overrides.items():
        if name not in fields:
            problems.append((name, "unknown policy field"))
            continue
        current = getattr(base, name)
        try:
            changes[name] = _coerce(name, raw, current)
        except ValueError as exc:
            problems.append((name, str(exc)))
    if problems:
        raise PolicyError(problems)
    policy = dataclasses.replace(base, **changes)
    problems = _inconsistencies(policy)
    if problems:
        raise PolicyError(problems)
    return policy


_AT_LEAST_ONE = (
    "legislation_questions_constitution",
    "legislation_questions_civil_service",
    "legislation_questions_anti_corruption",
    "legislation_questions_ethics",
    "legislation_minutes",
    "state_language_questions",
    "state_language_minutes",
    "personal_qualities_tasks_per_quality",
    "personal_qualities_minutes",
    "reasoning_text_questions",
    "reasoning_numeric_questions",
    "reasoning_minutes_per_block",
    "member_score_max",
    "essay_word_limit",
    "essay_minutes",
    "essay_discussion_gap",
    "interview_places",
    "interview_minutes",
    "final_top_n",
    "legislation_certificate_validity_months",
    "state_language_certificate_validity_months",
    "personal_qualities_validity_months",
    "graduate_window_years",
    "academy_window_years",
    "analytics_min_cell",
)


def _inconsistencies(policy: SelectionPolicy) -> list[tuple[str, str]]:
    """Values no competition can run with: empty tests, an inverted scale, impossible pass marks."""
    problems = [(name, "must be >= 1") for name in _AT_LEAST_ONE if getattr(policy, name) < 1]
    if policy.member_score_min >= policy.member_score_max:
        problems.append(("member_score_min", "must be below member_score_max"))
    if policy.legislation_pass_total > policy.legislation_questions_total:
        problems.append(("legislation_pass_total", f"must be at most {policy.legislation_questions_total}"))
    if policy.personal_qualities_pass_percent > 100:
        problems.append(("personal_qualities_pass_percent", "must be at most 100"))
    if policy.graduate_gpa_scale <= 0:
        problems.append(("graduate_gpa_scale", "must be above 0"))
    elif policy.graduate_gpa_min > policy.graduate_gpa_scale:
        problems.append(("graduate_gpa_min", "must be at most graduate_gpa_scale"))
    if policy.appointment_earliest_working_day > policy.appointment_latest_working_day:
        problems.append(("appointment_earliest_working_day", "must not be after appointment_latest_working_day"))
    return problems


_CHOICES: dict[str, tuple[str, ...]] = {
    "reasoning_half_rounding": ("up", "down"),
    "member_score_aggregation": ("mean", "median"),
    "after_winner_refusal": ("recompete", "offer_next_ranked"),
}
_NAMES = {"academy_excluded_region"}
_OPTIONAL_DECIMALS = {"personal_qualities_per_quality_pass_percent"}
_OPTIONAL_INTS = {"state_language_pass_mark"}


def _fraction(raw: Any) -> Fraction:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError('must be a number or a fraction string like "2/3"')
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise ValueError('must be a number or a fraction string like "2/3"') from None
    if not 0 <= value <= 1:
        raise ValueError("must be between 0 and 1")
    return value


def _coerce(name: str, raw: Any, current: Any) -> Any:
    if name in _CHOICES:
        if raw not in _CHOICES[name]:
            raise ValueError("must be one of " + ", ".join(_CHOICES[name]))
        return raw
    if name in _NAMES:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("must be a non-empty string")
        return raw.strip()
    if raw is None and (name in _OPTIONAL_DECIMALS or name in _OPTIONAL_INTS):
        return None
    if isinstance(current, Fraction):
        return _fraction(raw)
    if isinstance(current, bool):
        if not isinstance(raw, bool):
            raise ValueError("must be true or false")
        return raw
    if isinstance(current, Decimal) or name in _OPTIONAL_DECIMALS:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError("must be a number")
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            raise ValueError("must be a number") from None
        if not value.is_finite() or value < 0:
            raise ValueError("must be a finite number >= 0")
        return value
    if isinstance(current, int) or name in _OPTIONAL_INTS:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("must be an integer")
        if raw < 0:
            raise ValueError("must be >= 0")
        return raw
    raise ValueError("cannot be overridden")  # pragma: no cover - every field type is handled above
