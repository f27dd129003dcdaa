"""A whole competition, stage by stage, through ``run_competition`` and ``outcome_to_json``."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.categories import UnknownCategory
from app.rules.competition import (
    ELIMINATION_CODES,
    CandidateRecord,
    CompetitionInput,
    CompetitionOutcome,
    PersonalQualitiesRecord,
    ReasoningRecord,
    StageOutcome,
    outcome_to_json,
    round_total,
    run_competition,
)
from app.rules.policy import SelectionPolicy

POLICY = SelectionPolicy()


def candidate(
    ref: str,
    *,
    pq: Fraction | int = 60,
    reliable: bool = True,
    reasoning: tuple[int, int] | None = (20, 20),
    essay: tuple[int, ...] | None = (4, 4),
    practical: tuple[int, ...] | None = (4, 4),
    interview: tuple[int, ...] | None = (4, 4),
    experience: int = 60,
    education: str = "bachelor",
    violations: frozenset[str] = frozenset(),
    legislation: dict[str, int] | None = None,
    certificate: bool = True,
) -> CandidateRecord:
    return CandidateRecord(
        ref=ref,
        experience_months=experience,
        education_level=education,
        legislation=legislation,
        legislation_certificate_valid=certificate,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(pq), reliable=reliable),
        reasoning=None if reasoning is None else ReasoningRecord(text=reasoning[0], numeric=reasoning[1]),
        essay=essay,
        practical=practical,
        interview=interview,
        violations=violations,
    )


def run(
    *candidates: CandidateRecord,
    category: str = "C-1",
    managerial: bool | None = None,
    published: date | None = None,
    policy: SelectionPolicy = POLICY,
) -> CompetitionOutcome:
    return run_competition(
        CompetitionInput(
            category=category, managerial=managerial, results_published_on=published, candidates=candidates
        ),
        policy,
    )


def stage(outcome: CompetitionOutcome, name: str) -> StageOutcome:
    return next(s for s in outcome.stages if s.stage == name)


def test_eligibility_codes_and_certificate() -> None:
    outcome = run(
        candidate(
            "total",
            certificate=False,
            legislation={"constitution": 8, "civil_service": 8, "anti_corruption": 8, "ethics": 5},
        ),
        candidate(
            "act",
            certificate=False,
            legislation={"constitution": 15, "civil_service": 15, "anti_corruption": 15, "ethics": 4},
        ),
        candidate(
            "edge",
            certificate=False,
            legislation={"constitution": 8, "civil_service": 8, "anti_corruption": 9, "ethics": 5},
        ),
        candidate("cert"),
        candidate("none", certificate=False),
    )
    eligibility = stage(outcome, "eligibility")
    assert eligibility.advanced == ("edge", "cert")
    assert dict(eligibility.eliminated) == {
        "total": "legislation_total_below_minimum",
        "act": "legislation_act_below_minimum",
        "none": "no_result",
    }


def test_personal_qualities_boundary_and_reliability() -> None:
    outcome = run(
        candidate("fifty", pq=50),
        candidate("just_below", pq=Fraction(4999, 100)),
        candidate("unreliable", pq=90, reliable=False),
        candidate("violated", pq=90, violations=frozenset({"personal_qualities"})),
    )
    pq = stage(outcome, "personal_qualities")
    assert pq.advanced == ("fifty",)
    assert dict(pq.eliminated) == {
        "just_below": "personal_qualities_below_minimum",
        "unreliable": "personal_qualities_unreliable",
        "violated": "proctor_violation",
    }


def test_violation_removes_before_reasoning_ranking_and_does_not_count_in_n() -> None:
    # Seven enter; the violator is out first, so n = 6 and places = 3 (with the violator n = 7 gives 4).
    scores = {"a": (25, 25), "b": (20, 20), "c": (19, 19), "d": (18, 18), "e": (17, 17), "f": (16, 16)}
    candidates = [candidate(ref, reasoning=score) for ref, score in scores.items()]
    candidates.insert(0, candidate("v", reasoning=(25, 25), violations=frozenset({"reasoning"})))
    reasoning = stage(run(*candidates), "reasoning")
    assert reasoning.places == 3
    assert reasoning.cutoff_score == 38
    assert reasoning.advanced == ("a", "b", "c")
    assert dict(reasoning.eliminated) == {
        "v": "proctor_violation",
        "d": "reasoning_below_cutoff",
        "e": "reasoning_below_cutoff",
        "f": "reasoning_below_cutoff",
    }


def test_reasoning_without_result_is_removed_before_ranking() -> None:
    outcome = run(candidate("a"), candidate("b"), candidate("c"), candidate("absent", reasoning=None))
    reasoning = stage(outcome, "reasoning")
    assert reasoning.places == 3
    assert reasoning.advanced == ("a", "b", "c")
    assert dict(reasoning.eliminated) == {"absent": "no_result"}


def test_ties_at_reasoning_cutoff_all_go_on() -> None:
    scores = [(20, 20), (20, 20), (20, 20), (20, 20), (10, 10), (5, 5)]
    outcome = run(*(candidate(f"c{i}", reasoning=s) for i, s in enumerate(scores)))
    reasoning = stage(outcome, "reasoning")
    assert (reasoning.places, reasoning.cutoff_score) == (3, 40)
    assert reasoning.advanced == ("c0", "c1", "c2", "c3")


@pytest.mark.parametrize("n", [1, 2, 3])
def test_three_or_fewer_all_go_on(n: int) -> None:
    outcome = run(*(candidate(f"c{i}", reasoning=(i, i)) for i in range(n)))
    reasoning = stage(outcome, "reasoning")
    assert reasoning.places == n
    assert reasoning.cutoff_score == 0
    assert len(reasoning.advanced) == n


def test_managerial_uses_essay_non_managerial_practical() -> None:
    fails_essay = candidate("x", essay=(2, 3), practical=(5, 5))
    managerial = run(fails_essay, category="C-4", managerial=True)
    assert [s.stage for s in managerial.stages] == [
        "eligibility",
        "personal_qualities",
        "reasoning",
        "essay",
        "interview",
        "final",
    ]
    assert dict(stage(managerial, "essay").eliminated) == {"x": "essay_below_minimum"}
    non_managerial = run(fails_essay, category="C-1", managerial=False)
    assert [s.stage for s in non_managerial.stages][3] == "practical"
    assert non_managerial.winner == "x"


def test_managerial_derived_from_category_when_absent() -> None:
    assert run(candidate("x"), category="C-1").managerial is True
    assert run(candidate("x"), category="C-4").managerial is False
    assert run(candidate("x"), category="E-G-1").managerial is False


def test_unknown_category_raises() -> None:
    with pytest.raises(UnknownCategory):
        run(candidate("x"), category="X-1")


def test_missing_assessment_scores_is_no_result() -> None:
    outcome = run(candidate("a"), candidate("b", essay=None), category="C-1")
    assert dict(stage(outcome, "essay").eliminated) == {"b": "no_result"}


def test_interview_shortlist_ties_and_violation() -> None:
    # Totals before the interview: pq/100 + 40/50 + 4/5 = pq/100 + 1.6.
    outcome = run(
        candidate("top", pq=90),
        candidate("v", pq=95, violations=frozenset({"interview"})),
        candidate("t1", pq=70),
        candidate("t2", pq=70),
        candidate("t3", pq=70),
        candidate("low", pq=60),
    )
    interview = stage(outcome, "interview")
    assert interview.places == 3
    assert interview.cutoff_score == Fraction(23, 10)
    assert interview.advanced == ("top", "t1", "t2", "t3")
    assert dict(interview.eliminated) == {"v": "proctor_violation", "low": "not_shortlisted_for_interview"}
    assert outcome_to_json(outcome)["stages"][4]["cutoff_score"] == 2.3  # type: ignore[index]


def test_shortlisted_without_interview_scores_is_no_result_and_not_refilled() -> None:
    outcome = run(
        candidate("a", pq=90), candidate("b", pq=80), candidate("c", pq=70, interview=None), candidate("d", pq=60)
    )
    interview = stage(outcome, "interview")
    assert interview.advanced == ("a", "b")
    assert dict(interview.eliminated) == {"c": "no_result", "d": "not_shortlisted_for_interview"}


def test_final_tie_breaks_experience_then_education_then_shared_rank() -> None:
    outcome = run(
        candidate("young", experience=10, education="doctorate"),
        candidate("old", experience=20, education="secondary"),
        candidate("mid_master", experience=15, education="master"),
        candidate("mid_bachelor", experience=15, education="bachelor"),
        candidate("twin", experience=15, education="bachelor"),
        policy=dataclasses.replace(POLICY, interview_places=5, final_top_n=3),
    )
    document = outcome_to_json(outcome)
    assert document["ranking"] == [
        {"ref": "old", "rank": 1, "total": 3.0, "tie_break": "experience"},
        {"ref": "mid_master", "rank": 2, "total": 3.0, "tie_break": "education"},
        {"ref": "mid_bachelor", "rank": 3, "total": 3.0, "tie_break": None},
        {"ref": "twin", "rank": 3, "total": 3.0, "tie_break": "experience"},
        {"ref": "young", "rank": 5, "total": 3.0, "tie_break": None},
    ]
    assert document["top3"] == ["old", "mid_master", "mid_bachelor", "twin"]
    assert document["winner"] == "old"
    assert "unresolved_tie" not in document
    assert dict(stage(outcome, "final").eliminated) == {"young": "not_in_top_n"}


def test_unresolved_tie_for_first() -> None:
    outcome = run(candidate("a"), candidate("b"))
    document = outcome_to_json(outcome)
    assert document["winner"] is None
    assert document["unresolved_tie"] is True
    assert [entry["rank"] for entry in document["ranking"]] == [1, 1]  # type: ignore[attr-defined]


def test_nobody_interviewed_has_no_winner_no_tie_and_no_deadlines() -> None:
    outcome = run(candidate("a", pq=10), published=date(2026, 3, 2))
    document = outcome_to_json(outcome)
    assert document["ranking"] == []
    assert document["winner"] is None
    assert "unresolved_tie" not in document
    assert document["deadlines"] is None


def test_single_interviewed_candidate_may_be_appointed_on_publication_day() -> None:
    outcome = run(candidate("only"), published=date(2026, 3, 16))
    assert outcome_to_json(outcome)["deadlines"] == {
        "appointment_from": "2026-03-16",
        "appointment_until": "2026-04-02",
        "documents_due": "2026-03-26",
    }


def test_two_interviewed_wait_five_working_days_across_nauryz() -> None:
    outcome = run(candidate("a", pq=90), candidate("b"), published=date(2026, 3, 16))
    assert outcome_to_json(outcome)["deadlines"] == {
        "appointment_from": "2026-03-27",
        "appointment_until": "2026-04-02",
        "documents_due": "2026-03-26",
    }


def test_no_publication_date_gives_null_deadlines() -> None:
    assert outcome_to_json(run(candidate("a")))["deadlines"] is None


def test_exact_totals_tie_where_floats_would_not() -> None:
    # 0.50 + 4/50 and 0.52 + 3/50 are equal; summed as binary floats they are 2.1799999999999997 and 2.18.
    outcome = run(
        candidate("a", pq=50, reasoning=(2, 2), experience=5),
        candidate("b", pq=52, reasoning=(2, 1), experience=6),
    )
    assert outcome.totals["a"] == outcome.totals["b"] == Fraction(218, 100)
    assert outcome.ranking[0].ref == "b"
    assert outcome.ranking[0].tie_break == "experience"


def test_weights_come_from_policy() -> None:
    policy = dataclasses.replace(POLICY, weight_interview=Decimal(2))
    outcome = run(candidate("a", interview=(5, 5)), policy=policy)
    assert outcome.totals["a"] == Fraction(60, 100) + Fraction(40, 50) + Fraction(4, 5) + 2


def test_violation_at_unused_or_unreached_stage_has_no_effect() -> None:
    outcome = run(
        candidate("a", violations=frozenset({"practical"})),
        candidate("b", pq=10, violations=frozenset({"interview"})),
        category="C-1",
    )
    assert outcome.winner == "a"
    assert dict(stage(outcome, "personal_qualities").eliminated) == {"b": "personal_qualities_below_minimum"}


def test_every_code_used_is_documented() -> None:
    outcome = run(candidate("a"), candidate("b", pq=10), candidate("c", reliable=False), candidate("d", essay=(1, 1)))
    used = {code for s in outcome.stages for code in s.eliminated.values()}
    assert used <= set(ELIMINATION_CODES)


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Fraction(38, 10), 3.8),
        (Fraction(1, 3), 0.3333),
        (Fraction(2, 3), 0.6667),
        (Fraction(12345, 100000), 0.1235),  # exactly half: rounds up
        (Fraction(123449999, 10**9), 0.1234),
        (Fraction(-12345, 100000), -0.1235),
        (Fraction(3), 3.0),
    ],
)
def test_round_total_half_up_to_four_decimals(value: Fraction, printed: float) -> None:
    assert round_total(value) == printed


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), min_size=1, max_size=12), st.integers(0, 25))
def test_adding_a_weaker_candidate_never_removes_a_stronger_one_from_reasoning(
    scores: list[tuple[int, int]], weaker: int
) -> None:
    base = [candidate(f"c{i}", reasoning=s) for i, s in enumerate(scores)]
    before = set(stage(run(*base), "reasoning").advanced)
    floor = min(sum(s) for s in scores)
    weak = candidate("weak", reasoning=(min(weaker, floor // 2), 0))
    after = set(stage(run(*base, weak), "reasoning").advanced)
    assert before <= after
