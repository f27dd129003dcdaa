"""Exposure ratios over HTTP on the demo data: a talent search's top ten and a campaign's recipients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

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
