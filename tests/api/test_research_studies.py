"""Research studies over HTTP on the demo data: no export before an administrator approves, an approved export
names nobody, pseudonyms differ between studies, and every request, decision and export is audited."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.applications.models import Application
from app.audit.models import AuditEvent
from app.competitions.models import Competition
from app.demo import seed
from app.main import create_app
from app.research.models import ResearchStudy
from app.research.studies import pseudonym
from tests.api.test_research import _headers
from tests.conftest import make_settings
from tests.web._anonymity import identities, leaks


@pytest.fixture(name="demo")
def demo_fixture(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as client:
        seed(app.state.sessions)
        yield client


def _finished(client: TestClient) -> int:
    with cast(FastAPI, client.app).state.sessions() as session:
        found: int = session.scalars(select(Competition.id).where(Competition.status == "results_published")).one()
        return found


def _request(client: TestClient, researcher: dict[str, str], competition_id: int, title: str) -> dict[str, Any]:
    made = client.post(
        "/api/v1/research/studies",
        json={"title": title, "purpose": "Pass rates by language over a year", "competition_id": competition_id},
        headers=researcher,
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    assert body["status"] == "requested" and "salt" not in body
    return body


def test_an_export_is_refused_before_approval_and_after_rejection(demo: TestClient) -> None:
    researcher = _headers(demo, "researcher", "demo-research-2026")
    admin = _headers(demo, "admin", "demo-admin-2026")
    study = _request(demo, researcher, _finished(demo), "Language and the essay")
    refused = demo.get(f"/api/v1/research/studies/{study['id']}/export", headers=researcher)
    assert refused.status_code == 409
    assert refused.json()["code"] == "research_export_not_approved"
    # only an administrator decides; the researcher cannot approve their own study
    assert demo.post(f"/api/v1/research/studies/{study['id']}/approve", headers=researcher).status_code == 403
    rejected = demo.post(f"/api/v1/research/studies/{study['id']}/reject", json={"note": "no ethics"}, headers=admin)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = demo.post(f"/api/v1/research/studies/{study['id']}/approve", headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "research_study_decided")
    still = demo.get(f"/api/v1/research/studies/{study['id']}/export", headers=researcher)
    assert (still.status_code, still.json()["code"]) == (409, "research_export_not_approved")
    # a candidate and an HR officer may not ask for a study at all
    for login, password in (("candidate01", "demo-candidate-2026"), ("hr.minfin", "demo-hr-2026")):
        asked = demo.post(
            "/api/v1/research/studies",
            json={"title": "t", "purpose": "p", "competition_id": _finished(demo)},
            headers=_headers(demo, login, password),
        )
        assert asked.status_code == 403, login


def test_an_approved_export_has_no_identifier_and_pseudonyms_differ_between_studies(demo: TestClient) -> None:
    researcher = _headers(demo, "researcher", "demo-research-2026")
    admin = _headers(demo, "admin", "demo-admin-2026")
    competition_id = _finished(demo)
    first = _request(demo, researcher, competition_id, "First study")
    second = _request(demo, researcher, competition_id, "Second study")
    for study in (first, second):
        approved = demo.post(f"/api/v1/research/studies/{study['id']}/approve", headers=admin)
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
    one = demo.get(f"/api/v1/research/studies/{first['id']}/export", headers=researcher)
    two = demo.get(f"/api/v1/research/studies/{second['id']}/export", headers=researcher)
    assert one.status_code == two.status_code == 200, one.text
    rows_one, rows_two = one.json()["rows"], two.json()["rows"]

    app = cast(FastAPI, demo.app)
    with app.state.sessions() as session:
        applications = session.scalars(
            select(Application).where(Application.competition_id == competition_id).order_by(Application.id)
        ).all()
        people = identities(session, app.state.settings.secret_key)
        salts = {s.id: s.salt for s in session.scalars(select(ResearchStudy))}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "research_study").order_by(AuditEvent.id)
        ).all()
    assert len(rows_one) == len(rows_two) == len(applications) == 7
    # no name, IIN, birth date, e-mail or phone of anyone, and no raw id: only keyed hashes and group values
    assert not leaks(one.text + two.text, people)
    for row in rows_one:
        assert set(row) == set(one.json()["columns"])
        assert row["study"] == first["id"]
        assert len(row["applied_month"]) == 7 and row["applied_month"][4] == "-"  # YYYY-MM, no day
        assert row["age_band"] in {"under 18", "18-24", "25-34", "35-44", "45-54", "55+"}
        assert row["sex"] in {"female", "male"} and row["application_selected"] in (True, False)
    # the pseudonym is HMAC-SHA-256 of the id under the study's salt, computed here independently
    expected = {
        hmac.new(bytes.fromhex(salts[first["id"]]), f"application:{a.id}".encode(), hashlib.sha256).hexdigest()[:16]
        for a in applications
    }
    assert {row["application"] for row in rows_one} == expected
    assert {row["application"] for row in rows_one}.isdisjoint({row["application"] for row in rows_two})
    assert {row["person"] for row in rows_one}.isdisjoint({row["person"] for row in rows_two})
    assert str(applications[0].id) not in {row["application"] for row in rows_one}
    assert pseudonym(salts[first["id"]], "application", applications[0].id) in expected
    # every request, decision and export is in the audit chain, the export with its SHA-256
    actions = [e.action for e in events]
    assert actions.count("research.study_requested") == 2
    assert actions.count("research.study_approved") == 2
    exported = [e for e in events if e.action == "research.study_exported"]
    assert [int(e.entity_id) for e in exported] == [first["id"], second["id"]]
    assert exported[0].payload["rows"] == 7 and exported[0].payload["sha256"] == one.json()["sha256"]
    # the export is the researcher's who asked: not even an administrator receives it
    assert demo.get(f"/api/v1/research/studies/{first['id']}/export", headers=admin).status_code == 403
