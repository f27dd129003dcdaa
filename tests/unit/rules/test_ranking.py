from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.policy import EDUCATION_LEVELS, SelectionPolicy
from app.rules.ranking import (
    BestWithTies,
    FinalEntry,
    InvalidFinalEntryError,
    InvalidPlacesError,
    InvalidStageScoreError,
    RankedEntry,
    candidate_total,
    rank_final,
    single_winner,
    take_best_with_ties,
    top_n,
)

POLICY = SelectionPolicy()


def entry(ref: str, total: Fraction | int, experience: int = 60, education: str = "bachelor") -> FinalEntry:
    return FinalEntry(ref=ref, total=Fraction(total), experience_months=experience, education_level=education)


# take_best_with_ties


def test_best_with_ties_takes_the_best_in_input_order() -> None:
    result = take_best_with_ties({"a": 10, "b": 30, "c": 20, "d": 5}, 2)
    assert result == BestWithTies(advanced=("b", "c"), places=2, cutoff_score=20)


def test_best_with_ties_takes_everyone_tied_with_the_last_place() -> None:
    result = take_best_with_ties({"a": 20, "b": 30, "c": 20, "d": 20, "e": 5}, 2)
    assert result == BestWithTies(advanced=("a", "b", "c", "d"), places=2, cutoff_score=20)


def test_best_with_ties_tie_above_the_cutoff_does_not_add_places() -> None:
    result = take_best_with_ties({"a": 30, "b": 30, "c": 20, "d": 10}, 3)
    assert result == BestWithTies(advanced=("a", "b", "c"), places=3, cutoff_score=20)


def test_best_with_ties_with_no_places_or_no_scores_takes_nobody() -> None:
    assert take_best_with_ties({"a": 1}, 0) == BestWithTies(advanced=(), places=0, cutoff_score=None)
    assert take_best_with_ties({}, 3) == BestWithTies(advanced=(), places=0, cutoff_score=None)


def test_best_with_ties_caps_places_at_the_number_of_candidates() -> None:
    result = take_best_with_ties({"a": 4, "b": 7}, 3)
    assert result == BestWithTies(advanced=("a", "b"), places=2, cutoff_score=4)


def test_best_with_ties_compares_fractions_exactly() -> None:
    scores = {"a": Fraction(1, 3) + Fraction(1, 6), "b": Fraction(1, 2), "c": Fraction(499, 1000)}
    assert take_best_with_ties(scores, 1).advanced == ("a", "b")


def test_best_with_ties_refuses_negative_places() -> None:
    with pytest.raises(InvalidPlacesError) as error:
        take_best_with_ties({"a": 1}, -1)
    assert error.value.code == "invalid_places"


@settings(max_examples=150, deadline=None)
@given(
    scores=st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 10), max_size=12),
    places=st.integers(0, 14),
)
def test_best_with_ties_is_consistent_with_its_cutoff(scores: dict[str, int], places: int) -> None:
    result = take_best_with_ties(scores, places)
    assert result.places == min(places, len(scores))
    if result.places == 0:
        assert result.advanced == () and result.cutoff_score is None
        return
    assert result.cutoff_score == sorted(scores.values(), reverse=True)[result.places - 1]
    assert result.advanced == tuple(ref for ref, score in scores.items() if score >= result.cutoff_score)
    assert len(result.advanced) >= result.places
    # nobody left out scores above anyone taken
    left_out = [scores[ref] for ref in scores if ref not in result.advanced]
    assert all(score < min(scores[ref] for ref in result.advanced) for score in left_out)


# rank_final


def test_rank_final_orders_by_total() -> None:
    ranked = rank_final([entry("a", 2), entry("b", 3), entry("c", 1)])
    assert ranked == (
        RankedEntry("b", 1, Fraction(3), None),
        RankedEntry("a", 2, Fraction(2), None),
        RankedEntry("c", 3, Fraction(1), None),
    )
    assert single_winner(ranked) == "b"


def test_rank_final_experience_decides_an_equal_total() -> None:
    ranked = rank_final([entry("a", 3, experience=60), entry("b", 3, experience=61), entry("c", 2)])
    assert [(r.ref, r.rank, r.tie_break) for r in ranked] == [
        ("b", 1, "experience"),
        ("a", 2, None),
        ("c", 3, None),
    ]
    assert single_winner(ranked) == "b"


def test_rank_final_education_decides_equal_total_and_experience() -> None:
    ranked = rank_final(
        [
            entry("a", 3, experience=60, education="bachelor"),
            entry("b", 3, experience=60, education="master"),
            entry("c", 3, experience=59, education="doctorate"),
        ]
    )
    assert [(r.ref, r.rank, r.tie_break) for r in ranked] == [
        ("b", 1, "education"),
        ("a", 2, "experience"),
        ("c", 3, None),
    ]


def test_rank_final_unresolved_tie_shares_a_rank() -> None:
    ranked = rank_final(
        [
            entry("d", 1),
            entry("b", 2, experience=60, education="master"),
            entry("a", 3),
            entry("c", 2, experience=60, education="master"),
        ]
    )
    assert [(r.ref, r.rank, r.tie_break) for r in ranked] == [
        ("a", 1, None),
        ("b", 2, None),
        ("c", 2, None),
        ("d", 4, None),
    ]
    assert top_n(ranked, 2) == ("a", "b", "c")
    assert top_n(ranked, 3) == ("a", "b", "c")
    assert single_winner(ranked) == "a"


def test_rank_final_unresolved_tie_for_first_has_no_winner() -> None:
    ranked = rank_final([entry("a", 3), entry("b", 3), entry("c", 2), entry("d", 1)])
    assert [(r.ref, r.rank) for r in ranked] == [("a", 1), ("b", 1), ("c", 3), ("d", 4)]
    assert single_winner(ranked) is None
    assert top_n(ranked, 1) == ("a", "b")


def test_rank_final_of_nobody() -> None:
    assert rank_final([]) == ()
    assert single_winner(()) is None
    assert top_n((), 3) == ()


def test_rank_final_refuses_unknown_education_and_negative_experience() -> None:
    with pytest.raises(InvalidFinalEntryError):
        rank_final([entry("a", 1, education="phd")])
    with pytest.raises(InvalidFinalEntryError) as error:
        rank_final([entry("a", 1, experience=-1)])
    assert error.value.code == "invalid_final_entry"


_ENTRY_FIELDS = st.tuples(st.integers(0, 6), st.integers(0, 3), st.sampled_from(EDUCATION_LEVELS))


@settings(max_examples=150, deadline=None)
@given(
    fields=st.lists(_ENTRY_FIELDS, min_size=1, max_size=8),
    who=st.integers(0, 7),
    raise_by=st.integers(1, 3),
)
def test_raising_a_total_never_lowers_the_rank(fields: list[tuple[int, int, str]], who: int, raise_by: int) -> None:
    entries = [entry(f"c{i}", Fraction(t, 2), e, ed) for i, (t, e, ed) in enumerate(fields)]
    target = entries[who % len(entries)]
    before = {r.ref: r.rank for r in rank_final(entries)}
    raised = [replace(e, total=e.total + Fraction(raise_by, 4)) if e is target else e for e in entries]
    after = {r.ref: r.rank for r in rank_final(raised)}
    assert after[target.ref] <= before[target.ref]


@settings(max_examples=100, deadline=None)
@given(fields=st.lists(_ENTRY_FIELDS, min_size=1, max_size=8))
def test_ranks_are_competition_ranks(fields: list[tuple[int, int, str]]) -> None:
    ranked = rank_final([entry(f"c{i}", t, e, ed) for i, (t, e, ed) in enumerate(fields)])
    for position, r in enumerate(ranked):
        assert r.rank == 1 + sum(1 for other in ranked if other.rank < r.rank)
        assert r.rank <= position + 1


# candidate_total


def test_total_sums_the_normalised_stages_exactly() -> None:
    total = candidate_total(
        personal_qualities_percent=Decimal("62.5"),
        reasoning_correct=38,
        essay=Fraction(11, 3),
        practical=None,
        interview=Fraction(13, 3),
        policy=POLICY,
    )
    assert total == Fraction(625, 1000) + Fraction(38, 50) + Fraction(11, 15) + Fraction(13, 15)


def test_total_counts_only_the_stages_given() -> None:
    total = candidate_total(
        personal_qualities_percent=None,
        reasoning_correct=None,
        essay=None,
        practical=Fraction(4),
        interview=None,
        policy=POLICY,
    )
    assert total == Fraction(4, 5)


def test_total_applies_the_policy_weights() -> None:
    policy = SelectionPolicy(weight_personal_qualities=Decimal("0.5"), weight_interview=Decimal(2))
    total = candidate_total(
        personal_qualities_percent=80,
        reasoning_correct=25,
        essay=None,
        practical=None,
        interview=Fraction(5),
        policy=policy,
    )
    assert total == Fraction(2, 5) + Fraction(1, 2) + Fraction(2)


def test_totals_equal_in_exact_arithmetic_are_a_tie_though_floats_differ() -> None:
    def as_float(percent: str, reasoning: int, interview: float) -> float:
        return float(percent) / 100 + reasoning / 50 + interview / 5

    assert as_float("60.1", 32, 4.0) != as_float("64.1", 30, 4.0)
    a = candidate_total(
        personal_qualities_percent=Fraction("60.1"),
        reasoning_correct=32,
        essay=None,
        practical=None,
        interview=Fraction(4),
        policy=POLICY,
    )
    b = candidate_total(
        personal_qualities_percent=Fraction("64.1"),
        reasoning_correct=30,
        essay=None,
        practical=None,
        interview=Fraction(4),
        policy=POLICY,
    )
    assert a == b == Fraction(2041, 1000)
    ranked = rank_final([entry("a", a, experience=10), entry("b", b, experience=20)])
    assert [(r.ref, r.rank, r.tie_break) for r in ranked] == [("b", 1, "experience"), ("a", 2, None)]


@pytest.mark.parametrize(
    "stage",
    [
        {"personal_qualities_percent": Fraction(1001, 10)},
        {"personal_qualities_percent": -1},
        {"reasoning_correct": 51},
        {"essay": Fraction(0)},
        {"interview": Fraction(6)},
    ],
)
def test_total_refuses_scores_off_their_scale(stage: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "personal_qualities_percent": None,
        "reasoning_correct": None,
        "essay": None,
        "practical": None,
        "interview": None,
    } | stage
    with pytest.raises(InvalidStageScoreError):
        candidate_total(**arguments, policy=POLICY)  # type: ignore[arg-type]
