"""Text and numeric reasoning (§5): how many places there are and who takes them."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules.errors import RulesError
from app.rules.policy import SelectionPolicy
from app.rules.ranking import BestWithTies, take_best_with_ties


class InvalidReasoningScoreError(RulesError):
    """A reasoning score outside its block's range, or a negative number of candidates."""

    code = "invalid_reasoning_score"


def reasoning_score(text: int, numeric: int, policy: SelectionPolicy) -> int:
    """The ranked score: correct text answers plus correct numeric answers."""
    for name, correct, questions in (
        ("text", text, policy.reasoning_text_questions),
        ("numeric", numeric, policy.reasoning_numeric_questions),
    ):
        if isinstance(correct, bool) or not 0 <= correct <= questions:
            raise InvalidReasoningScoreError(f"{name}: must be 0..{questions}")
    return text + numeric


def reasoning_places(n: int, policy: SelectionPolicy) -> int:
    """Places for ``n`` candidates: half (rounded as the policy says), at least the minimum, at most n."""
    if n < 0:
        raise InvalidReasoningScoreError(f"number of candidates must be >= 0, got {n}")
    half = -(-n // 2) if policy.reasoning_half_rounding == "up" else n // 2
    return min(max(half, policy.reasoning_min_places), n)


def advance_by_reasoning(scores: Mapping[str, int], policy: SelectionPolicy) -> BestWithTies:
    """Who goes on from reasoning: the best ``reasoning_places(n)``, and all tied with the last of them.

    ``scores`` are text + numeric correct answers of the candidates who entered the stage
    (candidates removed for a violation are not in it and do not count in n).
    """
    questions = policy.reasoning_questions_total
    for ref, score in scores.items():
        if isinstance(score, bool) or not 0 <= score <= questions:
            raise InvalidReasoningScoreError(f"{ref}: reasoning score must be 0..{questions}")
    return take_best_with_ties(scores, reasoning_places(len(scores), policy))
