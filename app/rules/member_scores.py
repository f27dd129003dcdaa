"""The scoring rules of the stages the commission members score: the essay (эссе, §6), the practical
assessment (§7) and the interview (сұхбат, §8).

Members' scores on the policy's scale are combined (mean or median), compared with the essay's and the
practical assessment's pass marks (the interview has none), and a stage closes only once the scoring
quorum of the commission has scored; the essay's word count and limit are here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from app.rules.errors import RulesError
from app.rules.policy import SelectionPolicy


class InvalidMemberScoresError(RulesError):
    """No scores, or a member's score outside the policy's scale."""

    code = "invalid_member_scores"


class InvalidCommissionSizeError(RulesError):
    """A commission with no members, or more members scoring than sit on it."""

    code = "invalid_commission_size"


def aggregate_member_scores(scores: Sequence[int], policy: SelectionPolicy) -> Fraction:
    """The members' scores combined as the policy says: their exact mean (default) or median."""
    if not scores:
        raise InvalidMemberScoresError("at least one member's score is needed")
    low, high = policy.member_score_min, policy.member_score_max
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
            raise InvalidMemberScoresError(f"each member's score must be an integer {low}..{high}, got {score!r}")
    if policy.member_score_aggregation == "median":
        ordered = sorted(scores)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return Fraction(ordered[middle])
        return Fraction(ordered[middle - 1] + ordered[middle], 2)
    return Fraction(sum(scores), len(scores))


def member_scores_passed(scores: Sequence[int], pass_score: Decimal, policy: SelectionPolicy) -> bool:
    """Whether the combined score reaches ``pass_score``."""
    return aggregate_member_scores(scores, policy) >= Fraction(pass_score)


def essay_passed(scores: Sequence[int], policy: SelectionPolicy) -> bool:
    """Whether the essay's combined score reaches ``essay_pass_score`` (3 of 5 by default)."""
    return member_scores_passed(scores, policy.essay_pass_score, policy)


def practical_passed(scores: Sequence[int], policy: SelectionPolicy) -> bool:
    """Whether the practical assessment's combined score reaches ``practical_pass_score``."""
    return member_scores_passed(scores, policy.practical_pass_score, policy)


def scoring_quorum_reached(scored: int, members: int, policy: SelectionPolicy) -> bool:
    """Whether at least ``essay_min_scoring_share`` of the commission scored, compared exactly."""
    if members <= 0 or not 0 <= scored <= members:
        raise InvalidCommissionSizeError(f"need 0 <= scored <= members and members > 0, got {scored} of {members}")
    return Fraction(scored, members) >= policy.essay_min_scoring_share


def count_essay_words(text: str) -> int:
    """Words in an essay: whitespace-separated tokens holding at least one letter or digit.

    Any script counts (Kazakh, Russian, Latin); a hyphenated or apostrophed token is one word;
    a token of punctuation only (a dash, an ellipsis) is none.
    """
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def essay_within_word_limit(text: str, policy: SelectionPolicy) -> bool:
    """Whether the essay keeps to ``essay_word_limit`` words (200 by default)."""
    return count_essay_words(text) <= policy.essay_word_limit
