"""Shared set-up for the vacancy, competition and application API tests: an app with a pinned date, people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import db
from app.auth.models import Account
from app.deps import get_today
from app.main import create_app
from tests.conftest import make_settings
from tests.factories.accounts import auth_headers, make_account, make_state_body
from tests.factories.candidates import make_candidate

TODAY = date(2026, 2, 2)  # a Monday with no holiday near it

DUTIES = {"duties_kk": "Құқықтық сараптама жүргізу.", "duties_ru": "Проведение правовой экспертизы."}


def vacancy_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "C-4",
        "functional_area": "legal",
        "title_kk": "Бас сарапшы",
        "title_ru": "Главный эксперт",
        **DUTIES,
        "requirements": {"min_education_level": "bachelor", "education_fields": ["Law"], "min_experience_months": 12},
    }
    body.update(overrides)
    return body


@dataclass
class World:
    """The app under test, its client and a clock the test can move."""

    app: FastAPI
    client: TestClient
    today: list[date] = field(default_factory=lambda: [TODAY])

    def set_today(self, day: date) -> None:
        self.today[0] = day

    def session(self) -> Any:
        return db.transaction(self.app.state.sessions)

    def headers(self, account: Account) -> dict[str, str]:
        return auth_headers(self.app, account)

    def account(self, role: str, **kwargs: Any) -> Account:
        with self.session() as session:
            return make_account(session, role=role, **kwargs)

    def state_body(self) -> int:
        with self.session() as session:
            return make_state_body(session).id

    def candidate(
        self, *, experience_years: int = 3, level: str = "bachelor", field_name: str = "Law", **kwargs: Any
    ) -> Account:
        """A registered candidate with one diploma and one job in the legal area; returns the account."""
        start = date(TODAY.year - experience_years, TODAY.month, TODAY.day)
        with self.session() as session:
            candidate = make_candidate(
                session,
                secret_key=self.app.state.settings.secret_key,
                education=[
                    {
                        "level": level,
                        "field": field_name,
                        "institution": "ENU",
                        "start_date": date(2008, 9, 1),
                        "end_date": date(2012, 6, 30),
                    }
                ],
                work=[
                    {
                        "employer": "Ministry",
                        "position": "Specialist",
                        "start_date": start,
                        "end_date": None,
                        "functional_area": "legal",
                    }
                ],
                **kwargs,
            )
            return candidate.account

    def published_competition(self, hr: Account, **overrides: Any) -> tuple[int, int]:
        """Create and publish a vacancy as ``hr``; ``(vacancy_id, competition_id)``."""
        created = self.client.post("/api/v1/vacancies", json=vacancy_body(**overrides), headers=self.headers(hr))
        assert created.status_code == 201, created.text
        published = self.client.post(f"/api/v1/vacancies/{created.json()['id']}/publish", headers=self.headers(hr))
        assert published.status_code == 200, published.text
        return created.json()["id"], published.json()["competition_id"]


def _world(database_url: str, tmp_path: Any) -> Iterator[World]:
    app = create_app(make_settings(database_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    today = [TODAY]
    app.dependency_overrides[get_today] = lambda: today[0]
    with TestClient(app) as client:
        yield World(app=app, client=client, today=today)


@pytest.fixture(name="world")
def world_fixture(sqlite_url: str, tmp_path: Any) -> Iterator[World]:
    """The app on SQLite (fast: most tests)."""
    yield from _world(sqlite_url, tmp_path)


@pytest.fixture(name="world_every_backend")
def world_every_backend_fixture(database_url: str, tmp_path: Any) -> Iterator[World]:
    """The app on SQLite and, when it answers, PostgreSQL."""
    yield from _world(database_url, tmp_path)
