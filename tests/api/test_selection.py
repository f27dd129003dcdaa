"""The rules core over HTTP: the policy in force and replays identical to the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings

GOLDEN = Path(__file__).parents[1] / "golden" / "replay"


def _client(sqlite_url: str, tmp_path: Path, **overrides: object) -> TestClient:
    return TestClient(
        create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", **overrides), start_consumer=False)
    )


def test_policy_shows_defaults_and_what_this_deployment_overrides(sqlite_url: str, tmp_path: Path) -> None:
    with _client(sqlite_url, tmp_path, policy_overrides={"essay_word_limit": 250}) as client:
        body = client.get("/api/v1/policy").json()
    assert body["defaults"]["essay_word_limit"] == 200
    assert body["in_force"]["essay_word_limit"] == 250
    assert body["overridden"] == ["essay_word_limit"]


def test_replay_over_http_equals_every_golden_case(sqlite_url: str, tmp_path: Path) -> None:
    cases = sorted(GOLDEN.glob("*.input.json"))
    assert len(cases) >= 6
    with _client(sqlite_url, tmp_path) as client:
        for case in cases:
            expected = json.loads(case.with_name(case.name.replace(".input.", ".expected.")).read_text())
            response = client.post("/api/v1/replay", json=json.loads(case.read_text()))
            assert response.status_code == 200, case.name
            assert response.json() == expected, case.name


def test_invalid_replay_input_is_a_problem_listing_every_path(sqlite_url: str, tmp_path: Path) -> None:
    document = {
        "policy": {"nope": 1},
        "competition": {"category": "C-1"},
        "candidates": [
            {"ref": "a", "experience_months": -1, "education_level": "master"},
            {"ref": "a", "experience_months": 1, "education_level": "phd"},
        ],
    }
    with _client(sqlite_url, tmp_path) as client:
        response = client.post("/api/v1/replay", json=document, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_replay_input"
    assert body["title"] == "Данные конкурса некорректны"
    assert "policy.nope: unknown policy field" in body["errors"]
    assert any(line.startswith("candidates[1].ref: duplicate ref") for line in body["errors"])
    assert any(line.startswith("candidates[0].experience_months:") for line in body["errors"])
    assert any(line.startswith("candidates[1].education_level: must be one of") for line in body["errors"])
