"""Experience months, education level and the anonymous view of a file the candidate entered through HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.candidates.experience import months_and_days, total_months
from app.candidates.models import Candidate
from app.candidates.service import (
    anonymous_view,
    experience_months,
    functional_area_months,
    highest_education_level,
)
from app.main import create_app
from tests.conftest import make_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(make_settings(database_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(application):
        yield application


def job(start: str, end: str | None, area: str, employer: str = "Employer") -> dict[str, Any]:
    return {
        "employer": employer,
        "position": "Specialist",
        "start_date": start,
        "end_date": end,
        "functional_area": area,
    }


def put_file(
    client: TestClient, headers: dict[str, str], work: list[dict[str, Any]], education: list[dict[str, Any]]
) -> int:
    response = client.put(
        "/api/v1/candidates/me",
        headers=headers,
        json={
            "surname": "Иванов",
            "given_name": "Пётр",
            "phone": "+7 701 000 00 01",
            "region": "Karaganda",
            "locale": "ru",
            "languages": [{"language": "ru", "level": "native"}],
            "education": education,
            "work": work,
        },
    )
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def load(app: FastAPI, candidate_id: int) -> Candidate:
    with app.state.sessions() as session:
        candidate: Candidate | None = session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate


def test_experience_from_the_file_counts_overlaps_once_and_a_current_job_to_the_day(app: FastAPI) -> None:
    client = TestClient(app)
    registered = client.post(
        "/api/v1/candidates/register",
        json={
            "email": "petr@mail.kz",
            "password": PASSWORD,
            "iin": "850315300019",
            "surname": "Иванов",
            "given_name": "Пётр",
            "phone": "+7 701 000 00 01",
            "region": "Karaganda",
            "consents": {"selection_rules": True, "personal_data": True},
        },
    )
    assert registered.status_code == 202, registered.text
    token = client.post("/api/v1/auth/token", data={"username": "petr@mail.kz", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    candidate_id = put_file(
        client,
        headers,
        work=[
            # 2015-01-01..2017-12-31: 36 months in finance.
            job("2015-01-01", "2017-12-31", "finance", "Bank"),
            # Overlaps the first job by a year: only 2018 adds (12 months), finance by area 2017..2018.
            job("2017-01-01", "2018-12-31", "finance", "Akimat"),
            # A gap in 2019, then a current job from 2020-03-01.
            job("2020-03-01", None, "legal", "Ministry of Justice"),
            # A job that starts after the reference day does not count.
            job("2030-01-01", None, "legal", "Future employer"),
        ],
        education=[
            {
                "level": "bachelor",
                "field": "Law",
                "institution": "KarSU",
                "start_date": "2002-09-01",
                "end_date": "2006-06-30",
            },
            {
                "level": "master",
                "field": "Finance",
                "institution": "KBTU",
                "start_date": "2007-09-01",
                "end_date": None,
            },
            {
                "level": "technical_vocational",
                "field": "Accounting",
                "institution": "College",
                "start_date": "1999-09-01",
                "end_date": "2002-06-30",
            },
        ],
    )
    candidate = load(app, candidate_id)
    on = date(2026, 3, 1)
    # 48 months (2015-01-01..2018-12-31) + 72 months and 1 day (2020-03-01..2026-03-01 inclusive)
    assert experience_months(candidate, on) == 48 + 72
    assert functional_area_months(candidate, "finance", on) == 48
    assert functional_area_months(candidate, "legal", on) == 72
    assert functional_area_months(candidate, "it", on) == 0
    # The day before the sixth anniversary, the current job is one month short.
    assert experience_months(candidate, date(2026, 2, 27)) == 48 + 71
    # On a day inside the first job only what was worked up to it counts.
    assert experience_months(candidate, date(2015, 6, 30)) == 6
    assert highest_education_level(candidate) == "master"
    view = anonymous_view(candidate, on=on)
    assert view.model_dump() == {
        "highest_education_level": "master",
        "education": [
            {"level": "technical_vocational", "field": "Accounting"},
            {"level": "bachelor", "field": "Law"},
            {"level": "master", "field": "Finance"},
        ],
        "experience_months": 120,
        "functional_area_months": {"finance": 48, "legal": 72},
        "languages": [{"language": "ru", "level": "native"}],
    }
    dumped = str(view.model_dump())
    assert "Иванов" not in dumped and "850315300019" not in dumped and "Bank" not in dumped

    candidate_id = put_file(client, headers, work=[], education=[])
    candidate = load(app, candidate_id)
    assert experience_months(candidate, on) == 0
    assert highest_education_level(candidate) is None


@pytest.mark.parametrize(
    ("periods", "months"),
    [
        ([(date(2020, 1, 1), date(2020, 12, 31))], 12),
        ([(date(2020, 1, 15), date(2020, 2, 14))], 1),
        ([(date(2020, 1, 15), date(2020, 2, 12))], 0),
        # 30 leftover days make a month.
        ([(date(2020, 1, 15), date(2020, 2, 13))], 1),
        # Two half-months of 15 days each add up to 30 leftover days: one more month.
        ([(date(2020, 1, 1), date(2020, 1, 15)), (date(2020, 3, 1), date(2020, 3, 15))], 1),
        # Jobs that touch (next one starts the day after) join into one period.
        ([(date(2020, 1, 1), date(2020, 6, 30)), (date(2020, 7, 1), date(2020, 12, 31))], 12),
        # One job inside another adds nothing.
        ([(date(2018, 1, 1), date(2021, 12, 31)), (date(2019, 5, 1), date(2019, 9, 30))], 48),
    ],
)
def test_total_months(periods: list[tuple[date, date | None]], months: int) -> None:
    assert total_months(periods, on=date(2026, 1, 1)) == months


def test_months_and_days_at_month_ends() -> None:
    # A month from the 31st ends with the last day of a shorter month.
    assert months_and_days(date(2020, 1, 31), date(2020, 2, 28)) == (1, 0)
    assert months_and_days(date(2020, 1, 30), date(2020, 2, 27)) == (0, 29)
    assert months_and_days(date(2020, 1, 1), date(2020, 3, 31)) == (3, 0)
    assert months_and_days(date(2021, 3, 1), date(2021, 3, 1)) == (0, 1)
