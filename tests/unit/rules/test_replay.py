"""The replay input: every kind of bad input, policy overrides, the golden competitions, the schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.rules.errors import RulesError
from app.rules.replay import ReplayInputError, parse_replay_input, replay, replay_input_schema

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "replay"
SCHEMA_FILE = ROOT / "app" / "rules" / "replay_input.schema.json"
GOLDEN_NAMES = sorted(path.name.removesuffix(".input.json") for path in GOLDEN.glob("*.input.json"))

# The example input of shared/design/replay-format.md.
EXAMPLE: dict[str, Any] = {
    "policy": {"reasoning_half_rounding": "up"},
    "competition": {"category": "C-1", "managerial": True, "results_published_on": "2026-03-02"},
    "candidates": [
        {
            "ref": "c1",
            "experience_months": 84,
            "education_level": "master",
            "legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7},
            "personal_qualities": {"percent": 62.5, "reliable": True},
            "reasoning": {"text": 18, "numeric": 20},
            "essay": [4, 3, 4],
            "practical": [4, 4],
            "interview": [4, 5, 4],
            "violations": [],
        }
    ],
}


def problems_of(document: object) -> list[str]:
    with pytest.raises(ReplayInputError) as caught:
        replay(document)
    assert caught.value.code == "invalid_replay_input"
    assert isinstance(caught.value, RulesError)
    return caught.value.problems


def example(**changes: Any) -> dict[str, Any]:
    """The example with ``candidates[0]`` fields (or ``policy``/``competition`` as a whole) changed."""
    document = copy.deepcopy(EXAMPLE)
    for key, value in changes.items():
        if key in ("policy", "competition"):
            document[key] = value
        else:
            document["candidates"][0][key] = value
    return document


def test_example_input_gives_example_style_output() -> None:
    assert replay(EXAMPLE) == {
        "stages": [
            {"stage": "eligibility", "entered": ["c1"], "advanced": ["c1"], "eliminated": {}},
            {"stage": "personal_qualities", "entered": ["c1"], "advanced": ["c1"], "eliminated": {}},
            {
                "stage": "reasoning",
                "entered": ["c1"],
                "advanced": ["c1"],
                "eliminated": {},
                "places": 1,
                "cutoff_score": 38,
            },
            {"stage": "essay", "entered": ["c1"], "advanced": ["c1"], "eliminated": {}},
            # 0.625 + 38/50 + (11/3)/5 = 2.11833...
            {
                "stage": "interview",
                "entered": ["c1"],
                "advanced": ["c1"],
                "eliminated": {},
                "places": 1,
                "cutoff_score": 2.1183,
            },
            {"stage": "final", "entered": ["c1"], "advanced": ["c1"], "eliminated": {}},
        ],
        # 2.11833... + (13/3)/5 = 2.985 exactly
        "ranking": [{"ref": "c1", "rank": 1, "total": 2.985, "tie_break": None}],
        "top3": ["c1"],
        "winner": "c1",
        "deadlines": {
            "appointment_from": "2026-03-02",
            "appointment_until": "2026-03-17",
            "documents_due": "2026-03-12",
        },
    }


def test_output_is_json_serialisable_and_round_trips() -> None:
    output = replay(EXAMPLE)
    assert json.loads(json.dumps(output)) == output


def test_parse_gives_typed_competition_and_policy() -> None:
    competition, policy = parse_replay_input(EXAMPLE)
    assert competition.category == "C-1"
    assert competition.candidates[0].personal_qualities is not None
    assert competition.candidates[0].personal_qualities.percent * 2 == 125
    assert policy.reasoning_half_rounding == "up"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"experience_months": 3.0}, "candidates[0].experience_months: must be an integer"),
        ({"experience_months": True}, "candidates[0].experience_months: must be an integer"),
        ({"experience_months": "84"}, "candidates[0].experience_months: must be an integer"),
        ({"experience_months": -1}, "candidates[0].experience_months: must be >= 0"),
        (
            {"education_level": "phd"},
            "candidates[0].education_level: must be one of "
            "secondary, technical_vocational, bachelor, master, doctorate",
        ),
        (
            {"legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 11}},
            "candidates[0].legislation.ethics: must be 0..10",
        ),
        (
            {"legislation": {"constitution": 16, "civil_service": 10, "anti_corruption": 9, "ethics": 1}},
            "candidates[0].legislation.constitution: must be 0..15",
        ),
        (
            {"legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9}},
            "candidates[0].legislation.ethics: required",
        ),
        (
            {"legislation": {"constitution": 1, "civil_service": 1, "anti_corruption": 1, "ethics": 1, "law": 1}},
            "candidates[0].legislation.law: unknown field",
        ),
        (
            {"personal_qualities": {"percent": 100.5, "reliable": True}},
            "candidates[0].personal_qualities.percent: must be 0..100",
        ),
        (
            {"personal_qualities": {"percent": "62.5", "reliable": True}},
            "candidates[0].personal_qualities.percent: must be a number",
        ),
        (
            {"personal_qualities": {"percent": 62.5, "reliable": 1}},
            "candidates[0].personal_qualities.reliable: must be true or false",
        ),
        ({"reasoning": {"text": 26, "numeric": 0}}, "candidates[0].reasoning.text: must be 0..25"),
        ({"reasoning": {"text": 1, "numeric": -1}}, "candidates[0].reasoning.numeric: must be 0..25"),
        ({"essay": [4, 6, 4]}, "candidates[0].essay[1]: must be 1..5"),
        ({"interview": [0]}, "candidates[0].interview[0]: must be 1..5"),
        ({"practical": []}, "candidates[0].practical: must have at least 1 item"),
        ({"practical": 4}, "candidates[0].practical: must be an array"),
        (
            {"violations": ["final"]},
            "candidates[0].violations[0]: must be one of eligibility, personal_qualities, reasoning, essay, "
            "practical, interview",
        ),
        ({"ref": ""}, "candidates[0].ref: must not be empty"),
        ({"nickname": "x"}, "candidates[0].nickname: unknown field"),
        ({"competition": {"category": "X-1"}}, 'competition.category: unknown category "X-1"'),
        (
            {"competition": {"category": "C-1", "results_published_on": "02.03.2026"}},
            "competition.results_published_on: must be a date YYYY-MM-DD",
        ),
        (
            {"competition": {"category": "C-1", "results_published_on": "2026-02-30"}},
            "competition.results_published_on: must be a date YYYY-MM-DD",
        ),
        ({"competition": {"category": "C-1", "managerial": "yes"}}, "competition.managerial: must be true or false"),
        ({"policy": {"pass_mark": 60}}, "policy.pass_mark: unknown policy field"),
        (
            {"policy": {"reasoning_half_rounding": "sideways"}},
            "policy.reasoning_half_rounding: must be one of up, down",
        ),
        ({"policy": {"interview_places": 2.5}}, "policy.interview_places: must be an integer"),
        ({"policy": []}, "policy: must be an object"),
    ],
)
def test_each_bad_input_is_one_problem_naming_its_path(changes: dict[str, Any], expected: str) -> None:
    assert problems_of(example(**changes)) == [expected]


def test_missing_required_fields() -> None:
    document = copy.deepcopy(EXAMPLE)
    del document["candidates"][0]["experience_months"]
    del document["competition"]["category"]
    assert problems_of(document) == [
        "competition.category: required",
        "candidates[0].experience_months: required",
    ]
    assert problems_of({"competition": {"category": "C-1"}}) == ["candidates: required"]


def test_root_must_be_an_object() -> None:
    assert problems_of([1, 2]) == ["$: must be an object"]
    assert problems_of({"competition": {"category": "C-1"}, "candidates": [], "extra": 1}) == ["extra: unknown field"]


def test_duplicate_refs() -> None:
    document = copy.deepcopy(EXAMPLE)
    document["candidates"] += [
        dict(document["candidates"][0]),
        {**document["candidates"][0], "ref": "c2"},
        dict(document["candidates"][0]),
    ]
    assert problems_of(document) == [
        'candidates[1].ref: duplicate ref "c1" (first at candidates[0])',
        'candidates[3].ref: duplicate ref "c1" (first at candidates[0])',
    ]


def test_several_problems_are_reported_together() -> None:
    document = example(
        policy={"unknown": 1, "member_score_max": 4},
        experience_months=1.5,
        essay=[5, "4"],
        reasoning={"text": 30, "numeric": True},
    )
    document["candidates"].append("not a candidate")
    document["candidates"].append({**EXAMPLE["candidates"][0]})
    assert problems_of(document) == [
        "policy.unknown: unknown policy field",
        "candidates[0].experience_months: must be an integer",
        "candidates[0].reasoning.text: must be 0..25",
        "candidates[0].reasoning.numeric: must be an integer",
        # The valid override member_score_max = 4 still sets the scale of the checks.
        "candidates[0].essay[0]: must be 1..4",
        "candidates[0].essay[1]: must be an integer",
        "candidates[0].interview[1]: must be 1..4",
        "candidates[1]: must be an object",
        "candidates[2].interview[1]: must be 1..4",
        'candidates[2].ref: duplicate ref "c1" (first at candidates[0])',
    ]


def test_policy_override_changes_the_ranges_checked() -> None:
    document = example(
        policy={"legislation_questions_ethics": 12},
        legislation={"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 12},
    )
    assert replay(document)["winner"] == "c1"


def test_per_quality_pass_mark_is_refused_by_replay() -> None:
    assert problems_of(example(policy={"personal_qualities_per_quality_pass_percent": 40})) == [
        "policy.personal_qualities_per_quality_pass_percent: not supported by replay "
        "(the input has no per-quality percents)"
    ]


def test_half_rounding_override_changes_who_goes_on() -> None:
    document = json.loads((GOLDEN / "policy_override_single_interviewed.input.json").read_text())
    down = replay(document)
    document["policy"]["reasoning_half_rounding"] = "up"
    up = replay(document)
    reasoning_down, reasoning_up = down["stages"][2], up["stages"][2]  # type: ignore[index]
    assert (reasoning_down["places"], reasoning_down["cutoff_score"]) == (4, 41)
    assert (reasoning_up["places"], reasoning_up["cutoff_score"]) == (5, 40)
    assert reasoning_up["advanced"] == ["f03", "f04", "f06", "f07", "f10"]
    assert up["stages"][3]["eliminated"]["f10"] == "no_result"  # type: ignore[index]


def test_median_override_changes_the_winner() -> None:
    document = json.loads((GOLDEN / "median_experience_tiebreak_d3.input.json").read_text())
    assert replay(document)["winner"] == "h07"
    del document["policy"]
    mean = replay(document)
    # Mean: h06 = 0.725 + 0.82 + 11/15 + 11/15, h07 = 0.825 + 0.72 + 3/5 + 11/15.
    assert mean["ranking"] == [
        {"ref": "h06", "rank": 1, "total": 3.0117, "tie_break": None},
        {"ref": "h07", "rank": 2, "total": 2.8783, "tie_break": None},
    ]


def test_pass_mark_override_percent_exact() -> None:
    document = example(policy={"personal_qualities_pass_percent": 62.5})
    assert replay(document)["winner"] == "c1"
    document["candidates"][0]["personal_qualities"]["percent"] = 62.49
    assert replay(document)["stages"][1]["eliminated"] == {  # type: ignore[index]
        "c1": "personal_qualities_below_minimum"
    }


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_competition(name: str) -> None:
    document = json.loads((GOLDEN / f"{name}.input.json").read_text())
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text())
    assert replay(document) == expected


def test_there_are_enough_golden_competitions() -> None:
    assert len(GOLDEN_NAMES) >= 6
    for name in GOLDEN_NAMES:
        assert (GOLDEN / f"{name}.expected.json").is_file()


def test_committed_schema_is_the_generated_one() -> None:
    generated = json.dumps(replay_input_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_FILE.read_text() == generated, (
        'regenerate: python -c "import json; from app.rules.replay import replay_input_schema; '
        "open('app/rules/replay_input.schema.json', 'w').write("
        "json.dumps(replay_input_schema(), indent=2, ensure_ascii=False) + '\\n')\""
    )


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_inputs_validate_against_the_schema(name: str) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads((GOLDEN / f"{name}.input.json").read_text()))


def test_schema_refuses_what_replay_refuses() -> None:
    validator = jsonschema.Draft202012Validator(replay_input_schema())
    assert validator.is_valid(EXAMPLE)
    for bad in (
        example(education_level="phd"),
        example(experience_months=True),
        example(policy={"pass_mark": 60}),
        example(violations=["final"]),
        example(personal_qualities={"percent": 101, "reliable": True}),
    ):
        assert not validator.is_valid(bad)
