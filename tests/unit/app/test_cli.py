"""The ``irikteu`` command as a user runs it: exit codes, stdout and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.rules.policy import SelectionPolicy, policy_fields

GOLDEN = Path(__file__).parents[2] / "golden" / "replay"


def irikteu(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_policy_json_prints_every_field_with_its_default() -> None:
    result = irikteu("policy", "--json")
    assert result.returncode == 0
    printed = json.loads(result.stdout)
    assert printed == policy_fields()
    assert list(printed) == [f for f in SelectionPolicy.__dataclass_fields__]
    assert printed["legislation_pass_total"] == 30
    assert printed["legislation_pass_per_act"] == 5
    assert printed["personal_qualities_pass_percent"] == 50
    assert printed["reasoning_half_rounding"] == "up"
    assert printed["essay_word_limit"] == 200
    assert printed["essay_min_scoring_share"] == "2/3"
    assert printed["interview_places"] == 3


def test_replay_prints_the_golden_outcome_and_exits_0() -> None:
    case = sorted(GOLDEN.glob("*.input.json"))[0]
    expected = json.loads(case.with_name(case.name.replace(".input.", ".expected.")).read_text())
    result = irikteu("replay", str(case))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_replay_reads_stdin() -> None:
    case = sorted(GOLDEN.glob("*.input.json"))[0]
    result = irikteu("replay", "-", stdin=case.read_text())
    assert result.returncode == 0
    assert json.loads(result.stdout)["stages"][0]["stage"] == "eligibility"


@pytest.mark.parametrize(
    ("document", "expected_lines"),
    [
        (
            {
                "competition": {"category": "C-1"},
                "candidates": [
                    {
                        "ref": "c1",
                        "experience_months": 12,
                        "education_level": "master",
                        "legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 11},
                    }
                ],
            },
            ["candidates[0].legislation.ethics: must be 0..10"],
        ),
        (
            {"policy": {"pass_mark_of_everything": 1}, "competition": {"category": "C-1"}, "candidates": []},
            ["policy.pass_mark_of_everything: unknown policy field"],
        ),
    ],
)
def test_replay_bad_input_exits_2_with_one_line_per_problem_and_nothing_on_stdout(
    tmp_path: Path, document: dict[str, Any], expected_lines: list[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    result = irikteu("replay", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == expected_lines


def test_replay_of_a_file_that_is_not_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"competition": ')
    result = irikteu("replay", str(path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("$: not valid JSON (line 1, column 17)")


def test_replay_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = irikteu("replay", str(tmp_path / "nope.json"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("$: cannot read ")


def test_migrate_and_seed_demo_honour_the_database_url(tmp_path: Path) -> None:
    env = {"IRIKTEU_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "IRIKTEU_ENVIRONMENT": "test"}
    assert irikteu("migrate", env=env).returncode == 0
    first = irikteu("seed-demo", env=env)
    second = irikteu("seed-demo", env=env)
    assert first.returncode == 0 and second.returncode == 0
    assert json.loads(first.stderr.splitlines()[-1])["already_loaded"] is False
    assert json.loads(second.stderr.splitlines()[-1])["already_loaded"] is True
    verify = irikteu("audit", "verify", env=env)
    assert verify.returncode == 0
    check = json.loads(verify.stdout)
    # The demo competitions go through the services, so their steps are audited beside "demo.seeded".
    assert (check["valid"], check["first_bad_id"], check["reason"]) == (True, None, None)
    assert check["events"] > 1
