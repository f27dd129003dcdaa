"""Proctoring rules (§10, §5's exemption) and the stage each test belongs to, by hand from the digest."""

from __future__ import annotations

import pytest

from app.rules.competition import STAGES
from app.rules.proctoring import ALLOWED_IN_REASONING, FORBIDDEN_BEHAVIOURS, behaviour_flagged
from app.rules.programmes import COMPETITION_STAGE, competition_stage


def test_the_six_forbidden_behaviours_of_section_10() -> None:
    assert FORBIDDEN_BEHAVIOURS == (
        "other_person_in_room",
        "person_swapped",
        "left_seat",
        "looked_away",
        "camera_covered_or_disconnected",
        "paper_materials",
    )
    assert sorted(ALLOWED_IN_REASONING) == ["paper_materials"]


@pytest.mark.parametrize("behaviour", FORBIDDEN_BEHAVIOURS)
@pytest.mark.parametrize("programme", ["legislation", "state_language", "personal_qualities"])
def test_every_forbidden_behaviour_is_flagged_outside_reasoning(programme: str, behaviour: str) -> None:
    assert behaviour_flagged(programme, behaviour) is True


def test_paper_is_allowed_in_reasoning_only_and_nothing_else_is() -> None:
    assert behaviour_flagged("reasoning", "paper_materials") is False
    assert [b for b in FORBIDDEN_BEHAVIOURS if behaviour_flagged("reasoning", b)] == [
        "other_person_in_room",
        "person_swapped",
        "left_seat",
        "looked_away",
        "camera_covered_or_disconnected",
    ]


def test_each_test_maps_to_its_competition_stage() -> None:
    assert competition_stage("legislation") == "eligibility"
    assert competition_stage("personal_qualities") == "personal_qualities"
    assert competition_stage("reasoning") == "reasoning"
    assert competition_stage("state_language") is None
    assert set(COMPETITION_STAGE.values()) <= set(STAGES)
