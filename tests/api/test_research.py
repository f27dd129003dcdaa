"""Research figures over HTTP on the demo data: the researcher's aggregates, nobody else's, no personal data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.applications.models import CONFIRMED, Application
from app.auth.crypto import decrypt_iin
from app.auth.models import Account
from app.candidates.models import Candidate
from app.cli import cli
from app.clock import kazakhstan_today
from app.competitions.models import Competition
from app.demo import seed
from app.demo_staff import working_days_before
from app.main import create_app
from app.settings import get_settings
from tests.conftest import make_settings


def _headers(client: TestClient, login: str, password: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": f"{login}@demo.irikteu.kz", "password": password})
    assert token.status_code == 200, login
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_the_researcher_reads_the_demo_audit_and_candidates_members_and_hr_are_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=2), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        with app.state.sessions() as session:
            finished = session.scalars(select(Competition).where(Competition.status == "results_published")).one()
            rows = session.execute(
                select(Application, Candidate, Account)
                .join(Candidate, Candidate.id == Application.candidate_id)
                .join(Account, Account.id == Candidate.account_id)
                .where(Application.competition_id == finished.id)
            ).all()
            secret = app.state.settings.secret_key
            personal = {
                text
                for _a, c, account in rows
                for text in (
                    c.surname,
                    c.given_name,
                    c.patronymic,
                    c.phone,
                    account.email,
                    c.birth_date.isoformat(),
                    c.birth_date.strftime("%d.%m.%Y"),
                    decrypt_iin(c.iin_encrypted, secret_key=secret),
                )
                if text
            }
            by_sex = Counter((c.sex, a.status == CONFIRMED) for a, c, _account in rows)

        url = f"/api/v1/research/fairness?competition_id={finished.id}&groups=sex,language,sex*language"
        researcher = _headers(client, "researcher", "demo-research-2026")
        answer = client.get(url, headers=researcher)
        assert answer.status_code == 200, answer.text
        report = answer.json()
        # the HR decision on the documents, by sex from the IIN, equals the stored sex column's counts
        sexes = {row["group"]: row for row in report["stages"]["application"]["by_group"]["sex"]["groups"]}
        for sex in ("female", "male"):
            row = sexes[sex]
            assert "suppressed" in row or (row["n"], row["selected"]) == (
                by_sex[(sex, True)] + by_sex[(sex, False)],
                by_sex[(sex, True)],
            )
        assert set(report["stages"]) == {
            "application",
            "eligibility",
            "personal_qualities",
            "reasoning",
            "essay",
            "interview",
            "final",
        }
        text = answer.text
        assert not [value for value in personal if value in text]

        for login, password in (
            ("candidate01", "demo-candidate-2026"),
            ("member1", "demo-member-2026"),
            ("hr.minfin", "demo-hr-2026"),
        ):
            refused = client.get(url, headers=_headers(client, login, password))
            assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), login
        admin = _headers(client, "admin", "demo-admin-2026")
        assert client.get("/api/v1/research/groups", headers=admin).status_code == 200

        bad = client.get("/api/v1/research/fairness?from=2026-13-01", headers=researcher)
        assert (bad.status_code, bad.json()["code"]) == (422, "research_bad_scope")
        unknown = client.get(
            f"/api/v1/research/fairness?competition_id={finished.id}&groups=height", headers=researcher
        )
        assert (unknown.status_code, unknown.json()["code"]) == (422, "research_unknown_group")
        missing = client.get("/api/v1/research/fairness?competition_id=999", headers=researcher)
        assert (missing.status_code, missing.json()["code"]) == (404, "research_scope_not_found")


def test_with_the_default_minimum_cell_a_seven_person_competition_shows_no_group(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as client:
        seed(app.state.sessions)
        with app.state.sessions() as session:
            finished = session.scalars(select(Competition).where(Competition.status == "results_published")).one()
        report = client.get(
            f"/api/v1/research/fairness?competition_id={finished.id}&groups=sex",
            headers=_headers(client, "researcher", "demo-research-2026"),
        ).json()
        assert report["min_cell"] == 10 and report["applications"] is None
        for block in report["stages"].values():
            figures = block["by_group"]["sex"]
            assert block["entered"] is None and figures["n"] is None
            assert all(set(row) == {"group", "suppressed"} for row in figures["groups"])


def test_a_stored_yearly_audit_of_a_state_body_is_read_by_its_hr_and_kept_with_its_inputs_hash(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=2), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        admin = _headers(client, "admin", "demo-admin-2026")
        made = client.post("/api/v1/research/audits", json={"body": "DEMO-MINFIN", "year": 2026}, headers=admin)
        assert made.status_code == 201, made.text
        stored = made.json()
        assert (stored["period_from"], stored["period_to"], stored["min_cell"]) == ("2026-01-01", "2026-12-31", 2)
        # the finished competition's 7 and, when it opened in 2026, the 4 of the essay-stage one of app.demo_staff
        # (published 11 working days before the day the demo is loaded)
        essay_stage_opened = working_days_before(working_days_before(kazakhstan_today(), 1), 10)
        expected = 7 + (4 if essay_stage_opened.year == 2026 else 0)
        assert stored["report"]["applications"] == expected and "application" in stored["report"]["stages"]
        # the same data gives the same hash: the scheduled job's audit of the year repeats it
        job_id = app.state.queue.enqueue("research_yearly_audit", {"year": 2026})
        app.state.queue.execute(job_id)
        job = client.get(f"/api/v1/jobs/{job_id}", headers=admin).json()
        assert job["status"] == "succeeded", job
        hr = _headers(client, "hr.minfin", "demo-hr-2026")
        listed = client.get("/api/v1/research/audits?body=DEMO-MINFIN", headers=hr)
        assert listed.status_code == 200
        rows = listed.json()
        assert len(rows) == 2 and rows[0]["inputs_sha256"] == rows[1]["inputs_sha256"] == stored["inputs_sha256"]
        assert (
            client.get(
                "/api/v1/research/audits?body=DEMO-MINFIN", headers=_headers(client, "researcher", "demo-research-2026")
            ).status_code
            == 200
        )
        for login, password in (("hr.almaty", "demo-hr-2026"), ("candidate01", "demo-candidate-2026")):
            refused = client.get("/api/v1/research/audits?body=DEMO-MINFIN", headers=_headers(client, login, password))
            assert refused.status_code == 403, login
        refused = client.post("/api/v1/research/audits", json={"body": "DEMO-MINFIN", "year": 2026}, headers=hr)
        assert refused.status_code == 403


def test_the_command_prints_the_same_audit_as_the_api_for_a_stored_competition(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=3), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        with app.state.sessions() as session:
            finished = session.scalars(select(Competition).where(Competition.status == "results_published")).one()
        through_api = client.get(
            f"/api/v1/research/fairness?competition_id={finished.id}&groups=sex,age_band",
            headers=_headers(client, "researcher", "demo-research-2026"),
        ).json()
        monkeypatch.setenv("IRIKTEU_DATABASE_URL", sqlite_url)
        monkeypatch.setenv("IRIKTEU_SECRET_KEY", app.state.settings.secret_key)
        monkeypatch.setenv("IRIKTEU_RESEARCH_MIN_CELL", "3")
        get_settings.cache_clear()
        try:
            printed = CliRunner().invoke(
                cli, ["evaluate", "fairness", "--competition", str(finished.id), "--groups", "sex,age_band", "--json"]
            )
        finally:
            get_settings.cache_clear()
        assert printed.exit_code == 0, printed.output
        assert json.loads(printed.stdout) == through_api
        assert "stage final" in printed.stderr  # progress on stderr
