"""The knowledge tests (§2): the legislation pass marks, one sheet at a time or a million at once.

The legislation test (заңнаманы білуге тестілеу) covers four acts; a candidate passes with
at least ``legislation_pass_total`` correct over all acts and at least
``legislation_pass_per_act`` in each act. The state-language test (мемлекеттік тіл) has no
pass mark by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
from numpy.typing import NDArray

from app.rules.errors import RulesError
from app.rules.policy import LEGISLATION_ACTS, SelectionPolicy

LegislationReason = Literal["legislation_total_below_minimum", "legislation_act_below_minimum"]

# Rows per block in the vectorised scorer: small enough that the comparison and the
# float32 copy of a block stay in the CPU cache, large enough to amortise the per-block calls.
_SHEET_BLOCK_ROWS = 8192


class InvalidLegislationCountsError(RulesError):
    """Per-act counts are missing, unknown or outside 0..questions of the act."""

    code = "invalid_legislation_counts"


class InvalidLegislationSheetsError(RulesError):
    """Answer sheets or the key do not have the shape the policy's test has."""

    code = "invalid_legislation_sheets"


class InvalidStateLanguageScoreError(RulesError):
    """A state-language score outside 0..questions."""

    code = "invalid_state_language_score"


@dataclass(frozen=True)
class LegislationResult:
    """One candidate's legislation test.

    ``reason`` is ``None`` when passed. When both marks fail, the total is reported
    (``legislation_total_below_minimum``): it is the first mark of the seeds' table.
    """

    counts: Mapping[str, int]
    total: int
    passed: bool
    reason: LegislationReason | None


@dataclass(frozen=True)
class LegislationSheets:
    """Many candidates' legislation tests: ``per_act`` (n, acts) in ``LEGISLATION_ACTS`` order."""

    per_act: NDArray[np.int32]
    total: NDArray[np.int32]
    passed: NDArray[np.bool_]


@overload
def legislation_marks_met(total: int, weakest_act: int, policy: SelectionPolicy) -> tuple[bool, bool]: ...


@overload
def legislation_marks_met(
    total: NDArray[np.integer], weakest_act: NDArray[np.integer], policy: SelectionPolicy
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]: ...


def legislation_marks_met(
    total: int | NDArray[np.integer], weakest_act: int | NDArray[np.integer], policy: SelectionPolicy
) -> tuple[bool | NDArray[np.bool_], bool | NDArray[np.bool_]]:
    """Whether the total mark and the per-act mark are met, for one candidate or an array of them.

    The single place the legislation thresholds are compared: ``score_legislation`` and
    ``score_legislation_sheets`` both call it.
    """
    return total >= policy.legislation_pass_total, weakest_act >= policy.legislation_pass_per_act


def score_legislation(counts: Mapping[str, int], policy: SelectionPolicy) -> LegislationResult:
    """Score one candidate from the number of correct answers per act."""
    questions = policy.legislation_questions
    problems = [f"{act}: missing" for act in LEGISLATION_ACTS if act not in counts]
    problems += [f"{act}: unknown act" for act in counts if act not in questions]
    for act, count in counts.items():
        if act in questions and (isinstance(count, bool) or not 0 <= count <= questions[act]):
            problems.append(f"{act}: must be 0..{questions[act]}")
    if problems:
        raise InvalidLegislationCountsError("; ".join(problems))
    ordered = {act: int(counts[act]) for act in LEGISLATION_ACTS}
    total = sum(ordered.values())
    total_met, acts_met = legislation_marks_met(total, min(ordered.values()), policy)
    reason: LegislationReason | None = None
    if not total_met:
        reason = "legislation_total_below_minimum"
    elif not acts_met:
        reason = "legislation_act_below_minimum"
    return LegislationResult(counts=ordered, total=total, passed=reason is None, reason=reason)


def act_indicator(policy: SelectionPolicy) -> NDArray[np.float32]:
    """A (questions, acts + 1) 0/1 matrix: column ``a`` marks the questions of act ``a``, the last all."""
    sizes = [policy.legislation_questions[act] for act in LEGISLATION_ACTS]
    indicator = np.zeros((sum(sizes), len(sizes) + 1), dtype=np.float32)
    start = 0
    for column, size in enumerate(sizes):
        indicator[start : start + size, column] = 1
        start += size
    indicator[:, -1] = 1
    return indicator


def score_legislation_sheets(
    responses: NDArray[np.integer], key: NDArray[np.integer], policy: SelectionPolicy
) -> LegislationSheets:
    """Score many answer sheets against one key with the same marks as ``score_legislation``.

    ``responses`` is (n, questions) small integers, questions in the order of the acts of
    ``LEGISLATION_ACTS`` with the sizes of the policy; ``key`` is (questions,). An answer counts
    when it equals the key, so a blank is any code the key never holds.
    """
    questions = policy.legislation_questions_total
    if responses.ndim != 2 or responses.shape[1] != questions:
        raise InvalidLegislationSheetsError(f"responses must be (n, {questions}), got {responses.shape}")
    if key.shape != (questions,):
        raise InvalidLegislationSheetsError(f"key must be ({questions},), got {key.shape}")
    n = responses.shape[0]
    acts = len(LEGISLATION_ACTS)
    indicator = act_indicator(policy)
    counts = np.empty((n, acts + 1), dtype=np.int32)
    block = min(_SHEET_BLOCK_ROWS, max(n, 1))
    correct = np.empty((block, questions), dtype=np.bool_)
    correct_f32 = np.empty((block, questions), dtype=np.float32)
    # One comparison, then a float32 matrix product with the act indicator (BLAS) gives the
    # per-act counts and the total in one pass; float32 is exact for counts below 2**24.
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = stop - start
        np.equal(responses[start:stop], key, out=correct[:rows])
        correct_f32[:rows] = correct[:rows]
        np.matmul(correct_f32[:rows], indicator, out=counts[start:stop], casting="unsafe")
    per_act = counts[:, :acts]
    total = counts[:, acts]
    # Column-wise minimum: a reduction along the short rows is several times slower.
    weakest_act = per_act[:, 0].copy()
    for column in range(1, acts):
        np.minimum(weakest_act, per_act[:, column], out=weakest_act)
    total_met, acts_met = legislation_marks_met(total, weakest_act, policy)
    return LegislationSheets(per_act=per_act, total=total, passed=total_met & acts_met)


def state_language_passed(correct: int, policy: SelectionPolicy) -> bool | None:
    """Whether the state-language test is passed; ``None`` when the policy sets no pass mark."""
    if isinstance(correct, bool) or not 0 <= correct <= policy.state_language_questions:
        raise InvalidStateLanguageScoreError(
            f"state language correct answers must be 0..{policy.state_language_questions}"
        )
    if policy.state_language_pass_mark is None:
        return None
    return correct >= policy.state_language_pass_mark
