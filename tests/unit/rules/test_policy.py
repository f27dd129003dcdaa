"""SelectionPolicy: the seeds' defaults, and overrides checked field by field and as a whole."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.rules.errors import PolicyError
from app.rules.policy import SelectionPolicy, policy_fields, policy_from_overrides


def test_defaults_are_the_seeds_numbers() -> None:
    policy = SelectionPolicy()
    assert policy.legislation_questions == {
        "constitution": 15,
        "civil_service": 15,
        "anti_corruption": 15,
        "ethics": 10,
    }
    assert policy.legislation_questions_total == 55
    assert (policy.legislation_pass_total, policy.legislation_pass_per_act, policy.legislation_minutes) == (30, 5, 55)
    assert (policy.state_language_questions, policy.state_language_minutes) == (20, 20)
    assert policy.state_language_pass_mark is None
    assert policy.personal_qualities_tasks == 130
    assert policy.personal_qualities_minutes == 100
    assert policy.personal_qualities_pass_percent == Decimal(50)
    assert policy.personal_qualities_per_quality_pass_percent is None
    assert policy.reasoning_questions_total == 50
    assert (policy.reasoning_half_rounding, policy.reasoning_min_places) == ("up", 3)
    assert (policy.essay_pass_score, policy.essay_word_limit, policy.essay_minutes) == (Decimal(3), 200, 45)
    assert policy.essay_min_scoring_share == Fraction(2, 3)
    assert (policy.interview_places, policy.interview_minutes, policy.final_top_n) == (3, 15, 3)
    assert (policy.appointment_earliest_working_day, policy.appointment_latest_working_day) == (6, 10)
    assert policy.documents_due_calendar_days == 10
    assert policy.legislation_certificate_validity_months == 12


def test_overrides_replace_named_fields_and_keep_the_rest() -> None:
    policy = policy_from_overrides(
        {
            "essay_word_limit": 250,
            "reasoning_half_rounding": "down",
            "personal_qualities_pass_percent": 60.5,
            "essay_min_scoring_share": "3/4",
        }
    )
    assert policy.essay_word_limit == 250
    assert policy.reasoning_half_rounding == "down"
    assert policy.personal_qualities_pass_percent == Decimal("60.5")
    assert policy.essay_min_scoring_share == Fraction(3, 4)
    assert policy.legislation_pass_total == 30


def test_every_bad_override_is_reported_at_once() -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from_overrides(
            {
                "nope": 1,
                "essay_word_limit": "200",
                "personal_qualities_require_reliable": 1,
                "reasoning_half_rounding": "sideways",
                "interview_places": True,
            }
        )
    assert caught.value.problems == [
        ("nope", "unknown policy field"),
        ("essay_word_limit", "must be an integer"),
        ("personal_qualities_require_reliable", "must be true or false"),
        ("reasoning_half_rounding", "must be one of up, down"),
        ("interview_places", "must be an integer"),
    ]


def test_values_no_competition_can_run_with_are_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from_overrides(
            {
                "reasoning_text_questions": 0,
                "member_score_min": 5,
                "legislation_pass_total": 56,
                "personal_qualities_pass_percent": 101,
            }
        )
    assert caught.value.problems == [
        ("reasoning_text_questions", "must be >= 1"),
        ("member_score_min", "must be below member_score_max"),
        ("legislation_pass_total", "must be at most 55"),
        ("personal_qualities_pass_percent", "must be at most 100"),
    ]


def test_policy_fields_are_json_ready_and_reflect_a_policy() -> None:
    fields = policy_fields(policy_from_overrides({"essay_min_scoring_share": 0.5, "weight_essay": 1.5}))
    assert fields["essay_min_scoring_share"] == "1/2"
    assert fields["weight_essay"] == 1.5
    assert fields["weight_interview"] == 1
    assert policy_fields()["personal_qualities_per_quality_pass_percent"] is None
