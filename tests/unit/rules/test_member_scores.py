from decimal import Decimal
from fractions import Fraction

import pytest

from app.rules.member_scores import (
    InvalidCommissionSizeError,
    InvalidMemberScoresError,
    aggregate_member_scores,
    count_essay_words,
    essay_passed,
    essay_within_word_limit,
    member_scores_passed,
    practical_passed,
    scoring_quorum_reached,
)
from app.rules.policy import SelectionPolicy

MEAN = SelectionPolicy()
MEDIAN = SelectionPolicy(member_score_aggregation="median")


@pytest.mark.parametrize(
    ("scores", "mean", "median"),
    [
        ([4], Fraction(4), Fraction(4)),
        ([4, 3, 4], Fraction(11, 3), Fraction(4)),
        ([1, 3, 5], Fraction(3), Fraction(3)),
        ([1, 2, 5, 5], Fraction(13, 4), Fraction(7, 2)),
        ([5, 1, 1, 5, 2], Fraction(14, 5), Fraction(2)),
    ],
)
def test_aggregate_mean_and_median(scores: list[int], mean: Fraction, median: Fraction) -> None:
    assert aggregate_member_scores(scores, MEAN) == mean
    assert aggregate_member_scores(scores, MEDIAN) == median


@pytest.mark.parametrize(
    ("scores", "passed"),
    [([3, 3, 3], True), ([3, 3, 2], False), ([4, 2], True), ([5, 1, 2], False), ([2, 2, 5], True), ([1], False)],
)
def test_essay_pass_mark_three_of_five(scores: list[int], passed: bool) -> None:
    assert essay_passed(scores, MEAN) is passed


def test_median_can_pass_where_mean_fails() -> None:
    assert not essay_passed([1, 3, 3], MEAN)
    assert essay_passed([1, 3, 3], MEDIAN)


def test_practical_uses_its_own_pass_mark() -> None:
    policy = SelectionPolicy(practical_pass_score=Decimal("3.5"))
    assert not practical_passed([4, 3, 3], policy)
    assert practical_passed([4, 4, 3, 3], policy)
    assert essay_passed([4, 3, 3], policy)


def test_pass_score_is_exact() -> None:
    assert member_scores_passed([4, 3, 3], Decimal("3.333"), MEAN)
    assert not member_scores_passed([4, 3, 3], Decimal("3.334"), MEAN)


@pytest.mark.parametrize("scores", [[], [0, 3], [3, 6], [3, True], [3, 3.5]])
def test_scores_off_the_scale_are_refused(scores: list[int]) -> None:
    with pytest.raises(InvalidMemberScoresError) as error:
        aggregate_member_scores(scores, MEAN)
    assert error.value.code == "invalid_member_scores"


@pytest.mark.parametrize(
    ("scored", "members", "reached"),
    [(2, 3, True), (1, 3, False), (3, 3, True), (2, 4, False), (3, 4, True), (4, 6, True), (3, 6, False),
     (0, 1, False), (5, 7, True), (4, 7, False)],
)  # fmt: skip
def test_quorum_two_thirds_exactly(scored: int, members: int, reached: bool) -> None:
    assert scoring_quorum_reached(scored, members, MEAN) is reached


def test_quorum_share_comes_from_the_policy() -> None:
    half = SelectionPolicy(essay_min_scoring_share=Fraction(1, 2))
    assert scoring_quorum_reached(2, 4, half)
    assert not scoring_quorum_reached(2, 5, half)


@pytest.mark.parametrize(("scored", "members"), [(4, 3), (-1, 3), (0, 0)])
def test_impossible_commission_is_refused(scored: int, members: int) -> None:
    with pytest.raises(InvalidCommissionSizeError) as error:
        scoring_quorum_reached(scored, members, MEAN)
    assert error.value.code == "invalid_commission_size"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("Мемлекеттік қызмет — халыққа қызмет.", 4),
        ("Государственная служба – это служение обществу!", 5),
        ("Civil service is   public service.\nAlways.", 6),
        ("іс-әрекет жоспары 2026 жылға арналған", 5),
        ("... — - ,", 0),
        ("«Әділет» and «Justice»", 3),
        ("e-gov.kz l'état", 2),
    ],
)
def test_essay_words_are_tokens_with_a_letter_or_digit(text: str, words: int) -> None:
    assert count_essay_words(text) == words


def test_essay_word_limit_boundary() -> None:
    assert essay_within_word_limit(" ".join(["сөз"] * 200) + " —", MEAN)
    assert not essay_within_word_limit(" ".join(["сөз"] * 201), MEAN)
    assert essay_within_word_limit(" ".join(["сөз"] * 201), SelectionPolicy(essay_word_limit=201))
