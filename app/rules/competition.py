"""One whole competition (конкурс) run from recorded results, stage by stage, to the final ranking.

The stages and who goes on are those of ``shared/design/replay-format.md``; every rule is
called from the module that owns it (legislation, personal qualities, reasoning, member
scores, interview shortlist, final ranking, calendar). This module only decides who enters
which stage, in what order, and why each candidate left.

Elimination codes (stable; the ``eliminated`` maps of the output use them):

- ``legislation_total_below_minimum``: fewer correct legislation answers over all acts than
  ``legislation_pass_total`` (reported when both legislation marks fail).
- ``legislation_act_below_minimum``: the total is reached, but some act has fewer than
  ``legislation_pass_per_act`` correct.
- ``personal_qualities_below_minimum``: personal-qualities percent below the pass mark.
- ``personal_qualities_unreliable``: the validity scale says the answers are unreliable.
- ``personal_qualities_quality_below_minimum``: a quality below the per-quality pass mark,
  when the policy sets one (the replay input cannot: it holds no per-quality percents).
- ``reasoning_below_cutoff``: not among the best of the reasoning stage.
- ``essay_below_minimum`` / ``practical_below_minimum``: the aggregated member score is below
  the pass mark.
- ``not_shortlisted_for_interview``: not among the best by total before the interview.
- ``not_in_top_n``: interviewed, but ranked below ``final_top_n`` (the ``final`` stage).
- ``proctor_violation``: a proctor confirmed a violation at this stage; the candidate is
  removed before the stage's ranking and does not count in its n.
- ``no_result``: the candidate entered the stage but no result is recorded for it (a
  no-show); at a ranked stage removed before the ranking, like a violation. A shortlisted
  candidate without interview scores leaves the interview with it.

A violation recorded for a stage the candidate never entered, or for the assessment the
competition does not use (``practical`` in a managerial one), has no effect, just as scores
recorded for such a stage are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Final

from app.rules.calendar import AppointmentDeadlines, appointment_deadlines
from app.rules.categories import is_managerial, stage_plan
from app.rules.interview import shortlist_for_interview
from app.rules.legislation import score_legislation
from app.rules.member_scores import aggregate_member_scores, essay_passed, practical_passed
from app.rules.personal_qualities import score_personal_qualities
from app.rules.policy import SelectionPolicy
from app.rules.ranking import FinalEntry, RankedEntry, candidate_total, rank_final, single_winner, top_n
from app.rules.reasoning import advance_by_reasoning, reasoning_score

STAGES: Final[tuple[str, ...]] = (
    "eligibility",
    "personal_qualities",
    "reasoning",
    "essay",
    "practical",
    "interview",
    "final",
)
"""Every stage name a competition can have, in order; a competition uses essay *or* practical."""

VIOLATION_STAGES: Final[tuple[str, ...]] = STAGES[:-1]
"""Stages a proctor watches, so where a violation can be recorded (the final ranking is not one)."""

ELIMINATION_CODES: Final[Mapping[str, str]] = {
    "legislation_total_below_minimum": "too few correct legislation answers over all acts",
    "legislation_act_below_minimum": "too few correct legislation answers in one act",
    "personal_qualities_below_minimum": "personal-qualities percent below the pass mark",
    "personal_qualities_unreliable": "personal-qualities answers failed the validity scale",
    "personal_qualities_quality_below_minimum": "a quality below the per-quality pass mark (when set)",
    "reasoning_below_cutoff": "not among the best of the reasoning stage",
    "essay_below_minimum": "essay member score below the pass mark",
    "practical_below_minimum": "practical-assessment member score below the pass mark",
    "not_shortlisted_for_interview": "not among the best by total before the interview",
    "not_in_top_n": "interviewed but ranked below the best final_top_n",
    "proctor_violation": "a proctor confirmed a violation at this stage",
    "no_result": "entered the stage but has no result recorded for it",
}
"""Every elimination code with its meaning (the table of the module docstring)."""


@dataclass(frozen=True, kw_only=True)
class PersonalQualitiesRecord:
    """The personal-qualities (жеке қасиеттер) result: overall percent and the validity verdict."""

    percent: Fraction
    reliable: bool


@dataclass(frozen=True, kw_only=True)
class ReasoningRecord:
    """Correct answers in the text and the numeric reasoning blocks."""

    text: int
    numeric: int

    @property
    def correct(self) -> int:
        return self.text + self.numeric


@dataclass(frozen=True, kw_only=True)
class CandidateRecord:
    """One candidate's recorded results; ``None`` marks a stage with no result recorded."""

    ref: str
    experience_months: int
    education_level: str
    legislation: Mapping[str, int] | None = None
    legislation_certificate_valid: bool = False
    personal_qualities: PersonalQualitiesRecord | None = None
    reasoning: ReasoningRecord | None = None
    essay: tuple[int, ...] | None = None
    practical: tuple[int, ...] | None = None
    interview: tuple[int, ...] | None = None
    violations: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class CompetitionInput:
    """A competition: position category, managerial flag (derived when ``None``), publication day."""

    category: str
    managerial: bool | None = None
    results_published_on: date | None = None
    candidates: tuple[CandidateRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StageOutcome:
    """Who entered a stage, who went on and why the others left (all in input order).

    ``places`` and ``cutoff_score`` are set for the ranked stages only (reasoning: integer
    correct answers; interview: the exact total before the interview).
    """

    stage: str
    entered: tuple[str, ...]
    advanced: tuple[str, ...]
    eliminated: Mapping[str, str]
    places: int | None = None
    cutoff_score: Fraction | int | None = None


@dataclass(frozen=True, kw_only=True)
class CompetitionOutcome:
    """The whole result: stages, final ranking, the best ``final_top_n``, winner and deadlines.

    ``top`` holds every candidate of rank <= ``final_top_n`` in input order (``ranking`` gives
    their order). ``totals`` are the exact final totals of the interviewed. ``deadlines`` is
    ``None`` when no publication day was given or nobody was interviewed.
    """

    managerial: bool
    stages: tuple[StageOutcome, ...]
    ranking: tuple[RankedEntry, ...]
    top: tuple[str, ...]
    winner: str | None
    unresolved_tie: bool
    deadlines: AppointmentDeadlines | None
    totals: Mapping[str, Fraction] = field(default_factory=dict)


def run_competition(competition: CompetitionInput, policy: SelectionPolicy) -> CompetitionOutcome:
    """Run every stage of the category's plan in order and rank the interviewed candidates.

    Raises ``UnknownCategory`` for an unknown category code; scores outside their scales raise
    the rule modules' own errors (validate input first, as ``app.rules.replay`` does).
    """
    managerial = is_managerial(competition.category, competition.managerial)
    plan = stage_plan(competition.category, managerial)
    by_ref = {candidate.ref: candidate for candidate in competition.candidates}
    run = _Run(by_ref, policy)
    remaining = list(by_ref)
    for stage in plan:
        if stage == "final":
            break
        remaining = run.run_stage(stage, remaining)
    interviewed = remaining

    totals = {ref: run.partial[ref].total(policy) for ref in interviewed}
    ranking = rank_final(
        [
            FinalEntry(
                ref=ref,
                total=totals[ref],
                experience_months=by_ref[ref].experience_months,
                education_level=by_ref[ref].education_level,
            )
            for ref in interviewed
        ]
    )
    # The contract keeps every list in input order; only ``ranking`` is by rank.
    top_set = set(top_n(ranking, policy.final_top_n))
    top = tuple(ref for ref in interviewed if ref in top_set)
    run.stages.append(
        StageOutcome(
            stage="final",
            entered=tuple(interviewed),
            advanced=top,
            eliminated={ref: "not_in_top_n" for ref in interviewed if ref not in top_set},
        )
    )
    winner = single_winner(ranking)
    deadlines = None
    if competition.results_published_on is not None and interviewed:
        deadlines = appointment_deadlines(
            competition.results_published_on, single_candidate=len(interviewed) == 1, policy=policy
        )
    return CompetitionOutcome(
        managerial=managerial,
        stages=tuple(run.stages),
        ranking=ranking,
        top=top,
        winner=winner,
        unresolved_tie=winner is None and bool(ranking),
        deadlines=deadlines,
        totals=totals,
    )


@dataclass
class _PartialTotal:
    """The normalised scores of the stages a candidate passed, summed by ``candidate_total``."""

    personal_qualities_percent: Fraction | None = None
    reasoning_correct: int | None = None
    essay: Fraction | None = None
    practical: Fraction | None = None
    interview: Fraction | None = None

    def total(self, policy: SelectionPolicy) -> Fraction:
        return candidate_total(
            personal_qualities_percent=self.personal_qualities_percent,
            reasoning_correct=self.reasoning_correct,
            essay=self.essay,
            practical=self.practical,
            interview=self.interview,
            policy=policy,
        )


class _Run:
    """One competition in progress: the stage outcomes so far and each candidate's passed scores.

    Every list keeps the input order of the candidates.
    """

    def __init__(self, by_ref: Mapping[str, CandidateRecord], policy: SelectionPolicy) -> None:
        self.by_ref = by_ref
        self.policy = policy
        self.stages: list[StageOutcome] = []
        self.partial: dict[str, _PartialTotal] = {ref: _PartialTotal() for ref in by_ref}

    def run_stage(self, stage: str, entered: list[str]) -> list[str]:
        if stage == "reasoning":
            return self._reasoning(entered)
        if stage == "interview":
            return self._interview(entered)
        judges: dict[str, Callable[[CandidateRecord], str | None]] = {
            "eligibility": self._eligibility,
            "personal_qualities": self._personal_qualities,
            "essay": self._essay,
            "practical": self._practical,
        }
        return self._pass_fail(stage, entered, judges[stage])

    def _pass_fail(self, stage: str, entered: list[str], judge: Callable[[CandidateRecord], str | None]) -> list[str]:
        """A stage with a pass mark: ``judge`` returns ``None`` to pass, else an elimination code."""
        eliminated: dict[str, str] = {}
        for ref in entered:
            candidate = self.by_ref[ref]
            code = "proctor_violation" if stage in candidate.violations else judge(candidate)
            if code is not None:
                eliminated[ref] = code
        advanced = [ref for ref in entered if ref not in eliminated]
        self.stages.append(
            StageOutcome(stage=stage, entered=tuple(entered), advanced=tuple(advanced), eliminated=eliminated)
        )
        return advanced

    def _eligibility(self, candidate: CandidateRecord) -> str | None:
        if candidate.legislation_certificate_valid:
            return None
        if candidate.legislation is None:
            return "no_result"
        return score_legislation(candidate.legislation, self.policy).reason

    def _personal_qualities(self, candidate: CandidateRecord) -> str | None:
        record = candidate.personal_qualities
        if record is None:
            return "no_result"
        result = score_personal_qualities(record.percent, record.reliable, self.policy)
        if result.passed:
            self.partial[candidate.ref].personal_qualities_percent = record.percent
        return result.reason

    def _essay(self, candidate: CandidateRecord) -> str | None:
        """The essay (эссе) of managerial positions."""
        if candidate.essay is None:
            return "no_result"
        if not essay_passed(candidate.essay, self.policy):
            return "essay_below_minimum"
        self.partial[candidate.ref].essay = aggregate_member_scores(candidate.essay, self.policy)
        return None

    def _practical(self, candidate: CandidateRecord) -> str | None:
        """The practical assessment (практикалық тапсырма) of non-managerial positions."""
        if candidate.practical is None:
            return "no_result"
        if not practical_passed(candidate.practical, self.policy):
            return "practical_below_minimum"
        self.partial[candidate.ref].practical = aggregate_member_scores(candidate.practical, self.policy)
        return None

    def _violators(self, stage: str, entered: list[str]) -> dict[str, str]:
        return {ref: "proctor_violation" for ref in entered if stage in self.by_ref[ref].violations}

    def _reasoning(self, entered: list[str]) -> list[str]:
        """Ranked: violators and candidates without a result are out before it and do not count in n."""
        removed = self._violators("reasoning", entered)
        correct: dict[str, int] = {}
        for ref in entered:
            record = self.by_ref[ref].reasoning
            if ref in removed:
                continue
            if record is None:
                removed[ref] = "no_result"
            else:
                correct[ref] = reasoning_score(record.text, record.numeric, self.policy)
        best = advance_by_reasoning(correct, self.policy)
        advanced = set(best.advanced)
        for ref in best.advanced:
            self.partial[ref].reasoning_correct = correct[ref]
        self.stages.append(
            StageOutcome(
                stage="reasoning",
                entered=tuple(entered),
                advanced=best.advanced,
                eliminated={ref: removed.get(ref, "reasoning_below_cutoff") for ref in entered if ref not in advanced},
                places=best.places,
                cutoff_score=best.cutoff_score,
            )
        )
        return list(best.advanced)

    def _interview(self, entered: list[str]) -> list[str]:
        """Shortlist by the total so far, then score the interview (сұхбат); it has no pass mark.

        A shortlisted candidate without interview scores leaves with ``no_result``; the
        shortlist is not refilled, as the protocol of a real competition would not be.
        """
        removed = self._violators("interview", entered)
        shortlist = shortlist_for_interview(
            {ref: self.partial[ref].total(self.policy) for ref in entered if ref not in removed}, self.policy
        )
        shortlisted = set(shortlist.advanced)
        eliminated: dict[str, str] = {}
        for ref in entered:
            scores = self.by_ref[ref].interview
            if ref in removed:
                eliminated[ref] = removed[ref]
            elif ref not in shortlisted:
                eliminated[ref] = "not_shortlisted_for_interview"
            elif scores is None:
                eliminated[ref] = "no_result"
            else:
                self.partial[ref].interview = aggregate_member_scores(scores, self.policy)
        interviewed = [ref for ref in entered if ref not in eliminated]
        self.stages.append(
            StageOutcome(
                stage="interview",
                entered=tuple(entered),
                advanced=tuple(interviewed),
                eliminated=eliminated,
                places=shortlist.places,
                cutoff_score=shortlist.cutoff_score,
            )
        )
        return interviewed


def outcome_to_json(outcome: CompetitionOutcome) -> dict[str, object]:
    """The replay output of the contract: JSON-ready values, totals rounded to 4 decimals.

    Every list is in input order (``top3`` too); ``ranking`` is by rank.

    ``deadlines`` is ``null`` when there is nothing to appoint or no publication day; the
    interview ``cutoff_score`` (a total) is rounded like the totals; ``unresolved_tie`` is
    present, and ``true``, only when a tie for first place leaves ``winner`` null.
    """
    stages: list[dict[str, object]] = []
    for stage in outcome.stages:
        item: dict[str, object] = {
            "stage": stage.stage,
            "entered": list(stage.entered),
            "advanced": list(stage.advanced),
            "eliminated": dict(stage.eliminated),
        }
        if stage.places is not None:
            item["places"] = stage.places
            cutoff = stage.cutoff_score
            item["cutoff_score"] = cutoff if cutoff is None or isinstance(cutoff, int) else round_total(cutoff)
        stages.append(item)
    document: dict[str, object] = {
        "stages": stages,
        "ranking": [
            {
                "ref": entry.ref,
                "rank": entry.rank,
                "total": round_total(entry.total),
                "tie_break": entry.tie_break,
            }
            for entry in outcome.ranking
        ],
        "top3": list(outcome.top),
        "winner": outcome.winner,
    }
    if outcome.unresolved_tie:
        document["unresolved_tie"] = True
    document["deadlines"] = (
        None
        if outcome.deadlines is None
        else {
            "appointment_from": outcome.deadlines.appointment_from.isoformat(),
            "appointment_until": outcome.deadlines.appointment_until.isoformat(),
            "documents_due": outcome.deadlines.documents_due.isoformat(),
        }
    )
    return document


def round_total(value: Fraction) -> float:
    """``value`` rounded half up to 4 decimals from the exact fraction, as a JSON number."""
    scaled = value * 10_000
    # Half up on the magnitude, so -x rounds as the mirror of x.
    magnitude = (2 * abs(scaled.numerator) + scaled.denominator) // (2 * scaled.denominator)
    rounded = magnitude if scaled >= 0 else -magnitude
    return rounded / 10_000
