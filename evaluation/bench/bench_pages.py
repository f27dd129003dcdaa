"""Candidate pages under load of data: render times beside ``/health``, the page's answer path beside the
API's, and the weight of the heaviest page.

The run migrates a fresh SQLite database, bulk-inserts ``--candidates`` candidates (10,000),
``--vacancies`` published vacancies with open competitions (200) and ``--applications``
applications (50,000), signs one candidate in (a server-side session, as the sign-in page makes)
and drives the app in process (``TestClient``: no network, so the time is the server's):

- p50/p95 of ``/`` (the home page), a vacancy page and ``/applications`` (a candidate with five
  applications) beside ``GET /health`` measured in the same run; goal p95 <= 30 ms;
- one test answer saved from the page (``POST /test-sessions/{id}/answers``, cookie and CSRF)
  beside the API's ``PUT /api/v1/test-sessions/{id}/answers/{item}`` (bearer token); goal ratio <= 1.2;
- the bytes of each candidate page with its stylesheet and scripts; goal <= 100 KB for the heaviest.

    python -m evaluation.bench.bench_pages [--candidates 10000] [--vacancies 200] [--applications 50000]
    python -m evaluation.bench.bench_pages --candidates 500 --vacancies 20 --applications 2000 --repeat 50  # quick

PostgreSQL is not measured here (no server on this machine); the seeding is the same SQL.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from app import db
from app.applications.models import Application
from app.auth.crypto import encrypt_iin
from app.auth.models import Account, StateBody
from app.auth.security import hash_password, issue_access_token
from app.candidates.demo import make_iin
from app.candidates.models import Candidate, Consent
from app.clock import KAZAKHSTAN, kazakhstan_today
from app.competitions.models import Competition
from app.exams import service as exams
from app.exams.forms import cached_form, get_item_bank
from app.main import create_app
from app.migrate import upgrade
from app.rules.calendar import working_day_deadline
from app.rules.policy import SelectionPolicy
from app.settings import Settings
from app.vacancies.models import Vacancy
from app.web import sessions

GOAL_P95_MS = 30.0
GOAL_ANSWER_RATIO = 1.2
GOAL_PAGE_BYTES = 100 * 1024
REGIONS = ("Astana", "Almaty", "Shymkent", "Karaganda", "Aktobe")


def seed(
    sessions_factory: Any, *, candidates: int, vacancies: int, applications: int, seed_value: int, secret_key: str
) -> int:
    """Bulk rows (no audit events: this is load, not a workflow); returns the signed-in candidate's account id."""
    rng = random.Random(seed_value)
    now = db.utcnow()
    today = kazakhstan_today()
    password = hash_password("bench-password-1")
    with db.transaction(sessions_factory) as session:
        session.execute(
            insert(StateBody),
            [
                {
                    "id": 1 + i,
                    "code": f"BENCH-{i}",
                    "name_kk": f"Орган {i}",
                    "name_ru": f"Орган {i}",
                    "region": region,
                    "created_at": now,
                }
                for i, region in enumerate(REGIONS)
            ],
        )
        session.execute(
            insert(Account),
            [
                {
                    "id": 1,
                    "email": "hr@bench.kz",
                    "password_hash": password,
                    "role": "hr_officer",
                    "state_body_id": 1,
                    "display_name": "HR",
                    "locale": "kk",
                    "created_at": now,
                }
            ],
        )
        session.execute(
            insert(Vacancy),
            [
                {
                    "id": 1 + v,
                    "state_body_id": 1 + v % len(REGIONS),
                    "category": rng.choice(("C-4", "C-3", "B-4")),
                    "managerial": False,
                    "functional_area": rng.choice(("legal", "finance", "healthcare")),
                    "title_kk": f"Бас маман {v}",
                    "title_ru": f"Главный специалист {v}",
                    "duties_kk": "Құқықтық сараптама жүргізу. " * 20,
                    "duties_ru": "Проведение правовой экспертизы. " * 20,
                    "requirements": {
                        "min_education_level": "bachelor",
                        "education_fields": ["Law"],
                        "min_experience_months": 12,
                    },
                    "status": "published",
                    "created_by": 1,
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                }
                for v in range(vacancies)
            ],
        )
        session.execute(
            insert(Competition),
            [
                {
                    "id": 1 + v,
                    "vacancy_id": 1 + v,
                    "state_body_id": 1 + v % len(REGIONS),
                    "category": "C-4",
                    "managerial": False,
                    "stage_plan": ["eligibility", "personal_qualities", "reasoning", "interview", "final"],
                    "policy": {},
                    "status": "open",
                    "published_on": today,
                    "applications_close_on": today + timedelta(days=10),
                    "documents_review_due": today + timedelta(days=12),
                    "prescoring_mode": "blind_first",
                    "created_at": now,
                }
                for v in range(vacancies)
            ],
        )
        session.execute(
            insert(Account),
            [
                {
                    "id": 10 + i,
                    "email": f"c{i}@bench.kz",
                    "password_hash": password,
                    "role": "candidate",
                    "display_name": f"c{i}",
                    "locale": "kk" if i % 2 else "ru",
                    "is_active": True,
                    "is_demo": False,
                    "created_at": now,
                }
                for i in range(candidates)
            ],
        )
        session.execute(
            insert(Candidate),
            [
                {
                    "id": 1 + i,
                    "account_id": 10 + i,
                    "iin_encrypted": b"x",
                    "iin_hash": f"{i:064d}",
                    "birth_date": date(1990, 1, 1),
                    "sex": "male",
                    "surname": "S",
                    "given_name": "G",
                    "phone": "+7 701",
                    "region": REGIONS[i % len(REGIONS)],
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(candidates)
            ],
        )
        session.execute(
            insert(Consent),
            [
                {"candidate_id": 1 + i, "kind": kind, "granted": True, "changed_at": now}
                for i in range(candidates)
                for kind in ("selection_rules", "personal_data")
            ],
        )
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < applications:
            pairs.add((1 + rng.randrange(vacancies), 1 + rng.randrange(candidates)))
        for c in range(5):  # the signed-in candidate (candidate 1) has five applications
            pairs.add((1 + c % vacancies, 1))
        due = working_day_deadline(today, SelectionPolicy().hr_confirmation_working_days)
        qualification = [
            {"requirement": "experience", "met": True, "required": 12, "actual": 36, "reason": "experience_met"}
        ]
        session.execute(
            insert(Application),
            [
                {
                    "competition_id": competition,
                    "candidate_id": candidate,
                    "anonymous_code": f"IR-{n:08d}",
                    "status": "submitted",
                    "applied_at": now,
                    "applied_on": today,
                    "hr_confirmation_due": due,
                    "qualified": True,
                    "qualification": qualification,
                    "experience_months": 36,
                    "education_level": "bachelor",
                }
                for n, (competition, candidate) in enumerate(sorted(pairs))
            ],
        )
        # the signed-in candidate's IIN readable, as a registration stores it (their personal file is a page)
        session.get(Candidate, 1).iin_encrypted = encrypt_iin(  # type: ignore[union-attr]
            make_iin(date(1990, 1, 1), "male", 1), secret_key=secret_key
        )
    return 10


def timings(client: TestClient, path: str, repeat: int, **kwargs: Any) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, **kwargs)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
    }


def answer_path(client: TestClient, app: Any, account_id: int, cookie_token: str, repeat: int) -> dict[str, Any]:
    """The page's answer path beside the API's, on the same started legislation session."""
    now = db.utcnow()
    starts = datetime.combine(
        kazakhstan_today() + timedelta(days=2), datetime.min.time().replace(hour=10), tzinfo=KAZAKHSTAN
    )
    with db.transaction(app.state.sessions) as session:
        account = session.get(Account, account_id)
        assert account is not None
        booking = exams.book(
            session=session,
            actor=account,
            bank=get_item_bank(),
            policy=SelectionPolicy(),
            today=kazakhstan_today(),
            now=now,
            programme="legislation",
            language="kk",
            starts_at=starts,
            application_id=None,
        )
        started = exams.start(
            session=session,
            queue=app.state.queue,
            booking_id=booking.id,
            actor=account,
            now=starts.astimezone(UTC),
            settings=app.state.settings,
        )
        session_id = started.id
        items = [(item.id, item.option_ids[0]) for item in cached_form(session, started.form_hash).items]
    token = issue_access_token(account_id=account_id, role="candidate", settings=app.state.settings)
    page = client.get(f"/test-sessions/{session_id}/questions/1")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert csrf is not None and cookie_token
    web, api = [], []
    for index in range(repeat):
        item, option = items[index % len(items)]
        begin = time.perf_counter()
        response = client.post(
            f"/test-sessions/{session_id}/answers",
            data={
                "csrf_token": csrf.group(1),
                "item_id": item,
                "option": option,
                "client_request_id": uuid.uuid4().hex,
            },
        )
        web.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.text
        begin = time.perf_counter()
        response = client.put(
            f"/api/v1/test-sessions/{session_id}/answers/{item}",
            json={"option": option, "client_request_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {token}"},
        )
        api.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.text
    return {
        "page": summary(web),
        "api": summary(api),
        "ratio_p50": round(statistics.median(web) / statistics.median(api), 2),
        "session_id": session_id,
    }


def _transferred(client: TestClient, path: str) -> tuple[int, str]:
    """Bytes on the wire (gzip when the server sends it) and the text."""
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
        assert response.status_code == 200, (path, response.status_code)
    return len(raw), client.get(path).text


def weight(client: TestClient, paths: dict[str, str]) -> dict[str, int]:
    """Bytes transferred for each page with the stylesheet and scripts it loads."""
    sizes = {}
    for name, path in paths.items():
        size, html = _transferred(client, path)
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        sizes[name] = size + sum(_transferred(client, asset)[0] for asset in assets)
    return sizes


def bench(candidates: int, vacancies: int, applications: int, repeat: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="irikteu-bench-pages-"))
    url = f"sqlite:///{folder / 'irikteu.db'}"
    upgrade(url)
    settings = Settings(
        environment="test", database_url=url, queue_url=f"sqlite:///{folder / 'q.db'}", log_level="WARNING"
    )
    app = create_app(settings, start_consumer=False)
    with TestClient(app) as client:
        started = time.perf_counter()
        account_id = seed(
            app.state.sessions,
            candidates=candidates,
            vacancies=vacancies,
            applications=applications,
            seed_value=7,
            secret_key=settings.secret_key,
        )
        seeded_s = time.perf_counter() - started
        with db.transaction(app.state.sessions) as session:
            account = session.get(Account, account_id)
            assert account is not None
            cookie = sessions.start(session, account, db.utcnow())
        client.cookies.set(sessions.SESSION_COOKIE, cookie)
        measure: dict[str, Callable[[], list[float]]] = {
            "health": lambda: timings(client, "/health", repeat),
            "home": lambda: timings(client, "/", repeat),
            "vacancy": lambda: timings(client, "/vacancies/1", repeat),
            "my_applications": lambda: timings(client, "/applications", repeat),
        }
        for action in measure.values():  # warm the caches once
            action()
        results = {name: summary(action()) for name, action in measure.items()}
        health = results["health"]["p95_ms"]
        answers = answer_path(client, app, account_id, cookie, repeat)
        sizes = weight(
            client,
            {
                "home": "/",
                "vacancy": "/vacancies/1",
                "my_applications": "/applications",
                "register": "/register",
                "profile_edit": "/profile/edit",
                "test_question": f"/test-sessions/{answers['session_id']}/questions/1",
            },
        )
    pages = {
        name: {**values, "ratio_p95_to_health": round(values["p95_ms"] / health, 1)}
        for name, values in results.items()
        if name != "health"
    }
    return {
        "candidates": candidates,
        "vacancies": vacancies,
        "applications": applications,
        "repeat": repeat,
        "seeded_s": round(seeded_s, 1),
        "health": results["health"],
        "pages": pages,
        "pages_within_goal": all(p["p95_ms"] <= GOAL_P95_MS for p in pages.values()),
        "answer": answers,
        "answer_within_goal": answers["ratio_p50"] <= GOAL_ANSWER_RATIO,
        "bytes": sizes,
        "heaviest_bytes": max(sizes.values()),
        "weight_within_goal": max(sizes.values()) <= GOAL_PAGE_BYTES,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=200)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    print(json.dumps(bench(args.candidates, args.vacancies, args.applications, args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
