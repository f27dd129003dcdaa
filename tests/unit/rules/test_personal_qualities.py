from decimal import Decimal
from fractions import Fraction

import pytest

from app.rules.personal_qualities import (
    InvalidPersonalQualitiesScoreError,
    MissingPerQualityScoresError,
    PersonalQualitiesResult,
    per_quality_percents,
    personal_qualities_percent,
    score_personal_qualities,
)
from app.rules.policy import PERSONAL_QUALITIES, SelectionPolicy

POLICY = SelectionPolicy()
PER_QUALITY = SelectionPolicy(personal_qualities_per_quality_pass_percent=Decimal(40))


@pytest.mark.parametrize(
    ("percent", "passed"),
    [
        (Decimal("49.99"), False),
        (Fraction(4999, 100), False),
        (Fraction(99999, 2000), False),
        (Decimal("50"), True),
        (50, True),
        (Fraction(50), True),
        (Decimal("50.01"), True),
        (0, False),
        (100, True),
    ],
)
def test_overall_mark_is_exact(percent: Fraction | Decimal | int, passed: bool) -> None:
    result = score_personal_qualities(percent, True, POLICY)
    assert result.passed is passed
    assert result.reason == (None if passed else "personal_qualities_below_minimum")
    assert result.percent == Fraction(percent)


def test_unreliable_fails_and_is_flagged() -> None:
    result = score_personal_qualities(80, False, POLICY)
    assert result == PersonalQualitiesResult(
        percent=Fraction(80), passed=False, reason="personal_qualities_unreliable", flagged_unreliable=True
    )


def test_unreliable_is_flagged_even_when_the_policy_lets_it_pass() -> None:
    lenient = SelectionPolicy(personal_qualities_require_reliable=False)
    result = score_personal_qualities(80, False, lenient)
    assert (result.passed, result.reason, result.flagged_unreliable) == (True, None, True)


def test_below_the_mark_and_unreliable_reports_the_mark_and_flags() -> None:
    result = score_personal_qualities(Decimal("49.99"), False, POLICY)
    assert (result.reason, result.flagged_unreliable) == ("personal_qualities_below_minimum", True)


def test_pass_mark_comes_from_the_policy() -> None:
    policy = SelectionPolicy(personal_qualities_pass_percent=Decimal(60))
    assert not score_personal_qualities(Decimal("59.9"), True, policy).passed
    assert score_personal_qualities(60, True, policy).passed


def qualities(*values: Fraction) -> dict[str, Fraction]:
    return dict(zip(PERSONAL_QUALITIES, values, strict=True))


def test_per_quality_mark_is_off_by_default() -> None:
    weak_one = qualities(Fraction(0), *[Fraction(100)] * 12)
    assert score_personal_qualities(90, True, POLICY, weak_one).passed


def test_per_quality_mark_when_the_policy_sets_one() -> None:
    at_mark = qualities(Fraction(40), *[Fraction(70)] * 12)
    below = qualities(Fraction(39), *[Fraction(70)] * 12)
    assert score_personal_qualities(Fraction(2140, 31), True, PER_QUALITY, at_mark).passed
    result = score_personal_qualities(68, True, PER_QUALITY, below)
    assert (result.passed, result.reason) == (False, "personal_qualities_quality_below_minimum")


def test_per_quality_mark_needs_per_quality_percents() -> None:
    with pytest.raises(MissingPerQualityScoresError) as error:
        score_personal_qualities(70, True, PER_QUALITY)
    assert error.value.code == "missing_per_quality_scores"


def test_per_quality_percents_must_name_the_13_qualities() -> None:
    twelve = dict(list(qualities(*[Fraction(70)] * 13).items())[:12])
    with pytest.raises(InvalidPersonalQualitiesScoreError, match="missing: managing_change"):
        score_personal_qualities(70, True, PER_QUALITY, twelve)


@pytest.mark.parametrize("percent", [Decimal("-0.01"), Fraction(10001, 100), 101])
def test_percent_off_the_scale_is_refused(percent: Fraction | Decimal | int) -> None:
    with pytest.raises(InvalidPersonalQualitiesScoreError) as error:
        score_personal_qualities(percent, True, POLICY)
    assert error.value.code == "invalid_personal_qualities_score"


def test_float_percent_is_refused() -> None:
    with pytest.raises(InvalidPersonalQualitiesScoreError, match="exact number"):
        score_personal_qualities(49.99, True, POLICY)  # type: ignore[arg-type]


# percent from raw counts: 13 qualities x 10 tasks


def test_percent_from_counts_at_the_mark() -> None:
    half = dict.fromkeys(PERSONAL_QUALITIES, 5)
    assert personal_qualities_percent(half, POLICY) == 50
    one_short = half | {"leadership": 4}
    assert personal_qualities_percent(one_short, POLICY) == Fraction(6400, 130)
    assert not score_personal_qualities(personal_qualities_percent(one_short, POLICY), True, POLICY).passed
    assert score_personal_qualities(personal_qualities_percent(half, POLICY), True, POLICY).passed


def test_per_quality_percents_from_counts() -> None:
    correct = dict(zip(PERSONAL_QUALITIES, [min(i, 10) for i in range(13)], strict=True))
    percents = per_quality_percents(correct, POLICY)
    assert list(percents) == list(PERSONAL_QUALITIES)
    assert percents["stress_resistance"] == 0 and percents["initiative"] == 10
    assert percents["managing_change"] == 100


@pytest.mark.parametrize(
    "correct",
    [
        dict.fromkeys(PERSONAL_QUALITIES, 5) | {"initiative": 11},
        dict.fromkeys(PERSONAL_QUALITIES, 5) | {"initiative": -1},
        dict.fromkeys(PERSONAL_QUALITIES[:12], 5),
        dict.fromkeys(PERSONAL_QUALITIES, 5) | {"charisma": 5},
    ],
)
def test_counts_off_the_test_are_refused(correct: dict[str, int]) -> None:
    with pytest.raises(InvalidPersonalQualitiesScoreError):
        personal_qualities_percent(correct, POLICY)
