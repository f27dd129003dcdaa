from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.interview import shortlist_for_interview
from app.rules.policy import SelectionPolicy
from app.rules.ranking import BestWithTies

POLICY = SelectionPolicy()


def totals(**values: Fraction | int) -> dict[str, Fraction]:
    return {ref: Fraction(value) for ref, value in values.items()}


def test_the_three_best_go_on() -> None:
    result = shortlist_for_interview(totals(a=2, b=3, c=1, d=4, e=Fraction(5, 2)), POLICY)
    assert result == BestWithTies(advanced=("b", "d", "e"), places=3, cutoff_score=Fraction(5, 2))


def test_a_tie_with_third_place_raises_the_number() -> None:
    result = shortlist_for_interview(totals(a=3, b=2, c=4, d=2, e=1), POLICY)
    assert result == BestWithTies(advanced=("a", "b", "c", "d"), places=3, cutoff_score=Fraction(2))


def test_a_tie_above_third_place_does_not_raise_the_number() -> None:
    result = shortlist_for_interview(totals(a=4, b=4, c=3, d=2), POLICY)
    assert result.advanced == ("a", "b", "c")


def test_fewer_candidates_than_places_all_go_on() -> None:
    result = shortlist_for_interview(totals(a=1, b=2), POLICY)
    assert result == BestWithTies(advanced=("a", "b"), places=2, cutoff_score=Fraction(1))
    assert shortlist_for_interview({}, POLICY) == BestWithTies(advanced=(), places=0, cutoff_score=None)


def test_places_come_from_the_policy() -> None:
    result = shortlist_for_interview(totals(a=3, b=2, c=4, d=1), SelectionPolicy(interview_places=2))
    assert result.advanced == ("a", "c")


def test_exact_totals_tie_at_the_cutoff() -> None:
    # 0.1 + 0.2 is a tie with 0.3 in exact arithmetic, not in binary floating point
    assert 0.1 + 0.2 != 0.3
    tied = Fraction(Decimal("0.1")) + Fraction(Decimal("0.2"))
    result = shortlist_for_interview({"a": Fraction(1), "b": Fraction(2), "c": tied, "d": Fraction(3, 10)}, POLICY)
    assert result.advanced == ("a", "b", "c", "d")


_TOTALS = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=2), st.fractions(0, 5, max_denominator=12), max_size=10
)


@settings(max_examples=150, deadline=None)
@given(scores=_TOTALS, newcomer=st.fractions(0, 5, max_denominator=12), places=st.integers(1, 5))
def test_a_weaker_newcomer_never_removes_a_stronger_candidate(
    scores: dict[str, Fraction], newcomer: Fraction, places: int
) -> None:
    policy = SelectionPolicy(interview_places=places)
    before = shortlist_for_interview(scores, policy).advanced
    after = shortlist_for_interview(scores | {"newcomer": newcomer}, policy).advanced
    assert {ref for ref in before if scores[ref] > newcomer} <= set(after)


@settings(max_examples=150, deadline=None)
@given(scores=_TOTALS)
def test_shortlist_is_everyone_at_or_above_the_cutoff(scores: dict[str, Fraction]) -> None:
    result = shortlist_for_interview(scores, POLICY)
    assert result.places == min(3, len(scores))
    assert len(result.advanced) >= result.places
    cutoff = result.cutoff_score
    assert set(result.advanced) == {ref for ref, s in scores.items() if cutoff is not None and s >= cutoff}
    # at most places - 1 candidates score strictly above the cutoff
    assert cutoff is None or sum(1 for s in scores.values() if s > cutoff) < result.places
