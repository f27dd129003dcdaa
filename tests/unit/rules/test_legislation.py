import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.legislation import (
    InvalidLegislationCountsError,
    InvalidLegislationSheetsError,
    InvalidStateLanguageScoreError,
    LegislationResult,
    score_legislation,
    score_legislation_sheets,
    state_language_passed,
)
from app.rules.policy import LEGISLATION_ACTS, SelectionPolicy

POLICY = SelectionPolicy()
SIZES = (15, 15, 15, 10)


def counts(constitution: int, civil_service: int, anti_corruption: int, ethics: int) -> dict[str, int]:
    return dict(zip(LEGISLATION_ACTS, (constitution, civil_service, anti_corruption, ethics), strict=True))


def test_thirty_correct_with_five_in_every_act_passes() -> None:
    result = score_legislation(counts(10, 10, 5, 5), POLICY)
    assert result == LegislationResult(counts=counts(10, 10, 5, 5), total=30, passed=True, reason=None)


def test_twenty_nine_correct_fails_on_the_total() -> None:
    result = score_legislation(counts(10, 9, 5, 5), POLICY)
    assert (result.total, result.passed, result.reason) == (29, False, "legislation_total_below_minimum")


def test_an_act_at_four_fails_even_with_a_high_total() -> None:
    result = score_legislation(counts(15, 15, 15, 4), POLICY)
    assert (result.total, result.passed, result.reason) == (49, False, "legislation_act_below_minimum")


def test_an_act_at_five_passes() -> None:
    assert score_legislation(counts(15, 15, 5, 5), POLICY).passed


def test_both_marks_failing_reports_the_total() -> None:
    result = score_legislation(counts(10, 10, 5, 4), POLICY)
    assert (result.total, result.reason) == (29, "legislation_total_below_minimum")


def test_the_marks_come_from_the_policy() -> None:
    strict = SelectionPolicy(legislation_pass_total=40, legislation_pass_per_act=6)
    assert score_legislation(counts(15, 15, 5, 5), strict).reason == "legislation_act_below_minimum"
    assert score_legislation(counts(12, 12, 6, 6), strict).reason == "legislation_total_below_minimum"
    assert score_legislation(counts(14, 14, 6, 6), strict).passed


@pytest.mark.parametrize(
    "given_counts",
    [
        counts(16, 10, 10, 10),
        counts(10, 10, 10, 11),
        counts(-1, 10, 10, 10),
        {"constitution": 10, "civil_service": 10, "anti_corruption": 10},
        counts(10, 10, 10, 10) | {"budget_code": 3},
        counts(10, 10, 10, True),
    ],
)
def test_counts_off_the_test_are_refused(given_counts: dict[str, int]) -> None:
    with pytest.raises(InvalidLegislationCountsError) as error:
        score_legislation(given_counts, POLICY)
    assert error.value.code == "invalid_legislation_counts"


def test_refusal_names_every_bad_act() -> None:
    with pytest.raises(InvalidLegislationCountsError, match=r"constitution: must be 0\.\.15; ethics: must be 0\.\.10"):
        score_legislation(counts(16, 10, 10, 11), POLICY)


# vectorised scoring


def sheets_for(per_act: list[tuple[int, int, int, int]], key: np.ndarray) -> np.ndarray:
    """Sheets with the given correct counts per act: the first answers of each act right, the rest wrong."""
    rows = np.tile(key, (len(per_act), 1))
    starts = np.cumsum((0, *SIZES[:-1]))
    for row, correct in enumerate(per_act):
        for start, size, right in zip(starts, SIZES, correct, strict=True):
            rows[row, start + right : start + size] = (key[start + right : start + size] + 1) % 4
    return rows


def test_sheets_at_the_boundaries() -> None:
    key = np.arange(55, dtype=np.uint8) % 4
    cases = [(10, 10, 5, 5), (10, 9, 5, 5), (15, 15, 15, 4), (15, 15, 5, 5), (0, 0, 0, 0), (15, 15, 15, 10)]
    result = score_legislation_sheets(sheets_for(cases, key), key, POLICY)
    assert result.per_act.tolist() == [list(c) for c in cases]
    assert result.total.tolist() == [30, 29, 49, 40, 0, 55]
    assert result.passed.tolist() == [True, False, False, True, False, True]


def test_sheets_agree_with_the_scalar_rule_on_random_sheets() -> None:
    rng = np.random.default_rng(20260302)
    n = 20_000
    key = rng.integers(0, 4, 55, dtype=np.uint8)
    # a per-sheet chance of a right answer spreads the totals across both marks
    skill = rng.uniform(0.2, 1.0, size=(n, 1))
    right = rng.random((n, 55)) < skill
    responses = np.where(right, key, (key + rng.integers(1, 4, (n, 55))) % 4).astype(np.uint8)
    result = score_legislation_sheets(responses, key, POLICY)
    assert result.per_act.shape == (n, 4) and result.total.shape == (n,) and result.passed.shape == (n,)
    assert np.array_equal(result.total, (responses == key).sum(axis=1))
    starts = np.cumsum((0, *SIZES[:-1]))
    for row in range(n):
        scalar = score_legislation(
            {
                act: int((responses[row, s : s + z] == key[s : s + z]).sum())
                for act, s, z in zip(LEGISLATION_ACTS, starts, SIZES, strict=True)
            },
            POLICY,
        )
        assert list(scalar.counts.values()) == result.per_act[row].tolist()
        assert scalar.total == result.total[row]
        assert scalar.passed == result.passed[row]
    # the sample reaches every outcome
    assert 0 < result.passed.sum() < n


@settings(max_examples=60, deadline=None)
@given(
    per_act=st.lists(
        st.tuples(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(0, 10)),
        min_size=1,
        max_size=20,
    ),
    pass_total=st.integers(0, 55),
    pass_per_act=st.integers(0, 10),
)
def test_sheets_use_the_same_marks_as_the_scalar_rule(
    per_act: list[tuple[int, int, int, int]], pass_total: int, pass_per_act: int
) -> None:
    policy = SelectionPolicy(legislation_pass_total=pass_total, legislation_pass_per_act=pass_per_act)
    key = np.arange(55, dtype=np.uint8) % 4
    result = score_legislation_sheets(sheets_for(per_act, key), key, policy)
    assert result.passed.tolist() == [score_legislation(counts(*c), policy).passed for c in per_act]


def test_sheets_span_several_blocks_and_an_empty_batch() -> None:
    key = np.zeros(55, dtype=np.uint8)
    responses = np.zeros((20_001, 55), dtype=np.uint8)
    responses[-1] = 1
    result = score_legislation_sheets(responses, key, POLICY)
    assert result.total[:-1].tolist() == [55] * 20_000 and result.total[-1] == 0
    empty = score_legislation_sheets(np.zeros((0, 55), dtype=np.uint8), key, POLICY)
    assert empty.per_act.shape == (0, 4) and empty.passed.shape == (0,)


@pytest.mark.parametrize(
    ("responses_shape", "key_shape"),
    [((3, 54), (55,)), ((55,), (55,)), ((3, 55), (54,)), ((3, 55), (1, 55))],
)
def test_sheets_of_the_wrong_shape_are_refused(responses_shape: tuple[int, ...], key_shape: tuple[int, ...]) -> None:
    with pytest.raises(InvalidLegislationSheetsError) as error:
        score_legislation_sheets(np.zeros(responses_shape, np.uint8), np.zeros(key_shape, np.uint8), POLICY)
    assert error.value.code == "invalid_legislation_sheets"


# state language


def test_state_language_has_no_pass_mark_by_default() -> None:
    assert state_language_passed(0, POLICY) is None
    assert state_language_passed(20, POLICY) is None


def test_state_language_pass_mark_from_the_policy() -> None:
    policy = SelectionPolicy(state_language_pass_mark=12)
    assert state_language_passed(11, policy) is False
    assert state_language_passed(12, policy) is True


@pytest.mark.parametrize("correct", [-1, 21])
def test_state_language_score_off_the_test_is_refused(correct: int) -> None:
    with pytest.raises(InvalidStateLanguageScoreError):
        state_language_passed(correct, POLICY)
