"""Drafting one vacancy-alert campaign for N subscribers (goal: 100,000 in ≤ 5 s), against baselines in the same run.

A temporary SQLite database gets N synthetic candidates with the ``vacancy_alerts`` consent and
one subscription each: 0–3 functional areas of 40, 0–2 regions of 20, 0–2 categories, and for
40 % of them a free text whose (synthetic, unit-length, clustered) query vector is stored in the
``embeddings`` table under a synthetic embedder's model id — exactly where the service reads
them. Then ``app.alerts.campaigns.draft_campaign`` runs for one published vacancy: reading the
eligible subscriptions (join on consent), reading the stored text vectors, the vectorised
criteria and similarity match, and writing the campaign and its recipient rows.

Left out, on purpose: the matcher's profile score of each recipient
(``app.matching.service.score_candidates_for_vacancies``, measured by ``bench_matching``) is
replaced by a stub, because this benchmark is about the fan-out over subscribers.

Baselines in the same run: the same decision as a plain Python loop over 10,000 subscribers
(scaled ×N/10,000), and the numpy dot product alone over all text vectors.

    python -m evaluation.bench.bench_alerts [--subscribers 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, insert, select

from app import db
from app.alerts import campaigns as alerts
from app.alerts.models import AlertCampaignRecipient, AlertSubscription
from app.alerts.scoring import VacancyFacts, build_subscriber_set, match_subscribers, match_subscribers_loop
from app.auth.models import Account, StateBody
from app.candidates.models import Candidate, Consent
from app.db import transaction, utcnow
from app.matching import service as matching
from app.matching.models import StoredEmbedding
from app.models import metadata
from app.settings import Settings
from app.vacancies.models import Vacancy
from ml.embeddings import content_hash
from ml.registry import ModelInfo

AREAS = [f"area_{i:02d}" for i in range(40)]
REGIONS = [
    "Astana",
    "Almaty",
    "Shymkent",
    "Abai",
    "Akmola",
    "Aktobe",
    "Almaty Region",
    "Atyrau",
    "East Kazakhstan",
    "Jambyl",
    "Jetisu",
    "Karaganda",
    "Kostanay",
    "Kyzylorda",
    "Mangystau",
    "North Kazakhstan",
    "Pavlodar",
    "Turkistan",
    "Ulytau",
    "West Kazakhstan",
]
CATEGORIES = ["C-1", "C-2", "C-3", "C-4", "C-5", "D-1", "D-2", "D-3", "E-1", "E-2", "B-1", "B-2"]
DIM = 384
GOAL_SECONDS = 5.0


class SyntheticEmbedder:
    """Stands in for the real embedder: fixed vectors, a model id for the stored rows, no model run."""

    dim = DIM

    def __init__(self, vacancy_vector: np.ndarray) -> None:
        self.model_info = ModelInfo("synthetic/bench-alerts", "1", "0" * 64)
        self._vacancy = vacancy_vector

    @property
    def model_id(self) -> str:
        return "synthetic/bench-alerts@1"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"{len(texts)} query vectors were not found in the store")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.repeat(self._vacancy[None, :], len(texts), axis=0)

    def token_count(self, text: str) -> int:
        return len(text.split())


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def synthetic(n: int, seed: int = 7) -> tuple[list[dict[str, Any]], dict[int, np.ndarray], np.ndarray]:
    """Criteria per subscriber, text vectors by position, and the vacancy's vector."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(16, DIM)))
    vacancy = _unit(centres[3:4] + 0.35 * rng.normal(size=(1, DIM)) / np.sqrt(DIM))[0]
    criteria: list[dict[str, Any]] = []
    vectors: dict[int, np.ndarray] = {}
    has_text = rng.random(n) < 0.4
    cluster = rng.integers(0, 16, n)
    noise = _unit(rng.normal(size=(int(has_text.sum()), DIM)))
    text_rows = _unit(centres[cluster[has_text]] + 0.45 * noise)
    text_index = 0
    for i in range(n):
        item: dict[str, Any] = {
            "functional_areas": sorted(set(rng.choice(AREAS, int(rng.integers(0, 4))).tolist())),
            "regions": sorted(set(rng.choice(REGIONS, int(rng.choice([0, 0, 1, 2]))).tolist())),
            "categories": sorted(set(rng.choice(CATEGORIES, int(rng.choice([0, 0, 1, 2]))).tolist())),
            "text": None,
        }
        if has_text[i]:
            item["text"] = f"synthetic wish {i}"
            vectors[i] = text_rows[text_index]
            text_index += 1
        criteria.append(item)
    return criteria, vectors, vacancy


def _populate(
    sessions: Any, criteria: list[dict[str, Any]], vectors: dict[int, np.ndarray], embedder: SyntheticEmbedder
) -> int:
    """Candidates, consents, subscriptions and stored text vectors by bulk insert; returns the vacancy id."""
    now = utcnow()
    n = len(criteria)
    with transaction(sessions) as session:
        body = StateBody(code="BENCH", name_kk="Орган", name_ru="Орган", region="Astana")
        session.add(body)
        session.flush()
        hr = Account(
            email="hr@bench.kz",
            password_hash="x",
            role="hr_officer",
            state_body_id=body.id,
            display_name="HR",
            locale="kk",
        )
        session.add(hr)
        session.flush()
        vacancy = Vacancy(
            state_body_id=body.id,
            category="C-4",
            managerial=False,
            functional_area="area_07",
            title_kk="Бас маман",
            title_ru="Главный специалист",
            duties_kk="-",
            duties_ru="-",
            requirements={},
            status="published",
            created_by=hr.id,
            created_at=now,
            updated_at=now,
        )
        session.add(vacancy)
        session.flush()
        vacancy_id = vacancy.id
        session.execute(
            insert(Account),
            [
                {
                    "id": 10 + i,
                    "email": f"c{i}@bench.kz",
                    "password_hash": "x",
                    "role": "candidate",
                    "display_name": f"c{i}",
                    "locale": "kk" if i % 2 else "ru",
                    "is_active": True,
                    "is_demo": False,
                    "created_at": now,
                }
                for i in range(n)
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
                    "phone": "+7",
                    "region": "Astana",
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n)
            ],
        )
        session.execute(
            insert(Consent),
            [{"candidate_id": 1 + i, "kind": "vacancy_alerts", "granted": True, "changed_at": now} for i in range(n)],
        )
        session.execute(
            insert(AlertSubscription),
            [
                {
                    "id": 1 + i,
                    "candidate_id": 1 + i,
                    "criteria": item,
                    "frequency": "daily",
                    "text_hash": None if item["text"] is None else content_hash(item["text"], "query"),
                    "locale": "kk",
                    "active": True,
                    "created_at": now,
                }
                for i, item in enumerate(criteria)
            ],
        )
        session.execute(
            insert(StoredEmbedding),
            [
                {
                    "model_id": embedder.model_id,
                    "content_hash": content_hash(criteria[i]["text"], "query"),
                    "dim": DIM,
                    "vector": vectors[i].astype("<f4").tobytes(),
                    "created_at": now,
                }
                for i in vectors
            ],
        )
    return vacancy_id


def bench(n: int, threshold: float = 0.80) -> dict[str, Any]:
    criteria, vectors, vacancy_vector = synthetic(n)
    embedder = SyntheticEmbedder(vacancy_vector)
    facts = VacancyFacts(0, "area_07", "Astana", "C-4", vacancy_vector)

    # Baseline 1: one subscriber at a time, on 10,000 of them, scaled.
    sample = min(n, 10_000)
    started = time.perf_counter()
    loop_chosen = match_subscribers_loop(
        ((criteria[i], vectors.get(i)) for i in range(sample)), facts, min_text_similarity=threshold
    )
    loop_seconds = (time.perf_counter() - started) * n / sample
    # Baseline 2: the dot product alone.
    matrix = np.stack(list(vectors.values()))
    started = time.perf_counter()
    _ = matrix @ vacancy_vector
    dot_seconds = time.perf_counter() - started
    # The vectorised decision in memory (and the same answer as the loop on the sample).
    started = time.perf_counter()
    columns = build_subscriber_set(list(range(n)), list(range(n)), criteria, vectors, DIM)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    found = match_subscribers(columns, facts, min_text_similarity=threshold)
    match_seconds = time.perf_counter() - started
    vector_chosen = [p for p in found.positions.tolist() if p < sample]
    assert vector_chosen == loop_chosen, "the vectorised match disagrees with the loop"

    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        metadata.create_all(engine)
        cast(Table, StoredEmbedding.__table__).create(engine, checkfirst=True)
        sessions = db.make_session_factory(engine)
        started = time.perf_counter()
        vacancy_id = _populate(sessions, criteria, vectors, embedder)
        populate_seconds = time.perf_counter() - started
        original = getattr(matching, "score_candidates_for_vacancies", None)
        matching.score_candidates_for_vacancies = lambda *args, **kwargs: {}
        try:
            with db.transaction(sessions) as session:
                vacancy = session.get(Vacancy, vacancy_id)
                assert vacancy is not None
                started, cpu_started = time.perf_counter(), time.process_time()
                campaign = alerts.draft_campaign(
                    session=session,
                    vacancies=[vacancy],
                    actor=None,
                    settings=Settings(alerts_min_text_similarity=threshold),
                    on=date(2026, 2, 2),
                    embedder=embedder,
                )
                session.flush()
                draft_seconds = time.perf_counter() - started
                draft_cpu_seconds = time.process_time() - cpu_started
                recipients = campaign.recipients_count
                stored = len(
                    session.scalars(
                        select(AlertCampaignRecipient.id).where(AlertCampaignRecipient.campaign_id == campaign.id)
                    ).all()
                )
        finally:
            if original is not None:
                matching.score_candidates_for_vacancies = original
        engine.dispose()
    assert stored == recipients == len(found.positions), (stored, recipients, len(found.positions))
    return {
        "subscribers": n,
        "with_text": len(vectors),
        "recipients": recipients,
        "draft_seconds": round(draft_seconds, 3),
        "goal_seconds": GOAL_SECONDS,
        # CPU time of this process: what the wall time would be on an idle machine (shared runners are not).
        "draft_cpu_seconds": round(draft_cpu_seconds, 3),
        "goal_met": draft_seconds <= GOAL_SECONDS,
        "in_memory": {"build_columns_seconds": round(build_seconds, 3), "match_seconds": round(match_seconds, 4)},
        "baselines": {
            "python_loop_seconds_scaled": round(loop_seconds, 3),
            "loop_sample": sample,
            "numpy_dot_only_seconds": round(dot_seconds, 4),
        },
        "ratios": {
            "loop_over_vectorised_match": round(loop_seconds / match_seconds, 1),
            "draft_over_dot_only": round(draft_seconds / dot_seconds, 1),
        },
        "setup_seconds": round(populate_seconds, 1),
        "excluded": "the matcher's per-recipient profile score (bench_matching measures it)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = bench(args.subscribers)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"drafting one campaign for {result['subscribers']:,} subscribers "
            f"({result['with_text']:,} with a text): {result['draft_seconds']} s "
            f"(goal ≤ {GOAL_SECONDS} s: {'met' if result['goal_met'] else 'MISSED'}), "
            f"{result['recipients']:,} recipients; CPU {result['draft_cpu_seconds']} s"
        )
        print(
            f"  in memory: columns {result['in_memory']['build_columns_seconds']} s, "
            f"match {result['in_memory']['match_seconds']} s"
        )
        baselines = result["baselines"]
        print(
            f"  baselines: Python loop {baselines['python_loop_seconds_scaled']} s (scaled from "
            f"{baselines['loop_sample']:,}), numpy dot alone {baselines['numpy_dot_only_seconds']} s"
        )
        print(f"  ratios: loop / vectorised match = {result['ratios']['loop_over_vectorised_match']}×")
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
