"""The demo competitions: what a new user sees after ``irikteu seed-demo`` when signing in with the README accounts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.clock import kazakhstan_today
from app.demo import seed
from app.main import create_app
from app.rules.replay import replay
from tests.conftest import make_settings


def _headers(client: TestClient, login: str, password: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": f"{login}@demo.irikteu.kz", "password": password})
    assert token.status_code == 200, login
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_the_finished_competition_is_published_signed_and_replayable_and_another_is_open(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as client:
        first = seed(app.state.sessions)
        assert first["added"]["competitions"] == {
            "finished_competitions": 1,
            "finished_applications": 7,
            "protocols_signed": 1,
            "open_competitions": 1,
            "open_applications": 2,
        }
        assert seed(app.state.sessions)["already_loaded"] is True

        hr = _headers(client, "hr.minfin", "demo-hr-2026")
        # the body's year of generated history (no essay topic, no commission) and the essay-stage competition
        # of app.demo_staff stand beside it
        [finished] = [
            c
            for c in client.get("/api/v1/competitions", headers=hr).json()
            if c["essay_topic"] and c["status"] == "results_published"
        ]
        assert (finished["category"], finished["status"]) == ("C-1", "results_published")
        base = f"/api/v1/competitions/{finished['id']}"
        results = client.get(f"{base}/results", headers=hr).json()
        assert results["results_published_on"] == "2026-10-23"
        assert [results["names"][row["ref"]] for row in results["outcome"]["ranking"]] == [
            "Сәрсенов Асқар Болатұлы",
            "Бекмұхамбетов Нұржан Серікұлы",
            "Смагулова Жанар Ерланқызы",
        ]
        eliminated = {stage["stage"]: sorted(stage["eliminated"].values()) for stage in results["outcome"]["stages"]}
        assert {stage: reasons for stage, reasons in eliminated.items() if reasons} == {
            "eligibility": ["legislation_act_below_minimum"],
            "personal_qualities": ["personal_qualities_unreliable"],
            "reasoning": ["reasoning_below_cutoff"],
        }
        assert replay(client.get(f"{base}/replay-input", headers=hr).json()) == results["outcome"]
        applications = client.get(f"{base}/applications", headers=hr).json()
        assert sorted(a["status"] for a in applications) == ["confirmed"] * 6 + ["rejected"]

        member = _headers(client, "member2", "demo-member-2026")
        protocol = client.get(f"{base}/protocol", headers=member).json()
        # Republic Day (25 October) falls on a Sunday in 2026: Monday 26 is the day off, so Tuesday.
        assert (protocol["drawn_up_on"], protocol["protocol_due"], protocol["overdue"]) == (
            "2026-10-23",
            "2026-10-27",
            False,
        )
        assert len(protocol["protocol"]["signatures"]) == 3
        verification = client.get(protocol["links"]["verification"], headers=member).json()
        assert (verification["valid"], verification["fully_signed"], verification["trust"]) == (
            True,
            True,
            "not_checked",
        )
        assert client.get(protocol["links"]["pdf"], headers=member).headers["content-type"] == "application/pdf"
        essays = client.get(f"{base}/essays", headers=member).json()
        assert len(essays["essays"]) == 3 and essays["stage_closed"] is True
        notifications = client.get("/api/v1/notifications", headers=member).json()
        assert "protocol_ready_to_sign" in {item["event"] for item in notifications["items"]}

        almaty = _headers(client, "hr.almaty", "demo-hr-2026")
        [still_open] = [c for c in client.get("/api/v1/competitions", headers=almaty).json() if c["status"] == "open"]
        assert (still_open["status"], still_open["calendar"]["published_on"]) == (
            "open",
            kazakhstan_today().isoformat(),
        )
        waiting = client.get(f"/api/v1/competitions/{still_open['id']}/applications", headers=almaty).json()
        assert [a["status"] for a in waiting] == ["submitted", "submitted"]
        candidate = _headers(client, "candidate02", "demo-candidate-2026")
        assert [a["competition_id"] for a in client.get("/api/v1/applications/mine", headers=candidate).json()] == [
            still_open["id"]
        ]
        # member1 sits on these two and on the essay-stage and interview-stage ones of app.demo_staff
        assert (
            len(client.get("/api/v1/competitions", headers=_headers(client, "member1", "demo-member-2026")).json()) == 4
        )
