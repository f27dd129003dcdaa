"""Essay pre-scoring behind the commission's review gate, through HTTP with real roles.

The scorer here is a fixed stand-in (``FakeScorer``: the test says which essay text gets which
score or reason), so the gate is tested exactly and fast; tests/integration/test_prescoring_scorer.py
trains and runs the real ``EssayScorer`` through the same jobs.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.applications.models import Application
from app.audit.models import AuditEvent
from app.competitions import service as competitions
from app.competitions.models import SCORE_ML_SUGGESTION, Competition, MemberScore
from app.essays.models import Essay
from app.essays.prescore_queue import PRESCORE_JOB, TRAIN_JOB, enqueue_prescore, enqueue_training
from app.jobs.models import Job
from app.notifications.models import Notification
from app.prescoring import jobs as prescoring_jobs
from app.prescoring import registry, views
from app.prescoring.models import EssayDiscussion, EssayModel, EssaySuggestion
from app.prescoring.texts import UNAVAILABLE_TEXTS
from app.protocol import link as protocol_link
from app.protocol.document import content_hash, render_html, render_pdf
from app.protocol.models import Protocol
from app.rules.competition import outcome_to_json, run_competition
from app.selection import service as selection
from ml.essay_scoring.api import REASON_LANGUAGE_MISMATCH, REASONS, EssayInput, Suggestion, is_stale_artifact
from tests.api._assessment import (
    NOW,
    TOPIC,
    Clocked,
    Setup,
    assert_anonymous,
    build,
    clocked_world_every_backend_fixture,  # noqa: F401
    clocked_world_fixture,  # noqa: F401
    close,
    score,
    write_essay,
)

ESSAYS = {
    "kk": "Мемлекеттік қызметтегі адалдық — халық сенімінің негізі. Ашықтық пен жауапкершілік оны нығайтады.",
    "ru": "Честность на государственной службе — основа доверия граждан. Её укрепляют открытость и ответственность.",
    "short": "Адалдық маңызды. Ол сенім береді.",
    "mixed": "Честность важна. Адалдық маңызды.",
}
CARD = {
    "name": "fake-scorer",
    "version": "0.1",
    "params_sha256": "a" * 64,
    "encoder": {"name": "fake-encoder", "version": "0", "weights_sha256": "e" * 64},
}
LOAD_SCORER = prescoring_jobs.load_scorer  # the real loader (``EssayScorer.from_bytes``)
FEATURES = [
    {"feature": "words", "value": 14.0, "contribution": 0.41},
    {"feature": "rubric_level_4_similarity", "value": 0.83, "contribution": -0.12},
]


VALID_METRICS: dict[str, Any] = {
    "cv_qwk": 0.81,
    "validity": {
        "n": 30,
        "qwk": 0.81,
        "smd": 0.02,
        # ru: 10 essays, under essay_gate_min_group_essays (20), so its SMD does not count
        "groups": {"language": {"kk": {"n": 20, "smd": 0.05}, "ru": {"n": 10, "smd": 0.3}}},
    },
}


@dataclass
class FakeScorer:
    """The ``EssayScorer`` contract with answers fixed per essay text: a score, or a reason code."""

    answers: dict[str, int | str] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=lambda: dict(CARD))
    seen: list[EssayInput] = field(default_factory=list)
    cohorts: list[list[str]] = field(default_factory=list)
    training_metrics_: dict[str, Any] = field(default_factory=lambda: {"n": 0, "cv_qwk": 0.5})

    @property
    def params_sha256(self) -> str:
        return str(self.card["params_sha256"])

    def fit(self, X: list[EssayInput], y: list[int]) -> FakeScorer:
        self.seen, self.answers = list(X), {essay.text: label for essay, label in zip(X, y, strict=True)}
        self.training_metrics_ = {"n": len(X), "cv_qwk": 0.5}
        self.cv_predicted_ = list(y)  # out-of-fold points as good as the labels: the validity gate lets it serve
        return self

    def suggest(self, essay: EssayInput, top: int = 5, cohort: Sequence[EssayInput] = ()) -> Suggestion:
        self.seen.append(essay)
        self.cohorts.append([peer.text for peer in cohort])
        answer = self.answers[essay.text]
        if isinstance(answer, str):
            return Suggestion.none(answer, self.model_card())
        probabilities = {point: (0.6 if point == answer else 0.1) for point in range(1, 6)}
        return Suggestion(
            score=answer,
            probabilities=probabilities,
            confidence=0.6,
            top_features=list(FEATURES),
            model=self.model_card(),
        )

    def model_card(self) -> dict[str, Any]:
        return dict(self.card)

    def to_bytes(self) -> bytes:
        return json.dumps({"answers": self.answers, "card": self.card}).encode()


@dataclass
class Scene:
    world: Clocked
    setup: Setup
    loaded: list[FakeScorer] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"/api/v1/competitions/{self.setup.competition_id}"

    def register(
        self,
        answers: dict[str, int | str],
        *,
        scope: str = "topic",
        card: dict[str, Any] | None = None,
        topic: dict[str, str] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> int:
        """A trained model in the registry (the fake scorer's bytes); by default its figures pass the gate."""
        scorer = FakeScorer(answers=answers, card=card or dict(CARD))
        key = None if scope == "cross_topic" else registry.topic_key(**(topic or TOPIC))
        with self.world.session() as session:
            return registry.register_model(
                session,
                scope=scope,
                key=key,
                card=scorer.card,
                params_sha256=scorer.params_sha256,
                data_sha256="d" * 64,
                n_train=30,
                metrics=metrics or VALID_METRICS,
                artifact=scorer.to_bytes(),
            ).id

    def jobs(self, kind: str = PRESCORE_JOB, status: str = "queued") -> list[str]:
        with self.world.session() as session:
            return list(
                session.scalars(
                    select(Job.id).where(Job.kind == kind, Job.status == status).order_by(Job.created_at, Job.id)
                ).all()
            )

    def run(self, kind: str = PRESCORE_JOB) -> list[dict[str, Any]]:
        """Run every queued job of ``kind`` as the worker would; their results."""
        results = []
        admin = self.world.headers(self.world.account("administrator"))  # reads any job (of other bodies too)
        for job_id in self.jobs(kind):
            self.world.app.state.queue.execute(job_id)
            job = self.world.client.get(f"/api/v1/jobs/{job_id}", headers=admin).json()
            assert job["status"] == "succeeded", job
            results.append(job["result"])
        return results

    def essays(self, account: Any) -> dict[str, dict[str, Any]]:
        listed = self.world.client.get(f"{self.base}/essays", headers=self.world.headers(account))
        assert listed.status_code == 200, listed.text
        return {essay["anonymous_code"]: essay for essay in listed.json()["essays"]}

    def switch(self, enabled: bool) -> None:
        admin = self.world.account("administrator")
        done = self.world.client.put(
            "/api/v1/admin/ml/essay_prescoring", json={"enabled": enabled}, headers=self.world.headers(admin)
        )
        assert done.status_code == 200, done.text

    def discuss(self, account: Any, code: str, note: str = "Комиссия талқылады") -> Any:
        return self.world.client.post(
            f"{self.base}/essays/{code}/discussion", json={"note": note}, headers=self.world.headers(account)
        )


def _scene(world: Clocked, monkeypatch: pytest.MonkeyPatch) -> Scene:
    made = Scene(world=world, setup=build(world))

    def load(artifact: bytes, _embedder: Any) -> FakeScorer:
        saved = json.loads(artifact)
        scorer = FakeScorer(answers=saved["answers"], card=saved["card"])
        made.loaded.append(scorer)
        return scorer

    monkeypatch.setattr(prescoring_jobs, "load_scorer", load)
    monkeypatch.setattr(prescoring_jobs, "new_scorer", lambda _embedder, _points, _scope: FakeScorer())
    monkeypatch.setattr(prescoring_jobs, "embedder_for", lambda _settings, _sessions: None)
    return made


@pytest.fixture
def scene(world: Clocked, monkeypatch: pytest.MonkeyPatch) -> Scene:
    """A competition whose candidates reached the essay, on SQLite, with the fixed scorer."""
    return _scene(world, monkeypatch)


@pytest.fixture
def scene_every_backend(world_every_backend: Clocked, monkeypatch: pytest.MonkeyPatch) -> Scene:
    """The same on SQLite and, when it answers, PostgreSQL."""
    return _scene(world_every_backend, monkeypatch)


def suggested(score_value: int, *, essay_model_id: int, scope: str = "topic") -> dict[str, Any]:
    """The suggestion block the fake scorer's answer ``score_value`` gives."""
    return {
        "status": "suggested",
        "score": score_value,
        "probabilities": {str(p): (0.6 if p == score_value else 0.1) for p in range(1, 6)},
        "confidence": 0.6,
        "top_features": FEATURES,
        "model": {**CARD, "scope": scope, "essay_model_id": essay_model_id},
    }


def without_time(block: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if key != "suggested_at"}


# --- the suggestion never counts ------------------------------------------------------------------------


def test_the_prescore_never_counts_in_a_mean_a_pass_mark_the_outcome_the_protocol_or_a_notification(
    scene: Scene,
) -> None:
    world, setup = scene.world, scene.setup
    first, second, third = setup.people
    chair, member, other = setup.members
    model_id = scene.register({ESSAYS["kk"]: 1, ESSAYS["ru"]: 5, ESSAYS["short"]: 3})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    write_essay(world, third, ESSAYS["short"], language="kk")
    results = scene.run()
    assert [(r["status"], r["score"], r["essay_model_id"]) for r in results] == [
        ("suggested", 1, model_id),
        ("suggested", 5, model_id),
        ("suggested", 3, model_id),
    ]
    # a pre-score job is read by the body's HR, never by the members (they score blind first) or another body
    job_id = scene.jobs(status="succeeded")[0]
    readers = {"hr": setup.hr, "chair": chair, "other body's HR": world.account("hr_officer")}
    assert {
        who: world.client.get(f"/api/v1/jobs/{job_id}", headers=world.headers(account)).status_code
        for who, account in readers.items()
    } == {"hr": 200, "chair": 404, "other body's HR": 404}
    assert [essay.language for essay in scene.loaded[0].seen] == ["kk"]
    assert scene.loaded[0].seen[0] == EssayInput(text=ESSAYS["kk"], language="kk", topic=TOPIC["kk"], word_limit=200)
    assert scene.loaded[1].seen[0].topic == TOPIC["ru"]

    # first: members 3, 3, 3 (mean 3 passes; with the 1 it would be 2.5 and fail);
    # second: 3, 2, 2 (mean 7/3 fails; with the 5 it would be exactly 3 and pass); third: 4, 4, 4
    for person, values in ((first, (3, 3, 3)), (second, (3, 2, 2)), (third, (4, 4, 4))):
        for scorer, value in zip((chair, member, other), values, strict=True):
            assert score(world, setup, "essay", person.code, scorer, value).status_code == 200
    blocked = close(world, setup, "essay")
    assert (blocked.status_code, blocked.json()["code"], blocked.json()["anonymous_codes"]) == (
        409,
        "essay_discussion_required",
        [first.code, second.code],
    )
    for person in (first, second):
        assert scene.discuss(chair, person.code).status_code == 201
    closed = close(world, setup, "essay")
    assert closed.status_code == 200, closed.text

    progress = world.client.get(f"{scene.base}/progress", headers=world.headers(setup.hr)).json()["outcome"]
    essay_stage = next(stage for stage in progress["stages"] if stage["stage"] == "essay")
    assert essay_stage["advanced"] == [first.code, third.code]
    assert essay_stage["eliminated"] == {second.code: "essay_below_minimum"}
    replay = world.client.get(f"{scene.base}/replay-input", headers=world.headers(setup.hr)).json()
    assert [c.get("essay") for c in replay["candidates"]] == [[3, 3, 3], [3, 2, 2], [4, 4, 4]]

    # the interviews of the two who went on, then the results and the protocol
    for slot, person in enumerate((first, third)):
        scheduled = world.client.post(
            f"{scene.base}/interviews",
            headers=world.headers(setup.hr),
            json={"anonymous_code": person.code, "starts_at": f"2026-02-03T1{slot}:00:00+05:00"},
        )
        assert scheduled.status_code == 201, scheduled.text
        held = world.client.post(
            f"/api/v1/interviews/{scheduled.json()['id']}/status",
            json={"status": "held"},
            headers=world.headers(setup.hr),
        )
        assert held.status_code == 200, held.text
    world.set_now(datetime(2026, 2, 4, 7, 0, tzinfo=UTC))
    for person, values in ((first, (4, 4, 4)), (third, (5, 5, 4))):
        for scorer, value in zip((chair, member, other), values, strict=True):
            assert score(world, setup, "interview", person.code, scorer, value).status_code == 200
    assert close(world, setup, "interview").status_code == 200
    published = world.client.post(f"{scene.base}/publish-results", headers=world.headers(setup.hr))
    assert published.status_code == 200, published.text
    drawn = world.client.post(f"{scene.base}/protocol", headers=world.headers(setup.hr))
    assert drawn.status_code == 201, drawn.text

    with world.session() as session:
        assert len(session.scalars(select(MemberScore).where(MemberScore.score_type == SCORE_ML_SUGGESTION)).all()) == 3
        competition = session.get(Competition, setup.competition_id)
        assert competition is not None and competition.outcome is not None
        stored_outcome = competition.outcome
        protocol = session.scalars(select(Protocol).where(Protocol.competition_id == competition.id)).one()
        notified = [
            (n.account_id, n.event, n.subject, n.body)
            for n in session.scalars(select(Notification).order_by(Notification.id)).all()
        ]
    assert [(e["ref"], e["rank"]) for e in stored_outcome["ranking"]] == [(third.code, 1), (first.code, 2)]

    # the same data without any pre-score gives the same outcome, protocol bytes and hash
    with world.session() as session:
        session.execute(delete(EssaySuggestion))
        session.execute(delete(MemberScore).where(MemberScore.score_type == SCORE_ML_SUGGESTION))
        competition = session.get(Competition, setup.competition_id)
        assert competition is not None and competition.results_published_on is not None
        data = selection.competition_input(
            session=session, competition=competition, results_published_on=competition.results_published_on
        )
        assert outcome_to_json(run_competition(data, competitions.policy_of(competition))) == stored_outcome
        again = dataclasses.replace(
            protocol_link.protocol_data(session=session, competition=competition, drawn_up_on=protocol.drawn_up_on),
            version=protocol.version,
        )
        assert content_hash(render_pdf(again)) == protocol.content_hash
        assert render_html(again, "kk") == protocol.html_kk
        session.rollback()
    # no notification mentions a pre-score: the results are told to the candidates and the HR service alone
    assert [account for account, event, _s, _b in notified if event == "results_published"] == [
        person.account.id for person in setup.people
    ] + [setup.hr.id]
    for _account, _event, subject, body in notified:
        for word in ("ml_suggestion", "алдын ала баға", "предварительн", "pre-score"):
            assert word not in subject and word not in body


# --- blind-first, assist --------------------------------------------------------------------------------


def test_blind_first_hides_the_suggestion_from_a_member_until_they_score(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair, member, other = setup.members
    model_id = scene.register({ESSAYS["kk"]: 4, ESSAYS["ru"]: 2})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    bodies = [world.client.get(f"{scene.base}/essays", headers=world.headers(chair)).text]
    assert scene.essays(chair)[first.code]["suggestion"] == {
        "status": "unavailable",
        "reason": "pending",
        "message": {
            "kk": "Алдын ала баға әлі есептеліп жатыр; сәлден соң қайта қараңыз.",
            "ru": "Предварительная оценка ещё рассчитывается; загляните чуть позже.",
        },
    }
    scene.run()

    before = scene.essays(chair)
    assert before[first.code]["suggestion"] == {"status": "hidden_until_you_score"}
    assert before[first.code]["discussion"] is None
    assert score(world, setup, "essay", first.code, chair, 5).status_code == 200
    after = scene.essays(chair)
    assert without_time(after[first.code]["suggestion"]) == suggested(4, essay_model_id=model_id)
    assert after[first.code]["discussion"] == {"flagged": False, "required": False, "flags": [], "discussions": []}
    assert after[second.code]["suggestion"] == {"status": "hidden_until_you_score"}  # not scored by the chair
    assert scene.essays(member)[first.code]["suggestion"] == {"status": "hidden_until_you_score"}
    one = world.client.get(f"{scene.base}/essays/{first.code}", headers=world.headers(chair))
    assert (one.status_code, one.json()["suggestion"]["score"], one.json()["my_score"]["score"]) == (200, 4, 5)

    # the HR service and the secretary see it only once the stage is closed; candidates never
    for reader in (setup.hr, setup.secretary):
        assert scene.essays(reader)[first.code]["suggestion"] == {"status": "hidden_until_stage_closed"}
    assert world.client.get(f"{scene.base}/essays", headers=world.headers(first.account)).status_code == 403
    mine = world.client.get(f"/api/v1/applications/{first.application_id}/essay", headers=world.headers(first.account))
    assert mine.status_code == 200 and "suggestion" not in mine.json()

    for person, values in ((first, (4, 4)), (second, (2, 2, 3))):
        for scorer, value in zip((member, other, chair), values, strict=False):
            assert score(world, setup, "essay", person.code, scorer, value).status_code == 200
    bodies += [
        world.client.get(f"{scene.base}/essays", headers=world.headers(account)).text
        for account in (chair, member, setup.hr)
    ]
    world.set_now(NOW + timedelta(minutes=46))
    assert close(world, setup, "essay").status_code == 200
    hr_view = scene.essays(setup.hr)
    assert without_time(hr_view[second.code]["suggestion"]) == suggested(2, essay_model_id=model_id)
    assert scene.essays(setup.secretary)[first.code]["suggestion"]["score"] == 4
    bodies.append(world.client.get(f"{scene.base}/essays", headers=world.headers(setup.hr)).text)
    assert_anonymous(bodies, setup.people)


def test_assist_mode_shows_it_at_once_and_the_mode_is_fixed_once_members_score(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first = setup.people[0]
    chair, member, _other = setup.members
    url = f"{scene.base}/prescoring-mode"
    assert world.client.get(scene.base, headers=world.headers(setup.hr)).json()["prescoring_mode"] == "blind_first"
    refused = world.client.put(url, json={"mode": "assist"}, headers=world.headers(member))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    stranger = world.client.put(url, json={"mode": "assist"}, headers=world.headers(world.account("hr_officer")))
    assert (stranger.status_code, stranger.json()["code"]) == (403, "forbidden")
    wrong = world.client.put(url, json={"mode": "always"}, headers=world.headers(chair))
    assert (wrong.status_code, wrong.json()["code"]) == (422, "validation_error")
    by_chair = world.client.put(url, json={"mode": "assist"}, headers=world.headers(chair))
    assert (by_chair.status_code, by_chair.json()["prescoring_mode"]) == (200, "assist")
    by_hr = world.client.put(url, json={"mode": "assist"}, headers=world.headers(setup.hr))
    assert (by_hr.status_code, by_hr.json()["prescoring_mode"]) == (200, "assist")

    model_id = scene.register({ESSAYS["kk"]: 3})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    scene.run()
    shown = scene.essays(member)
    assert without_time(shown[first.code]["suggestion"]) == suggested(3, essay_model_id=model_id)
    assert shown[first.code]["my_score"] is None
    assert shown[first.code]["discussion"] is None  # the flags wait for the member's own score
    assert world.client.get(f"{scene.base}/essays", headers=world.headers(member)).json()["prescoring_mode"] == "assist"
    assert scene.essays(setup.hr)[first.code]["suggestion"] == {"status": "hidden_until_stage_closed"}

    assert score(world, setup, "essay", first.code, member, 3).status_code == 200
    locked = world.client.put(url, json={"mode": "blind_first"}, headers=world.headers(setup.hr))
    assert (locked.status_code, locked.json()["code"]) == (409, "prescoring_mode_locked")
    same = world.client.put(url, json={"mode": "assist"}, headers=world.headers(setup.hr))
    assert same.status_code == 200
    with world.session() as session:
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "competition.prescoring_mode_set").order_by(AuditEvent.id)
        ).all()
        assert [(e.actor, e.payload["before"], e.payload["after"]) for e in changes] == [
            (str(chair.id), {"prescoring_mode": "blind_first"}, {"prescoring_mode": "assist"})
        ]


# --- the administrator's switch --------------------------------------------------------------------------


def test_switched_off_the_job_records_nothing_and_the_stage_closes_then_switched_on_it_works(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair, member, other = setup.members
    scene.register({ESSAYS["kk"]: 1, ESSAYS["ru"]: 5})
    scene.switch(False)
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    assert scene.run() == [{"skipped": "switched_off"}, {"skipped": "switched_off"}]
    with world.session() as session:
        assert session.scalars(select(EssaySuggestion)).all() == []
        assert session.scalars(select(MemberScore).where(MemberScore.score_type == SCORE_ML_SUGGESTION)).all() == []
    off = {
        "status": "unavailable",
        "reason": "switched_off",
        "message": {
            "kk": "Әкімші эсселерді алдын ала бағалауды өшірді; комиссия эсселерді модельсіз бағалайды.",
            "ru": "Администратор отключил предварительную оценку эссе; комиссия оценивает эссе без модели.",
        },
    }
    assert scene.essays(chair)[first.code]["suggestion"] == off
    refused = world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(setup.hr))
    assert (refused.status_code, refused.json()["code"]) == (409, "ml_module_disabled")

    scene.switch(True)
    assert scene.essays(chair)[first.code]["suggestion"]["reason"] == "pending"
    not_hr = world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(chair))
    assert (not_hr.status_code, not_hr.json()["code"]) == (403, "forbidden")
    queued = world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(setup.hr))
    assert (queued.status_code, queued.json()["queued"]) == (202, [first.code, second.code])
    again = world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(setup.hr))
    assert again.json()["queued"] == []  # the jobs are still queued: nothing twice
    assert [(r["status"], r["score"]) for r in scene.run()] == [("suggested", 1), ("suggested", 5)]
    assert world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(setup.hr)).json()["queued"] == []

    # members far from the pre-scores: flagged while the module is on ...
    for person, values in ((first, (4, 4, 4)), (second, (3, 3, 3))):
        for scorer, value in zip((chair, member, other), values, strict=True):
            assert score(world, setup, "essay", person.code, scorer, value).status_code == 200
    world.set_now(NOW + timedelta(minutes=46))
    flagged = close(world, setup, "essay")
    assert (flagged.status_code, flagged.json()["anonymous_codes"]) == (409, [first.code, second.code])
    # ... and switched off the workflow goes on without them: the stage closes, training is skipped
    scene.switch(False)
    assert scene.essays(chair)[first.code]["discussion"]["flagged"] is False
    assert close(world, setup, "essay").status_code == 200
    assert scene.run(TRAIN_JOB) == [{"skipped": "switched_off"}]


def test_an_essay_the_stage_closed_on_before_its_prescore_says_none_will_come(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, _second, _third = setup.people
    chair, member, other = setup.members
    write_essay(world, first, ESSAYS["kk"], language="kk")  # its job never runs
    assert scene.essays(chair)[first.code]["suggestion"]["reason"] == "pending"
    for scorer in (chair, member, other):
        assert score(world, setup, "essay", first.code, scorer, 4).status_code == 200
    world.set_now(NOW + timedelta(minutes=46))
    assert close(world, setup, "essay").status_code == 200
    assert scene.essays(chair)[first.code]["suggestion"] == {
        "status": "unavailable",
        "reason": "not_run",
        "message": {
            "kk": "Бұл эссе алдын ала бағаланбады: эссе кезеңі алдын ала баға дайын болғанша жабылды.",
            "ru": "Это эссе не получило предварительной оценки: этап эссе закрылся раньше, чем она была готова.",
        },
    }
    assert scene.run() == [{"skipped": "stage_closed"}]  # the late job records nothing


# --- reasons -----------------------------------------------------------------------------------------


def test_without_a_model_the_reason_is_shown_in_kazakh_and_russian_and_a_model_then_serves(
    scene_every_backend: Scene,
) -> None:
    scene = scene_every_backend
    world, setup = scene.world, scene.setup
    first, second, third = setup.people
    chair = setup.members[0]
    assert (
        world.client.put(
            f"{scene.base}/prescoring-mode", json={"mode": "assist"}, headers=world.headers(chair)
        ).status_code
        == 200
    )
    write_essay(world, first, ESSAYS["kk"], language="kk")
    assert scene.run() == [
        {"status": "unavailable", "reason": "no_model", "score": None, "essay_model_id": None, "suggestion_id": 1}
    ]
    assert scene.essays(chair)[first.code]["suggestion"] == {
        "status": "unavailable",
        "reason": "no_model",
        "message": {
            "kk": "Алдын ала баға жоқ: бұл тақырып бойынша да, басқа тақырыптар бойынша да модельді "
            "оқытуға комиссияның қорытынды бағалары әлі жеткіліксіз.",
            "ru": "Предварительной оценки нет: итоговых оценок комиссии пока недостаточно, чтобы обучить "
            "модель ни по этой теме, ни по другим темам.",
        },
    }

    # a cross-topic model (other topics' scores) serves until the topic has its own
    cross = scene.register({ESSAYS["kk"]: 2, ESSAYS["mixed"]: REASON_LANGUAGE_MISMATCH}, scope="cross_topic")
    assert world.client.post(f"{scene.base}/essays/prescore", headers=world.headers(setup.hr)).json()["queued"] == [
        first.code
    ]
    scene.run()
    assert without_time(scene.essays(chair)[first.code]["suggestion"]) == suggested(
        2, essay_model_id=cross, scope="cross_topic"
    )
    scene.register({ESSAYS["kk"]: 5}, topic={"kk": "Басқа тақырып", "ru": "Другая тема"})  # not this topic
    write_essay(world, third, ESSAYS["mixed"], language="kk")
    scene.run()
    assert scene.loaded[-1].cohorts == [[ESSAYS["kk"]]]  # the cross-topic model reads it among its topic's essays
    assert scene.essays(chair)[third.code]["suggestion"] == {
        "status": "unavailable",
        "reason": "language_mismatch",
        "message": {
            "kk": "Эссе тақырыптың тілінде (қазақ немесе орыс тілінде) жазылмаған, сондықтан модель оны бағаламайды.",
            "ru": "Эссе написано не на языке темы (казахском или русском), поэтому модель его не оценивает.",
        },
    }
    own = scene.register({ESSAYS["ru"]: 4}, card={**CARD, "params_sha256": "b" * 64})
    write_essay(world, second, ESSAYS["ru"], language="ru")
    scene.run()
    assert scene.loaded[-1].cohorts == [[]]  # a topic's own model reads the essay alone
    assert without_time(scene.essays(chair)[second.code]["suggestion"]) == suggested(4, essay_model_id=own) | {
        "model": {**CARD, "params_sha256": "b" * 64, "scope": "topic", "essay_model_id": own}
    }
    with world.session() as session:
        stored = session.scalars(select(EssaySuggestion).order_by(EssaySuggestion.id)).all()
        assert [(s.status, s.reason, s.model.get("essay_model_id")) for s in stored] == [
            ("suggested", None, cross),
            ("unavailable", "language_mismatch", cross),
            ("suggested", None, own),
        ]
        prescored = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "essay.prescored").order_by(AuditEvent.id)
        ).all()
        assert [e.model_version for e in prescored] == [
            None,
            f"fake-scorer@0.1#{'a' * 12}",
            f"fake-scorer@0.1#{'a' * 12}",
            f"fake-scorer@0.1#{'b' * 12}",
        ]


# --- discussions ------------------------------------------------------------------------------------------


def test_a_flagged_essay_keeps_the_stage_open_until_the_chair_records_its_discussion(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair, member, other = setup.members
    scene.register({ESSAYS["kk"]: 3, ESSAYS["ru"]: 4})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    scene.run()
    assert score(world, setup, "essay", first.code, chair, 5).status_code == 200  # 2 from the suggestion
    assert score(world, setup, "essay", first.code, member, 4).status_code == 200
    assert score(world, setup, "essay", second.code, chair, 4).status_code == 200
    assert score(world, setup, "essay", second.code, member, 4).status_code == 200
    world.set_now(NOW + timedelta(minutes=46))
    blocked = close(world, setup, "essay")
    assert (blocked.status_code, blocked.json()["code"], blocked.json()["anonymous_codes"]) == (
        409,
        "essay_discussion_required",
        [first.code],
    )
    assert scene.essays(member)[first.code]["discussion"] == {
        "flagged": True,
        "required": True,
        "flags": [{"kind": "suggestion_gap", "gap": 2, "discussed": False}],
        "discussions": [],
    }
    assert scene.essays(other)[first.code]["discussion"] is None  # has not scored it
    assert scene.essays(setup.hr)[first.code]["discussion"]["required"] is True

    by_member = scene.discuss(member, first.code)
    assert (by_member.status_code, by_member.json()["code"]) == (403, "not_commission_chair")
    by_hr = scene.discuss(setup.hr, first.code)
    assert (by_hr.status_code, by_hr.json()["code"]) == (403, "not_commission_chair")
    not_flagged = scene.discuss(chair, second.code)
    assert (not_flagged.status_code, not_flagged.json()["code"]) == (409, "essay_not_flagged")
    empty = world.client.post(
        f"{scene.base}/essays/{first.code}/discussion", json={"note": ""}, headers=world.headers(chair)
    )
    assert (empty.status_code, empty.json()["code"]) == (422, "validation_error")
    recorded = scene.discuss(chair, first.code, "Дәлелдер жеткілікті деп келістік")
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert (body["anonymous_code"], body["flagged"], body["required"], body["flags"]) == (
        first.code,
        True,
        False,
        [{"kind": "suggestion_gap", "gap": 2, "discussed": True}],
    )
    assert [(d["note"], d["resolved_by"], d["flags"]) for d in body["discussions"]] == [
        ("Дәлелдер жеткілікті деп келістік", chair.id, [{"kind": "suggestion_gap", "gap": 2}])
    ]

    # a later score that raises a new flag (two members 3 apart) needs a new discussion
    assert score(world, setup, "essay", first.code, other, 2).status_code == 200
    again = close(world, setup, "essay")
    assert (again.status_code, again.json()["anonymous_codes"]) == (409, [first.code])
    flags = scene.essays(chair)[first.code]["discussion"]["flags"]
    assert flags == [
        {"kind": "suggestion_gap", "gap": 2, "discussed": True},
        {"kind": "members_apart", "gap": 3, "discussed": False},
        {"kind": "members_apart", "gap": 2, "discussed": False},
    ]
    assert scene.discuss(chair, first.code, "Қайта талқыладық").status_code == 201
    # a change that settles one flag and keeps the others raises no new one: the stage closes
    assert score(world, setup, "essay", first.code, chair, 4).status_code == 200
    assert close(world, setup, "essay").status_code == 200
    late = scene.discuss(chair, first.code)
    assert (late.status_code, late.json()["code"]) == (409, "stage_closed")
    with world.session() as session:
        rows = session.scalars(select(EssayDiscussion).order_by(EssayDiscussion.id)).all()
        assert [[reason["key"] for reason in row.reasons] for row in rows] == [
            [f"suggestion_gap:{chair.id}"],
            [
                f"suggestion_gap:{chair.id}",
                f"members_apart:{chair.id}:{other.id}",
                f"members_apart:{member.id}:{other.id}",
            ],
        ]
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "essay.discussion_recorded")
        ).all()
        assert len(events) == 2


def test_final_score_and_topic_key() -> None:
    # The flags' two-point rule is tested in tests/unit/rules/test_essay_review.py (app.rules.essay_review).
    assert registry.final_score((3, 4), competitions.policy_of(Competition(policy={}))) == 4
    assert registry.final_score((2, 3, 3), competitions.policy_of(Competition(policy={}))) == 3
    assert registry.final_score((2, 2, 3), competitions.policy_of(Competition(policy={}))) == 2
    assert registry.topic_key("  Мемлекеттік   ҚЫЗМЕТ ", "Госслужба") == registry.topic_key(
        "мемлекеттік қызмет", "госслужба"
    )
    assert registry.topic_key("Мемлекеттік қызмет", "Госслужба") != registry.topic_key("Қызмет", "Госслужба")
    assert set(UNAVAILABLE_TEXTS) == {*REASONS, "switched_off", "pending", "not_run"}
    assert all(set(texts) == {"kk", "ru"} and all(texts.values()) for texts in UNAVAILABLE_TEXTS.values())


# --- idempotence, the registry --------------------------------------------------------------------------


def test_a_retried_or_repeated_job_writes_nothing_twice(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first = setup.people[0]
    scene.register({ESSAYS["kk"]: 4})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    retry = world.client.post(
        f"/api/v1/applications/{first.application_id}/essay/submit",
        json={"text": ESSAYS["kk"]},
        headers=world.headers(first.account),
    )
    assert retry.status_code == 200
    [job_id] = scene.jobs()
    scene.run()
    world.app.state.queue.execute(job_id)  # a duplicate message of a finished job
    with world.session() as session:
        essay = views.essay_of_application(session, first.application_id)
        assert essay is not None
        enqueue_prescore(session=session, queue=world.app.state.queue, essay=essay, tag="again")
        key = f"essay_prescore:{essay.id}:{essay.content_hash}"
    assert scene.run() == [{"skipped": "already_suggested"}]
    with world.session() as session:
        assert len(session.scalars(select(EssaySuggestion)).all()) == 1
        assert len(session.scalars(select(MemberScore).where(MemberScore.score_type == SCORE_ML_SUGGESTION)).all()) == 1
        jobs = session.scalars(select(Job).where(Job.kind == PRESCORE_JOB).order_by(Job.id)).all()
        assert sorted(job.dedupe_key or "" for job in jobs) == [key, f"{key}:again"]


def test_the_registry_lists_models_for_administrators_and_researchers_without_the_artifact(scene: Scene) -> None:
    world = scene.world
    first = scene.register({ESSAYS["kk"]: 4})
    second = scene.register({}, scope="cross_topic")
    for role in ("administrator", "researcher"):
        listed = world.client.get("/api/v1/admin/ml/essay-models", headers=world.headers(world.account(role)))
        assert listed.status_code == 200, listed.text
        rows = listed.json()
        assert [(r["id"], r["scope"], r["topic_key"]) for r in rows] == [
            (second, "cross_topic", None),
            (first, "topic", registry.topic_key(**TOPIC)),
        ]
        assert {key for key in rows[0] if key != "created_at"} == {
            "id",
            "scope",
            "topic_key",
            "name",
            "version",
            "params_sha256",
            "training_data_sha256",
            "n_train",
            "metrics",
            "encoder",
            "validity_gate",
        }
        assert (
            rows[1]["name"],
            rows[1]["version"],
            rows[1]["params_sha256"],
            rows[1]["training_data_sha256"],
            rows[1]["n_train"],
            rows[1]["metrics"],
            rows[1]["encoder"],
            rows[1]["validity_gate"],
        ) == (
            "fake-scorer",
            "0.1",
            "a" * 64,
            "d" * 64,
            30,
            VALID_METRICS,
            CARD["encoder"],
            {"held_back": False, "failures": [], "qwk": 0.81, "n": 30},
        )
    for role in ("hr_officer", "commission_member"):
        refused = world.client.get("/api/v1/admin/ml/essay-models", headers=world.headers(world.account(role)))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    with world.session() as session:
        assert session.get(EssayModel, first) is not None


# --- training -------------------------------------------------------------------------------------------


def test_closing_the_stage_trains_on_the_final_scores_and_prescores_the_waiting_essays(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, setup = scene.world, scene.setup
    monkeypatch.setattr(world.app.state.settings, "essay_prescoring_min_topic_essays", 3)
    trained: list[FakeScorer] = []

    scopes: list[str] = []

    def new(_embedder: Any, points: tuple[int, ...], scope: str) -> FakeScorer:
        assert points == (1, 2, 3, 4, 5)
        scopes.append(scope)
        trained.append(FakeScorer(card={**CARD, "params_sha256": f"{len(trained):064d}"}))
        return trained[-1]

    monkeypatch.setattr(prescoring_jobs, "new_scorer", new)
    later = build(world)  # another competition on the same topic, its essays written before any model exists
    texts = [ESSAYS["kk"], ESSAYS["short"], ESSAYS["mixed"]]
    for person, text in zip(later.people[:2], texts[:2], strict=True):
        write_essay(world, person, text, language="kk")
    for person, text in zip(setup.people, texts, strict=True):
        write_essay(world, person, text, language="kk")
    assert [result["reason"] for result in scene.run()] == ["no_model"] * 5
    for person, given in zip(setup.people, [(3, 4), (2, 3, 3), (2, 2, 3)], strict=True):
        for scorer, value in zip(setup.members, given, strict=False):
            assert score(world, setup, "essay", person.code, scorer, value).status_code == 200
    assert close(world, setup, "essay").status_code == 200

    [result] = scene.run(TRAIN_JOB)
    key = registry.topic_key(**TOPIC)
    assert result == {
        "final_essays": 3,
        "topics": 1,
        "minimum": 3,
        "prescores_queued": 2,
        "models": [
            {"scope": "topic", "topic_key": key, "essay_model_id": 1, "n_train": 3},
            {"scope": "cross_topic", "topic_key": None, "essay_model_id": 2, "n_train": 3},
        ],
    }
    assert trained[0].seen == [
        EssayInput(text=text, language="kk", topic=TOPIC["kk"], word_limit=200) for text in texts
    ]
    assert trained[0].answers == {ESSAYS["kk"]: 4, ESSAYS["short"]: 3, ESSAYS["mixed"]: 2}  # rounded half up
    with world.session() as session:
        hashes = session.scalars(
            select(Essay.content_hash)
            .join(Application, Application.id == Essay.application_id)
            .where(Application.competition_id == setup.competition_id)
            .order_by(Essay.id)
        ).all()
        models = session.scalars(select(EssayModel).order_by(EssayModel.id)).all()
        # the gate's figures from the out-of-fold points (here equal to the final scores 4, 3, 2)
        trained_metrics = {
            "n": 3,
            "cv_qwk": 0.5,
            "validity": {"n": 3, "qwk": 1.0, "smd": 0.0, "groups": {"language": {"kk": {"n": 3, "smd": 0.0}}}},
        }
        expected = registry.training_data_sha256(
            [
                registry.FinalEssay(
                    essay_id=0, content_hash=str(h), topic_key="", essay=EssayInput("", "kk"), score=s, points=()
                )
                for h, s in zip(hashes, (4, 3, 2), strict=True)
            ]
        )
        assert [
            (m.scope, m.topic_key, m.n_train, m.training_data_sha256, m.params_sha256, m.metrics) for m in models
        ] == [
            ("topic", key, 3, expected, "0" * 64, trained_metrics),
            ("cross_topic", None, 3, expected, f"{1:064d}", trained_metrics),
        ]

    # the waiting essays of the open competition now get the topic model's suggestion
    assert [(r["status"], r["score"], r["essay_model_id"]) for r in scene.run()] == [
        ("suggested", 4, 1),
        ("suggested", 3, 1),
    ]
    # the same final scores again train nothing new
    with world.session() as session:
        session.execute(delete(Job).where(Job.kind == TRAIN_JOB))
        competition = session.get(Competition, setup.competition_id)
        assert competition is not None
        enqueue_training(session=session, queue=world.app.state.queue, competition=competition)
    [repeat] = scene.run(TRAIN_JOB)
    assert ([m.get("skipped") for m in repeat["models"]], repeat["prescores_queued"]) == (
        ["same_training_data", "same_training_data"],
        0,
    )
    assert scopes == ["topic", "cross_topic"]


# --- the validity gate (issue 16) -------------------------------------------------------------------------


def test_a_model_below_the_ets_thresholds_is_held_back_with_its_figures_in_kazakh_and_russian(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair = setup.members[0]
    assert (
        world.client.put(
            f"{scene.base}/prescoring-mode", json={"mode": "assist"}, headers=world.headers(chair)
        ).status_code
        == 200
    )
    weak = {"n": 34, "cv_qwk": 0.58, "validity": {"n": 34, "qwk": 0.58, "smd": 0.04, "groups": {}}}
    held = scene.register({ESSAYS["kk"]: 4}, metrics=weak)
    write_essay(world, first, ESSAYS["kk"], language="kk")
    [result] = scene.run()
    assert (result["status"], result["reason"], result["score"], result["essay_model_id"]) == (
        "unavailable",
        "model_held_back",
        None,
        held,
    )
    assert scene.loaded == []  # a held-back model is never even loaded
    assert scene.essays(chair)[first.code]["suggestion"] == {
        "status": "unavailable",
        "reason": "model_held_back",
        "message": {
            "kk": "Бұл тақырыптың моделі әлі жеткілікті дәл емес: 34 эсседе QWK 0.58. Алдын ала баға берілмейді.",
            "ru": "Модель для этой темы пока недостаточно точна: QWK 0.58 на 34 эссе. Предварительной оценки нет.",
        },
    }
    admin = world.headers(world.account("administrator"))
    [row] = world.client.get("/api/v1/admin/ml/essay-models", headers=admin).json()
    assert row["validity_gate"] == {"held_back": True, "failures": ["qwk"], "qwk": 0.58, "n": 34}

    # a group of enough essays beyond ±0.10 holds a model back too; one that passes serves again
    biased = {
        "cv_qwk": 0.8,
        "validity": {
            "n": 60,
            "qwk": 0.8,
            "smd": 0.05,
            "groups": {"language": {"kk": {"n": 30, "smd": -0.02}, "ru": {"n": 30, "smd": 0.12}}},
        },
    }
    scene.register({ESSAYS["ru"]: 3}, metrics=biased, card={**CARD, "params_sha256": "b" * 64})
    rows = world.client.get("/api/v1/admin/ml/essay-models", headers=admin).json()
    assert rows[0]["validity_gate"]["failures"] == ["group_smd:language=ru"]
    good = scene.register({ESSAYS["ru"]: 3}, card={**CARD, "params_sha256": "c" * 64})
    write_essay(world, second, ESSAYS["ru"], language="ru")
    [result] = scene.run()
    assert (result["status"], result["score"], result["essay_model_id"]) == ("suggested", 3, good)


def test_a_model_registered_without_validity_figures_is_held_back(scene: Scene) -> None:
    world = scene.world
    scene.register({ESSAYS["kk"]: 4}, metrics={"n": 40, "cv_qwk": 0.9})
    [row] = world.client.get(
        "/api/v1/admin/ml/essay-models", headers=world.headers(world.account("administrator"))
    ).json()
    assert row["validity_gate"] == {"held_back": True, "failures": ["no_validity_figures"], "qwk": 0.9, "n": 40}


def test_a_model_saved_in_the_old_pickle_format_is_never_loaded_and_is_trained_again(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, setup = scene.world, scene.setup
    monkeypatch.setattr(world.app.state.settings, "essay_prescoring_min_topic_essays", 3)
    fake_load = prescoring_jobs.load_scorer
    monkeypatch.setattr(
        prescoring_jobs,
        "load_scorer",
        lambda artifact, embedder: (
            LOAD_SCORER(artifact, embedder) if is_stale_artifact(artifact) else fake_load(artifact, embedder)
        ),
    )
    monkeypatch.setattr(prescoring_jobs, "new_scorer", lambda _embedder, _points, _scope: FakeScorer())
    with world.session() as session:  # a row written before skops: the old format pickled the scorer's state
        stale = registry.register_model(
            session,
            scope="topic",
            key=registry.topic_key(**TOPIC),
            card=CARD,
            params_sha256="a" * 64,
            data_sha256="d" * 64,
            n_train=30,
            metrics=VALID_METRICS,
            artifact=pickle.dumps({"answers": {}}, protocol=5),
        ).id
    later = build(world)  # a competition on the same topic whose essays wait for a suggestion
    texts = [ESSAYS["kk"], ESSAYS["short"], ESSAYS["mixed"]]
    for person, text in zip(later.people[:2], texts[:2], strict=True):
        write_essay(world, person, text, language="kk")
    for person, text in zip(setup.people, texts, strict=True):
        write_essay(world, person, text, language="kk")

    results = scene.run()
    [training] = scene.jobs(TRAIN_JOB)
    assert results == [{"skipped": "model_stale", "essay_model_id": stale, "training_job": training}] * 5
    for person, given in zip(setup.people, [(3, 4), (2, 3, 3), (2, 2, 3)], strict=True):
        for scorer, value in zip(setup.members, given, strict=False):
            assert score(world, setup, "essay", person.code, scorer, value).status_code == 200
    assert close(world, setup, "essay").status_code == 200
    with world.session() as session:  # the stale model learnt from the very data the stage now gives
        row = session.get(EssayModel, stale)
        assert row is not None
        row.training_data_sha256 = registry.training_data_sha256(registry.final_essays(session))
        session.commit()

    first, second = scene.run(TRAIN_JOB)
    assert [(model["scope"], model.get("essay_model_id"), model.get("skipped")) for model in first["models"]] == [
        ("topic", stale + 1, None),
        ("cross_topic", stale + 2, None),
    ]
    assert first["prescores_queued"] == 2
    assert [model.get("skipped") for model in second["models"]] == ["same_training_data", "same_training_data"]
    assert [(r["status"], r["score"], r["essay_model_id"]) for r in scene.run()] == [
        ("suggested", 4, stale + 1),
        ("suggested", 3, stale + 1),
    ]
