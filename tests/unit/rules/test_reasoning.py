import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.policy import SelectionPolicy
from app.rules.ranking import BestWithTies
from app.rules.reasoning import (
    InvalidReasoningScoreError,
    advance_by_reasoning,
    reasoning_places,
    reasoning_score,
)

UP = SelectionPolicy()
DOWN = SelectionPolicy(reasoning_half_rounding="down")

# text + numeric correct answers of c1..c10; a competition of n candidates takes the first n
DISTINCT = (31, 45, 12, 38, 27, 50, 19, 33, 8, 41)
TIED = (30, 40, 30, 20, 30, 40, 10, 30, 20, 30)


def competition(scores: tuple[int, ...], n: int) -> dict[str, int]:
    return {f"c{i + 1}": score for i, score in enumerate(scores[:n])}


@pytest.mark.parametrize(
    ("n", "up", "down"),
    [(0, 0, 0), (1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 3, 3), (5, 3, 3), (6, 3, 3), (7, 4, 3), (8, 4, 4),
     (9, 5, 4), (10, 5, 5), (11, 6, 5)],
)  # fmt: skip
def test_places_half_but_at_least_three_and_at_most_n(n: int, up: int, down: int) -> None:
    assert reasoning_places(n, UP) == up
    assert reasoning_places(n, DOWN) == down


def test_places_minimum_comes_from_the_policy() -> None:
    assert reasoning_places(6, SelectionPolicy(reasoning_min_places=5)) == 5
    assert reasoning_places(4, SelectionPolicy(reasoning_min_places=5)) == 4


@pytest.mark.parametrize(
    ("n", "places", "cutoff", "advanced"),
    [
        (1, 1, 31, ("c1",)),
        (2, 2, 31, ("c1", "c2")),
        (3, 3, 12, ("c1", "c2", "c3")),
        (4, 3, 31, ("c1", "c2", "c4")),
        (5, 3, 31, ("c1", "c2", "c4")),
        (6, 3, 38, ("c2", "c4", "c6")),
        (7, 4, 31, ("c1", "c2", "c4", "c6")),
        (8, 4, 33, ("c2", "c4", "c6", "c8")),
        (9, 5, 31, ("c1", "c2", "c4", "c6", "c8")),
        (10, 5, 33, ("c2", "c4", "c6", "c8", "c10")),
    ],
)
def test_advancing_without_ties(n: int, places: int, cutoff: int, advanced: tuple[str, ...]) -> None:
    assert advance_by_reasoning(competition(DISTINCT, n), UP) == BestWithTies(advanced, places, cutoff)


@pytest.mark.parametrize(
    ("n", "places", "cutoff", "advanced"),
    [
        (1, 1, 31, ("c1",)),
        (6, 3, 38, ("c2", "c4", "c6")),
        (7, 3, 38, ("c2", "c4", "c6")),
        (9, 4, 33, ("c2", "c4", "c6", "c8")),
    ],
)
def test_advancing_without_ties_rounding_down(n: int, places: int, cutoff: int, advanced: tuple[str, ...]) -> None:
    assert advance_by_reasoning(competition(DISTINCT, n), DOWN) == BestWithTies(advanced, places, cutoff)


@pytest.mark.parametrize(
    ("n", "places", "advanced"),
    [
        (1, 1, ("c1",)),
        (2, 2, ("c1", "c2")),
        (3, 3, ("c1", "c2", "c3")),
        (4, 3, ("c1", "c2", "c3")),
        (5, 3, ("c1", "c2", "c3", "c5")),
        (6, 3, ("c1", "c2", "c3", "c5", "c6")),
        (7, 4, ("c1", "c2", "c3", "c5", "c6")),
        (8, 4, ("c1", "c2", "c3", "c5", "c6", "c8")),
        (9, 5, ("c1", "c2", "c3", "c5", "c6", "c8")),
        (10, 5, ("c1", "c2", "c3", "c5", "c6", "c8", "c10")),
    ],
)
def test_ties_at_the_cutoff_all_go_on(n: int, places: int, advanced: tuple[str, ...]) -> None:
    assert advance_by_reasoning(competition(TIED, n), UP) == BestWithTies(advanced, places, 30)


def test_rounding_decides_an_odd_half() -> None:
    scores = {"a": 50, "b": 40, "c": 40, "d": 30, "e": 30, "f": 20, "g": 10}
    assert advance_by_reasoning(scores, UP) == BestWithTies(("a", "b", "c", "d", "e"), 4, 30)
    assert advance_by_reasoning(scores, DOWN) == BestWithTies(("a", "b", "c"), 3, 40)


def test_all_tied_all_go_on() -> None:
    scores = dict.fromkeys(("a", "b", "c", "d", "e", "f", "g", "h"), 25)
    assert advance_by_reasoning(scores, UP).advanced == ("a", "b", "c", "d", "e", "f", "g", "h")


def test_nobody_entered() -> None:
    assert advance_by_reasoning({}, UP) == BestWithTies((), 0, None)


def test_score_is_text_plus_numeric() -> None:
    assert reasoning_score(18, 20, UP) == 38
    assert reasoning_score(0, 25, UP) == 25


@pytest.mark.parametrize(("text", "numeric"), [(26, 0), (0, 26), (-1, 5)])
def test_block_score_off_the_test_is_refused(text: int, numeric: int) -> None:
    with pytest.raises(InvalidReasoningScoreError) as error:
        reasoning_score(text, numeric, UP)
    assert error.value.code == "invalid_reasoning_score"


@pytest.mark.parametrize("score", [51, -1])
def test_stage_score_off_the_test_is_refused(score: int) -> None:
    with pytest.raises(InvalidReasoningScoreError, match=r"c2: reasoning score must be 0\.\.50"):
        advance_by_reasoning({"c1": 30, "c2": score}, UP)


def test_negative_number_of_candidates_is_refused() -> None:
    with pytest.raises(InvalidReasoningScoreError):
        reasoning_places(-1, UP)


_SCORES = st.dictionaries(st.text("abcdefghij", min_size=1, max_size=2), st.integers(0, 50), max_size=12)


@settings(max_examples=150, deadline=None)
@given(scores=_SCORES, newcomer=st.integers(0, 50), rounding=st.sampled_from(["up", "down"]))
def test_a_weaker_newcomer_never_removes_a_stronger_candidate(
    scores: dict[str, int], newcomer: int, rounding: str
) -> None:
    policy = SelectionPolicy(reasoning_half_rounding=rounding)  # type: ignore[arg-type]
    before = advance_by_reasoning(scores, policy).advanced
    after = advance_by_reasoning(scores | {"newcomer": newcomer}, policy).advanced
    assert {ref for ref in before if scores[ref] > newcomer} <= set(after)


@settings(max_examples=150, deadline=None)
@given(scores=_SCORES, rounding=st.sampled_from(["up", "down"]))
def test_advancing_set_matches_places_and_cutoff(scores: dict[str, int], rounding: str) -> None:
    policy = SelectionPolicy(reasoning_half_rounding=rounding)  # type: ignore[arg-type]
    result = advance_by_reasoning(scores, policy)
    n = len(scores)
    assert result.places == reasoning_places(n, policy)
    assert len(result.advanced) >= result.places
    if n <= policy.reasoning_min_places:
        assert len(result.advanced) == n
    cutoff = result.cutoff_score
    assert set(result.advanced) == {ref for ref, s in scores.items() if cutoff is not None and s >= cutoff}


@settings(max_examples=100, deadline=None)
@given(scores=_SCORES.filter(bool), data=st.data())
def test_raising_an_advancing_score_keeps_the_candidate_in(scores: dict[str, int], data: st.DataObject) -> None:
    result = advance_by_reasoning(scores, UP)
    ref = data.draw(st.sampled_from(result.advanced))
    raised = scores | {ref: data.draw(st.integers(scores[ref], 50))}
    assert ref in advance_by_reasoning(raised, UP).advanced
