"""Essays through HTTP: start, autosave, submit and lock, the clock and the word limit, members' scores, closing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.competitions.models import MemberScore
from app.essays.models import Essay
from tests.api._assessment import (
    NOW,
    TOPIC,
    Clocked,
    build,
    clocked_world_every_backend_fixture,  # noqa: F401
    clocked_world_fixture,  # noqa: F401
    close,
    score,
    write_essay,
)

KAZAKH = "Мемлекеттік қызмет — халыққа қызмет ету. Әділдік, ашықтық және жауапкершілік!"  # 9 words
RUSSIAN = (
    "Государственная служба — это служение обществу. Честность, открытость и ответственность — её основа."  # 11 words
)


def _url(application_id: int, action: str = "") -> str:
    return f"/api/v1/applications/{application_id}/essay{action}"


def test_an_essay_is_started_once_autosaved_submitted_and_locked(world: Clocked) -> None:
    setup = build(world)
    kazakh, russian = setup.people[0], setup.people[1]
    headers = world.headers(kazakh.account)

    started = world.client.post(_url(kazakh.application_id, "/start"), json={"language": "kk"}, headers=headers)
    assert started.status_code == 201, started.text
    essay = started.json()
    assert (essay["language"], essay["topic"], essay["text"], essay["word_count"]) == ("kk", TOPIC, "", 0)
    assert essay["started_at"] == "2026-02-02T05:00:00Z"
    assert essay["deadline_at"] == "2026-02-02T05:45:00Z"
    assert (essay["seconds_left"], essay["word_limit"], essay["locked"]) == (2700, 200, False)

    world.set_now(NOW + timedelta(minutes=10))
    again = world.client.post(_url(kazakh.application_id, "/start"), json={"language": "ru"}, headers=headers)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["deadline_at"], again.json()["language"]) == (
        essay["id"],
        "2026-02-02T05:45:00Z",
        "kk",
    )
    assert again.json()["seconds_left"] == 2100

    saved = world.client.put(_url(kazakh.application_id), json={"text": "Мемлекеттік қызмет"}, headers=headers)
    assert (saved.status_code, saved.json()["word_count"], saved.json()["saved_at"]) == (200, 2, "2026-02-02T05:10:00Z")
    saved = world.client.put(_url(kazakh.application_id), json={"text": KAZAKH}, headers=headers)
    assert saved.json()["word_count"] == 9
    assert world.client.get(_url(kazakh.application_id), headers=headers).json()["text"] == KAZAKH

    world.set_now(NOW + timedelta(minutes=30))
    submitted = world.client.post(_url(kazakh.application_id, "/submit"), json={}, headers=headers)
    assert submitted.status_code == 200, submitted.text
    locked = submitted.json()
    assert (locked["locked"], locked["word_count"], locked["text"]) == (True, 9, KAZAKH)
    assert locked["submitted_at"] == "2026-02-02T05:30:00Z"
    assert locked["content_hash"] == hashlib.sha256(KAZAKH.encode("utf-8")).hexdigest()
    assert locked["seconds_left"] == 0

    twice = world.client.post(_url(kazakh.application_id, "/submit"), json={"text": KAZAKH}, headers=headers)
    assert (twice.status_code, twice.json()["submitted_at"]) == (200, "2026-02-02T05:30:00Z")
    changed = world.client.post(_url(kazakh.application_id, "/submit"), json={"text": "Басқа мәтін"}, headers=headers)
    assert (changed.status_code, changed.json()["code"]) == (409, "essay_locked")
    edited = world.client.put(_url(kazakh.application_id), json={"text": "Басқа мәтін"}, headers=headers)
    assert (edited.status_code, edited.json()["code"]) == (409, "essay_locked")

    # the Russian essay submitted in one step, its exact word count
    done = write_essay(world, russian, RUSSIAN, language="ru")
    assert (done["language"], done["word_count"], done["locked"]) == ("ru", 11, True)

    # someone else's application is not there for this candidate
    foreign = world.client.post(_url(russian.application_id, "/start"), json={"language": "kk"}, headers=headers)
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    with world.session() as session:
        stored = session.scalars(select(Essay).where(Essay.application_id == kazakh.application_id)).one()
        assert (stored.text, stored.locked) == (KAZAKH, True)
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "essay", AuditEvent.entity_id == str(stored.id))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["essay.started", "essay.draft_saved", "essay.draft_saved", "essay.submitted"]


def test_the_clock_is_the_servers_and_time_over_changes_nothing(world: Clocked) -> None:
    setup = build(world)
    person = setup.people[0]
    headers = world.headers(person.account)
    world.client.post(_url(person.application_id, "/start"), json={"language": "ru"}, headers=headers)
    world.set_now(NOW + timedelta(minutes=45))  # the deadline itself still counts
    on_time = world.client.put(_url(person.application_id), json={"text": RUSSIAN}, headers=headers)
    assert (on_time.status_code, on_time.json()["seconds_left"]) == (200, 0)

    world.set_now(NOW + timedelta(minutes=45, seconds=1))
    late_save = world.client.put(_url(person.application_id), json={"text": "Поздно"}, headers=headers)
    assert (late_save.status_code, late_save.json()["code"]) == (409, "essay_time_over")
    assert late_save.json()["deadline_at"] == "2026-02-02T05:45:00+00:00"
    late_submit = world.client.post(_url(person.application_id, "/submit"), json={}, headers=headers)
    assert (late_submit.status_code, late_submit.json()["code"]) == (409, "essay_time_over")
    restart = world.client.post(_url(person.application_id, "/start"), json={"language": "ru"}, headers=headers)
    assert (restart.status_code, restart.json()["deadline_at"]) == (200, "2026-02-02T05:45:00Z")
    with world.session() as session:
        stored = session.scalars(select(Essay).where(Essay.application_id == person.application_id)).one()
        assert (stored.text, stored.locked, stored.submitted_at) == (RUSSIAN, False, None)


def test_the_word_limit_holds_at_submission_only(world: Clocked) -> None:
    setup = build(world)
    person = setup.people[0]
    headers = world.headers(person.account)
    world.client.post(_url(person.application_id, "/start"), json={"language": "kk"}, headers=headers)
    over = " ".join(["сөз"] * 200 + ["—", "артық"])  # the dash is no word: 201
    draft = world.client.put(_url(person.application_id), json={"text": over}, headers=headers)
    assert (draft.status_code, draft.json()["word_count"], draft.json()["over_word_limit"]) == (200, 201, True)
    refused = world.client.post(_url(person.application_id, "/submit"), json={}, headers=headers)
    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["word_count"], body["word_limit"]) == ("essay_over_word_limit", 201, 200)
    refused = world.client.post(_url(person.application_id, "/submit"), json={"text": over + " тағы"}, headers=headers)
    assert (refused.json()["code"], refused.json()["word_count"]) == ("essay_over_word_limit", 202)
    empty = world.client.post(_url(person.application_id, "/submit"), json={"text": " — "}, headers=headers)
    assert (empty.status_code, empty.json()["code"]) == (422, "essay_empty")
    with world.session() as session:
        stored = session.scalars(select(Essay).where(Essay.application_id == person.application_id)).one()
        assert (stored.text, stored.locked, stored.word_count) == (over, False, 201)
    exactly = " ".join(["сөз"] * 200)
    accepted = world.client.post(_url(person.application_id, "/submit"), json={"text": exactly}, headers=headers)
    assert (accepted.status_code, accepted.json()["word_count"], accepted.json()["locked"]) == (200, 200, True)


def test_who_may_start_an_essay(world: Clocked) -> None:
    setup = build(world, failing_personal_qualities=1, topic=False)
    person, stopped = setup.people[0], setup.people[3]
    no_topic = world.client.post(
        _url(person.application_id, "/start"), json={"language": "kk"}, headers=world.headers(person.account)
    )
    assert (no_topic.status_code, no_topic.json()["code"]) == (409, "essay_topic_missing")
    world.client.put(
        f"/api/v1/competitions/{setup.competition_id}/essay-topic", json=TOPIC, headers=world.headers(setup.hr)
    )
    not_reached = world.client.post(
        _url(stopped.application_id, "/start"), json={"language": "kk"}, headers=world.headers(stopped.account)
    )
    assert (not_reached.status_code, not_reached.json()["code"]) == (409, "stage_not_reached")
    wrong_language = world.client.post(
        _url(person.application_id, "/start"), json={"language": "en"}, headers=world.headers(person.account)
    )
    assert (wrong_language.status_code, wrong_language.json()["code"]) == (422, "validation_error")
    hr_start = world.client.post(
        _url(person.application_id, "/start"), json={"language": "kk"}, headers=world.headers(setup.hr)
    )
    assert (hr_start.status_code, hr_start.json()["code"]) == (403, "forbidden")
    not_started = world.client.put(
        _url(person.application_id), json={"text": "x"}, headers=world.headers(person.account)
    )
    assert (not_started.status_code, not_started.json()["code"]) == (409, "essay_not_started")


def test_members_score_essays_by_code_and_the_quorum_closes_the_stage(world_every_backend: Clocked) -> None:
    world = world_every_backend
    setup = build(world)
    first, second, third = setup.people
    chair, member, other = setup.members
    write_essay(world, first, KAZAKH, language="kk")
    write_essay(world, second, RUSSIAN)

    unsubmitted = world.client.post(
        _url(third.application_id, "/start"), json={"language": "ru"}, headers=world.headers(third.account)
    )
    assert unsubmitted.status_code == 201
    early = score(world, setup, "essay", third.code, chair, 4)
    assert (early.status_code, early.json()["code"]) == (409, "essay_not_submitted")

    for value in (0, 6):
        out = score(world, setup, "essay", first.code, chair, value)
        assert (out.status_code, out.json()["code"], out.json()["min"], out.json()["max"]) == (
            422,
            "score_out_of_range",
            1,
            5,
        )
    for outsider in (setup.hr, setup.secretary, world.account("commission_member")):
        refused = score(world, setup, "essay", first.code, outsider, 4)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_on_commission")

    given = score(world, setup, "essay", first.code, chair, 2, comment="Дәлелдер аз")
    assert given.status_code == 200, given.text
    assert (given.json()["score"], given.json()["comment"], given.json()["anonymous_code"]) == (
        2,
        "Дәлелдер аз",
        first.code,
    )
    replaced = score(world, setup, "essay", first.code, chair, 4, comment="Қайта оқыдым")
    assert replaced.json()["score"] == 4
    assert score(world, setup, "essay", first.code, member, 5).status_code == 200
    assert score(world, setup, "essay", second.code, other, 3).status_code == 200

    listed = world.client.get(f"/api/v1/competitions/{setup.competition_id}/essays", headers=world.headers(chair))
    assert listed.status_code == 200
    body = listed.json()
    assert (body["stage_closed"], body["topic"]) == (False, TOPIC)
    assert [(e["anonymous_code"], e["language"], e["word_count"], e["text"]) for e in body["essays"]] == [
        (first.code, "kk", 9, KAZAKH),
        (second.code, "ru", 11, RUSSIAN),
    ]
    assert [e["my_score"] and e["my_score"]["score"] for e in body["essays"]] == [4, None]  # blind: own only
    assert set(body["essays"][0]) == {
        "anonymous_code",
        "language",
        "text",
        "word_count",
        "submitted_at",
        "content_hash",
        "my_score",
        "suggestion",
        "discussion",
    }
    # None is computed yet (no queue in this world): both say so; a number would show only after own score.
    assert [e["suggestion"] and e["suggestion"]["reason"] for e in body["essays"]] == ["pending", "pending"]
    assert body["essays"][0]["discussion"] == {"flagged": False, "required": False, "flags": [], "discussions": []}
    assert (
        world.client.get(
            f"/api/v1/competitions/{setup.competition_id}/essays", headers=world.headers(third.account)
        ).status_code
        == 403
    )

    in_progress = close(world, setup, "essay")
    assert (in_progress.status_code, in_progress.json()["code"]) == (409, "essays_in_progress")
    world.set_now(NOW + timedelta(minutes=46))  # the third essay's time ran out unsubmitted: no result
    short = close(world, setup, "essay")
    assert (short.status_code, short.json()["code"]) == (409, "scoring_quorum_not_reached")
    assert short.json()["missing"] == [{"anonymous_code": second.code, "scored": 1, "members": 3}]
    assert (
        world.client.post(
            f"/api/v1/competitions/{setup.competition_id}/stages/essay/close", headers=world.headers(chair)
        ).status_code
        == 403
    )

    assert score(world, setup, "essay", second.code, chair, 4).status_code == 200  # 2 of 3 is the quorum
    closed = close(world, setup, "essay")
    assert closed.status_code == 200, closed.text
    assert (closed.json()["stage"], closed.json()["closed_by"]) == ("essay", setup.hr.id)
    again = close(world, setup, "essay")
    assert (again.status_code, again.json()["closed_at"]) == (200, closed.json()["closed_at"])

    after = score(world, setup, "essay", first.code, other, 4)
    assert (after.status_code, after.json()["code"]) == (409, "stage_closed")
    late = world.client.post(
        _url(third.application_id, "/submit"), json={"text": "Кеш"}, headers=world.headers(third.account)
    )
    assert (late.status_code, late.json()["code"]) == (409, "stage_closed")
    assert (
        world.client.get(f"/api/v1/competitions/{setup.competition_id}/essays", headers=world.headers(chair)).json()[
            "stage_closed"
        ]
        is True
    )

    progress = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/progress", headers=world.headers(setup.hr)
    ).json()["outcome"]
    essay_stage = next(stage for stage in progress["stages"] if stage["stage"] == "essay")
    assert essay_stage["advanced"] == [first.code, second.code]
    assert essay_stage["eliminated"] == {third.code: "no_result"}
    with world.session() as session:
        rows = session.execute(
            select(MemberScore.scorer_account_id, MemberScore.score)
            .where(MemberScore.application_id == first.application_id)
            .order_by(MemberScore.id)
        ).all()
        assert [tuple(row) for row in rows] == [(chair.id, 4), (member.id, 5)]
        rescored = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "member_score.recorded", AuditEvent.entity_id == str(first.application_id))
            .order_by(AuditEvent.id)
        ).all()
        assert rescored[1].payload["before"] == {"score": 2, "comment": "Дәлелдер аз"}
        assert rescored[1].payload["after"]["score"] == 4
        closing = session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.closed")).one()
        assert closing.payload["after"] == {"stage": "essay", "closed": True, "items": 2, "voting_members": 3}
