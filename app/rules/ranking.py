"""Who goes on from a ranked stage, the stage total, and the final ranking with its tie-breaks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.rules.errors import RulesError
from app.rules.policy import EDUCATION_LEVELS, SelectionPolicy

Score = Fraction | int
TieBreak = Literal["experience", "education"]


class InvalidPlacesError(RulesError):
    """A ranked stage was asked for a negative number of places."""

    code = "invalid_places"


class InvalidFinalEntryError(RulesError):
    """A final-ranking entry has an unknown education level or negative experience."""

    code = "invalid_final_entry"


class InvalidStageScoreError(RulesError):
    """A normalised stage score given to the total lies outside its scale."""

    code = "invalid_stage_score"


@dataclass(frozen=True)
class BestWithTies:
    """The outcome of "the best ``places`` go on, and everyone tied with the last place taken".

    ``advanced`` keeps the input order of the scores. ``places`` is the number asked for,
    capped at the number of candidates. ``cutoff_score`` is the score at position ``places``
    in descending order, ``None`` when nobody is taken.
    """

    advanced: tuple[str, ...]
    places: int
    cutoff_score: Score | None


def take_best_with_ties(scores: Mapping[str, Score], places: int) -> BestWithTies:
    """The best ``places`` candidates by score; ties with the last place taken go on too.

    The one rule shared by the reasoning stage (§5) and the interview shortlist (§8).
    """
    if places < 0:
        raise InvalidPlacesError(f"places must be >= 0, got {places}")
    places = min(places, len(scores))
    if places == 0:
        return BestWithTies(advanced=(), places=0, cutoff_score=None)
    cutoff = sorted(scores.values(), reverse=True)[places - 1]
    advanced = tuple(ref for ref, score in scores.items() if score >= cutoff)
    return BestWithTies(advanced=advanced, places=places, cutoff_score=cutoff)


@dataclass(frozen=True)
class FinalEntry:
    """One interviewed candidate as the final ranking sees them (§9)."""

    ref: str
    total: Fraction
    experience_months: int
    education_level: str


@dataclass(frozen=True)
class RankedEntry:
    """A place in the final ranking.

    ``tie_break`` names what decided this place against the candidate just below:
    ``None`` when the totals differ, for the last one, and for a tie that stands.
    """

    ref: str
    rank: int
    total: Fraction
    tie_break: TieBreak | None


def rank_final(entries: Sequence[FinalEntry]) -> tuple[RankedEntry, ...]:
    """Rank by total, then work experience (еңбек өтілі), then education level, all descending.

    Candidates still tied after education share a rank (competition ranking 1, 2, 2, 4)
    and keep their input order.
    """
    for entry in entries:
        if entry.education_level not in EDUCATION_LEVELS:
            raise InvalidFinalEntryError(f"{entry.ref}: unknown education level {entry.education_level!r}")
        if entry.experience_months < 0:
            raise InvalidFinalEntryError(f"{entry.ref}: experience_months must be >= 0")

    def key(entry: FinalEntry) -> tuple[Fraction, int, int]:
        return (entry.total, entry.experience_months, EDUCATION_LEVELS.index(entry.education_level))

    # sorted() is stable, so an unresolved tie keeps the input order.
    ordered = sorted(entries, key=key, reverse=True)
    ranked: list[RankedEntry] = []
    rank = 0
    for position, entry in enumerate(ordered):
        if position == 0 or key(entry) != key(ordered[position - 1]):
            rank = position + 1
        below = ordered[position + 1] if position + 1 < len(ordered) else None
        ranked.append(RankedEntry(ref=entry.ref, rank=rank, total=entry.total, tie_break=_tie_break(entry, below)))
    return tuple(ranked)


def _tie_break(entry: FinalEntry, below: FinalEntry | None) -> TieBreak | None:
    if below is None or entry.total != below.total:
        return None
    if entry.experience_months != below.experience_months:
        return "experience"
    if entry.education_level != below.education_level:
        return "education"
    return None


def top_n(ranked: Sequence[RankedEntry], n: int) -> tuple[str, ...]:
    """Every candidate of rank <= ``n`` (more than ``n`` when a tie stands at the edge)."""
    return tuple(entry.ref for entry in ranked if entry.rank <= n)


def single_winner(ranked: Sequence[RankedEntry]) -> str | None:
    """The one candidate of rank 1, or ``None`` when nobody is ranked or a tie for first stands."""
    first = [entry.ref for entry in ranked if entry.rank == 1]
    return first[0] if len(first) == 1 else None


def candidate_total(
    *,
    personal_qualities_percent: Fraction | Decimal | int | None,
    reasoning_correct: int | None,
    essay: Fraction | None,
    practical: Fraction | None,
    interview: Fraction | None,
    policy: SelectionPolicy,
) -> Fraction:
    """The exact total: the sum over the stages a candidate passed of weight x normalised score.

    ``None`` means the stage does not count (not passed or not taken). Normalisation: PQ
    percent / 100, reasoning correct / all reasoning questions, essay, practical and interview
    aggregated member score / ``member_score_max``.
    """
    total = Fraction(0)
    if personal_qualities_percent is not None:
        percent = Fraction(personal_qualities_percent)
        _check_range("personal_qualities_percent", percent, 0, 100)
        total += Fraction(policy.weight_personal_qualities) * percent / 100
    if reasoning_correct is not None:
        questions = policy.reasoning_questions_total
        _check_range("reasoning_correct", Fraction(reasoning_correct), 0, questions)
        total += Fraction(policy.weight_reasoning) * Fraction(reasoning_correct, questions)
    for name, score, weight in (
        ("essay", essay, policy.weight_essay),
        ("practical", practical, policy.weight_practical),
        ("interview", interview, policy.weight_interview),
    ):
        if score is not None:
            _check_range(name, Fraction(score), policy.member_score_min, policy.member_score_max)
            total += Fraction(weight) * Fraction(score) / policy.member_score_max
    return total


def _check_range(name: str, value: Fraction, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidStageScoreError(f"{name} must be {low}..{high}, got {value}")
