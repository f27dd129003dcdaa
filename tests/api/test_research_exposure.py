"""Exposure ratios over HTTP on the demo data: a talent search's top ten and a campaign's recipients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.alerts.models import AlertCampaignRecipient, AlertSubscription
from app.candidates.models import Candidate, Consent
from app.competitions.models import Competition
from app.demo import seed
from app.main import create_app
from app.vacancies.models import Vacancy
from tests.api.test_research import _headers
from tests.conftest import make_settings


@pytest.fixture(name="demo")
def demo_fixture(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=2), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        yield client


def test_a_talent_search_shown_whole_is_at_parity_and_only_researchers_read_it(demo: TestClient) -> None:
    with cast(FastAPI, demo.app).state.sessions() as session:
        vacancies = session.scalars(select(Vacancy.id).order_by(Vacancy.id)).all()[:2]
    researcher = _headers(demo, "researcher", "demo-research-2026")
    url = "/api/v1/research/exposure"
    # every ranked candidate shown (top 100 over small pools): each group's share shown equals its share eligible
    whole = demo.get(url, params={"vacancy_id": vacancies, "groups": "sex,language", "top": 100}, headers=researcher)
    assert whole.status_code == 200, whole.text
    report = whole.json()
    assert report["lists"] == 2 and report["eligible"] == report["exposed"] > 0
    for figures in report["by_group"].values():
        shown = [row for row in figures["groups"] if "suppressed" not in row]
        assert shown and all(row["exposure_ratio"] == 1.0 and row["flag"] is False for row in shown)
    # only the first of each list shown: two exposed in all
    narrow = demo.get(url, params={"vacancy_id": vacancies, "groups": "sex", "top": 1}, headers=researcher).json()
    assert (narrow["eligible"], narrow["exposed"]) == (report["eligible"], 2)
    assert demo.get(url, headers=researcher).json()["code"] == "research_exposure_bad_scope"
    hr = _headers(demo, "hr.minfin", "demo-hr-2026")
    assert demo.get(url, params={"vacancy_id": vacancies[0]}, headers=hr).status_code == 403


def test_a_campaigns_recipients_against_the_subscribers_by_hand(sqlite_url: str, tmp_path: Path) -> None:
    # a minimum cell of 1 hides nothing: the three demo subscribers and one recipient are seen whole
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=1), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        with app.state.sessions() as session:
            open_vacancy = session.scalars(
                select(Competition.vacancy_id).where(Competition.status != "results_published")
            ).first()
        made = client.post(
            "/api/v1/alerts/campaigns",
            headers=_headers(client, "hr.almaty", "demo-hr-2026"),
            json={"vacancy_ids": [open_vacancy]},
        )
        assert made.status_code == 201, made.text
        with app.state.sessions() as session:
            consented = {
                c.candidate_id
                for c in session.scalars(select(Consent).where(Consent.kind == "vacancy_alerts", Consent.granted))
            }
            subscribers = {
                s.candidate_id: s.id for s in session.scalars(select(AlertSubscription).where(AlertSubscription.active))
            }
            eligible = {cid for cid in subscribers if cid in consented}
            shown = set(
                session.scalars(
                    select(AlertSubscription.candidate_id)
                    .join(AlertCampaignRecipient, AlertCampaignRecipient.subscription_id == AlertSubscription.id)
                    .where(AlertCampaignRecipient.campaign_id == made.json()["id"])
                )
            )
            # the stored sex column, not the IIN the service reads: an independent source of the same fact
            sex = dict(session.execute(select(Candidate.id, Candidate.sex)).all())
        answer = client.get(
            "/api/v1/research/exposure",
            params={"campaign_id": made.json()["id"], "groups": "sex"},
            headers=_headers(client, "researcher", "demo-research-2026"),
        )
        assert answer.status_code == 200, answer.text
        rows = {r["group"]: r for r in answer.json()["by_group"]["sex"]["groups"]}
        assert eligible and shown and shown <= eligible
        assert set(rows) == {sex[c] for c in eligible}
        for value, row in rows.items():
            group_eligible = sum(1 for c in eligible if sex[c] == value)
            group_shown = sum(1 for c in shown if sex[c] == value)
            expected = (group_shown / len(shown)) / (group_eligible / len(eligible))
            assert (row["eligible"], row["exposed"]) == (group_eligible, group_shown)
            assert row["exposure_ratio"] == pytest.approx(expected, rel=1e-5)
            assert row["flag"] is (expected < 0.8)
