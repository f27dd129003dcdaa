"""The state's figures through HTTP and the command, on the small fixed history of ``tests.factories.history``.

Each value is the one computed by hand in ``tests/unit/rules/test_analytics.py`` (working days across
Nauryz and the May holidays), now read from the tables.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.auth.models import ADMINISTRATOR, CANDIDATE, RESEARCHER
from app.cli import cli
from app.demo import seed
from app.rules.policy import policy_from_overrides
from app.settings import get_settings
from tests.api._workflow import World, world_every_backend_fixture, world_fixture  # noqa: F401
from tests.factories.history import History, make_history

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture(name="history")
def history_fixture(world: World) -> History:
    with world.session() as session:
        return make_history(session, secret_key=world.app.state.settings.secret_key)


def value(figure: dict[str, object]) -> object:
    return figure["value"]


def test_figures_per_body_for_an_administrator(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    admin = world.account(ADMINISTRATOR)
    response = world.client.get(
        "/api/v1/analytics/figures", params={**PERIOD, "by": "body"}, headers=world.headers(admin)
    )
    assert response.status_code == 200, response.text
    groups = {g["key"]: g for g in response.json()["groups"]}
    minfin, kyz = groups["MINFIN"], groups["KYZ"]
    assert (minfin["competitions"], minfin["applications"], minfin["appointments"]) == (2, 15, 1)
    assert minfin["candidates_per_place"] == {"value": 7.5, "n": 15, "suppressed": False, "target": 3.5}
    assert value(minfin["no_winner_share"]) == 0.5
    assert value(minfin["time_to_fill_working_days"]) == 6.0
    assert {k: value(v) for k, v in minfin["pass_rate"].items()} == {"personal_qualities": 0.6667, "interview": 1.0}
    assert minfin["alert_reach"] == {"value": 0.25, "n": 4, "suppressed": False}
    assert (kyz["competitions"], value(kyz["candidates_per_place"]), value(kyz["time_to_fill_working_days"])) == (
        2,
        5.0,
        5.0,
    )
    assert {k: value(v) for k, v in kyz["route_share"].items()} == {"competition": 0.5, "grant_graduate": 0.5}


def test_small_cells_are_suppressed_by_default_and_months_are_grouped(world: World, history: History) -> None:
    researcher = world.account(RESEARCHER)
    months = {
        g["key"]: g
        for g in world.client.get(
            "/api/v1/analytics/figures", params={**PERIOD, "by": "month"}, headers=world.headers(researcher)
        ).json()["groups"]
    }
    assert sorted(months) == ["2026-03", "2026-04", "2026-05"]
    assert months["2026-03"]["candidates_per_place"] == {"value": 12.0, "n": 12, "suppressed": False, "target": 3.5}
    assert months["2026-04"]["candidates_per_place"]["value"] == 6.5
    assert months["2026-04"]["no_winner_share"] == {"value": None, "n": 2, "suppressed": True}
    everything = world.client.get("/api/v1/analytics/figures", params=PERIOD, headers=world.headers(researcher)).json()[
        "groups"
    ][0]
    assert (everything["key"], value(everything["candidates_per_place"]), everything["places"]) == ("all", 6.25, 4)
    assert everything["time_to_fill_working_days"] == {"value": None, "n": 2, "suppressed": True, "median": None}
    assert value(everything["pass_rate"]["personal_qualities"]) == 0.6  # 15 / 25


def test_an_hr_officer_sees_their_own_body_only(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    asked = world.client.get(
        "/api/v1/analytics/figures",
        params={**PERIOD, "by": "body", "state_body_id": history.minfin.id},
        headers=world.headers(history.kyzylorda_hr),
    )
    assert [g["key"] for g in asked.json()["groups"]] == ["KYZ"]
    assert asked.json()["state_body_id"] == history.kyzylorda.id
    assert (
        world.client.get("/api/v1/analytics/figures", headers=world.headers(world.account(CANDIDATE))).status_code
        == 403
    )
    assert world.client.get("/api/v1/analytics/figures").status_code == 401
    bad = world.client.get(
        "/api/v1/analytics/figures",
        params={"from": "2026-05-01", "to": "2026-04-01"},
        headers=world.headers(history.minfin_hr),
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "bad_period")


def test_the_csv_download(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    response = world.client.get(
        "/api/v1/analytics/figures.csv",
        params={**PERIOD, "by": "region"},
        headers=world.headers(world.account(ADMINISTRATOR)),
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_region = {row["key"]: row for row in rows}
    assert (by_region["Astana"]["candidates_per_place"], by_region["Kyzylorda"]["route_share_grant_graduate"]) == (
        "7.5",
        "0.5",
    )
    assert by_region["Astana"]["route_share_grant_graduate"] == ""


def test_the_command_prints_json_and_writes_the_report(
    world: World, history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRIKTEU_DATABASE_URL", str(world.app.state.settings.resolved_database_url))
    monkeypatch.setenv("IRIKTEU_POLICY_OVERRIDES", '{"analytics_min_cell": 1}')
    get_settings.cache_clear()  # the command reads the settings from the environment just set
    try:
        result = CliRunner().invoke(
            cli,
            [
                "analytics",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--by",
                "category",
                "--json",
                "--report",
                str(tmp_path / "report"),
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    groups = {g["key"]: g for g in printed["groups"]}
    assert (groups["C-4"]["candidates_per_place"]["value"], groups["C-1"]["candidates_per_place"]["value"]) == (
        7.5,
        5.0,
    )
    written = sorted(path.name for path in (tmp_path / "report").iterdir())
    assert written == [
        "candidates-per-place.png",
        "figures.json",
        "no-winner-share.png",
        "report.md",
        "stages-and-routes.png",
        "time-to-fill.png",
    ]
    assert "| C-4 | 2 | 15 | 7.50 | 3.50 |" in (tmp_path / "report" / "report.md").read_text()


def test_the_demo_year_shows_a_rising_trend(world: World) -> None:
    result = seed(world.app.state.sessions, history=True)
    assert result["added"]["history"] == {
        "competitions": 177,
        "applications": 549,
        "appointments": 119,
        "direct_appointments": 12,
        "alerts": 236,
        "people": 48,
    }
    researcher = world.account(RESEARCHER)
    months = world.client.get(
        "/api/v1/analytics/figures",
        params={"from": "2025-11-01", "to": "2026-10-31", "by": "month"},
        headers=world.headers(researcher),
    ).json()["groups"]
    assert [g["key"] for g in months][:2] == ["2025-11", "2025-12"] and len(months) == 12
    per_place = [g["candidates_per_place"]["value"] for g in months]
    assert per_place[0] < per_place[-1]
    bodies = world.client.get(
        "/api/v1/analytics/figures", params={"by": "body"}, headers=world.headers(researcher)
    ).json()["groups"]
    assert [g["key"] for g in bodies] == ["DEMO-ALMATY-AKIMAT", "DEMO-ASDCS", "DEMO-MINFIN"]
    assert sum(g["appointments"] for g in bodies) == 119 + 12


def test_the_database_counts_the_same_on_every_backend(world_every_backend: World) -> None:
    world = world_every_backend
    with world.session() as session:
        make_history(session, secret_key=world.app.state.settings.secret_key)
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    months = {
        g["key"]: g
        for g in world.client.get(
            "/api/v1/analytics/figures",
            params={**PERIOD, "by": "month"},
            headers=world.headers(world.account(ADMINISTRATOR)),
        ).json()["groups"]
    }
    assert sorted(months) == ["2026-03", "2026-04", "2026-05"]
    assert (
        value(months["2026-03"]["time_to_fill_working_days"]),
        value(months["2026-04"]["no_winner_share"]),
        value(months["2026-04"]["time_to_fill_working_days"]),
        value(months["2026-04"]["alert_reach"]),
    ) == (6.0, 0.5, 5.0, 0.25)
    assert {k: value(v) for k, v in months["2026-05"]["route_share"].items()} == {
        "competition": 0.5,
        "grant_graduate": 0.5,
    }
    assert {k: value(v) for k, v in months["2026-04"]["pass_rate"].items()} == {
        "personal_qualities": 0.4615,
        "interview": 1.0,
    }  # (1 + 5) / (3 + 10)
