"""Interviews through HTTP: the shortlist after the essay, slots on working days without overlap, scores, closing;
and no response to a commission member names a candidate."""

from __future__ import annotations

from datetime import UTC, datetime

from httpx2 import Response
from sqlalchemy import select

from app.interviews.models import Interview
from app.notifications.models import Notification
from tests.api._assessment import (
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

ESSAY = "Адал қызмет — мемлекеттің тірегі."


def _after_essays(world: Clocked) -> tuple[Setup, list[str]]:
    """Four candidates through the essay (two tied at the reasoning cut-off); the fourth scores lowest."""
    setup = build(world, reasoning=[(20, 20), (18, 18), (15, 15), (15, 15)])
    bodies = []
    for person, value in zip(setup.people, (4, 4, 5, 3), strict=True):
        write_essay(world, person, ESSAY, language="kk")
        for member in setup.members[:2]:
            given = score(world, setup, "essay", person.code, member, value, comment="Ойы анық")
            assert given.status_code == 200, given.text
            bodies.append(given.text)
    bodies.append(
        world.client.get(
            f"/api/v1/competitions/{setup.competition_id}/essays", headers=world.headers(setup.members[0])
        ).text
    )
    return setup, bodies


def _schedule(world: Clocked, setup: Setup, code: str, starts_at: str) -> Response:
    return world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/interviews",
        json={"anonymous_code": code, "starts_at": starts_at},
        headers=world.headers(setup.hr),
    )


def test_interviews_are_scheduled_scored_and_closed_by_anonymous_code(world_every_backend: Clocked) -> None:
    world = world_every_backend
    setup, bodies = _after_essays(world)
    first, second, third, fourth = setup.people
    chair, member, other = setup.members

    early = _schedule(world, setup, first.code, "2026-02-03T10:00:00+05:00")
    assert (early.status_code, early.json()["code"]) == (409, "previous_stage_open")
    assert close(world, setup, "essay").status_code == 200

    listed = world.client.get(f"/api/v1/competitions/{setup.competition_id}/interviews", headers=world.headers(chair))
    assert listed.json()["shortlist"] == [first.code, second.code, third.code]
    not_listed = _schedule(world, setup, fourth.code, "2026-02-03T11:00:00+05:00")
    assert (not_listed.status_code, not_listed.json()["code"]) == (409, "not_shortlisted")

    created = _schedule(world, setup, first.code, "2026-02-03T10:00:00+05:00")
    assert created.status_code == 201, created.text
    slot = created.json()
    assert (slot["starts_at"], slot["ends_at"], slot["duration_minutes"], slot["status"]) == (
        "2026-02-03T05:00:00Z",
        "2026-02-03T05:15:00Z",
        15,
        "scheduled",
    )
    assert (slot["recording_ref"], slot["transcript_ref"]) == (None, None)
    same = _schedule(world, setup, first.code, "2026-02-03T05:00:00Z")
    assert (same.status_code, same.json()["id"]) == (200, slot["id"])

    overlap = _schedule(world, setup, second.code, "2026-02-03T10:14:00+05:00")
    assert (overlap.status_code, overlap.json()["code"]) == (409, "slot_taken")
    assert overlap.json()["taken_from"] == "2026-02-03T05:00:00+00:00"
    weekend = _schedule(world, setup, second.code, "2026-02-07T10:00:00+05:00")
    assert (weekend.status_code, weekend.json()["code"], weekend.json()["day"]) == (
        422,
        "not_a_working_day",
        "2026-02-07",
    )
    past = _schedule(world, setup, second.code, "2026-02-02T09:00:00+05:00")
    assert (past.status_code, past.json()["code"]) == (422, "slot_in_past")
    naive = _schedule(world, setup, second.code, "2026-02-03T11:00:00")
    assert (naive.status_code, naive.json()["code"]) == (422, "validation_error")
    assert _schedule(world, setup, second.code, "2026-02-03T10:15:00+05:00").status_code == 201  # back to back
    assert _schedule(world, setup, third.code, "2026-02-03T11:00:00+05:00").status_code == 201
    moved = _schedule(world, setup, third.code, "2026-02-04T11:00:00+05:00")
    assert (moved.status_code, moved.json()["starts_at"]) == (201, "2026-02-04T06:00:00Z")

    mine = world.client.get(
        f"/api/v1/applications/{first.application_id}/interview", headers=world.headers(first.account)
    )
    assert (mine.status_code, mine.json()["starts_at"], mine.json()["duration_minutes"]) == (
        200,
        "2026-02-03T05:00:00Z",
        15,
    )
    with world.session() as session:
        told = session.scalars(
            select(Notification)
            .where(Notification.account_id == third.account.id, Notification.event == "interview_scheduled")
            .order_by(Notification.id)
        ).all()
        assert [n.payload["starts_at"] for n in told] == ["2026-02-03T06:00:00+00:00", "2026-02-04T06:00:00+00:00"]
        assert "04.02.2026" in told[1].body

    too_soon = score(world, setup, "interview", first.code, chair, 5)
    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "interview_not_started")
    world.set_now(datetime(2026, 2, 4, 7, 0, tzinfo=UTC))
    for value in (0, 6):
        refused = score(world, setup, "interview", first.code, chair, value)
        assert (refused.status_code, refused.json()["code"]) == (422, "score_out_of_range")
    outsider = score(world, setup, "interview", first.code, setup.secretary, 4)
    assert (outsider.status_code, outsider.json()["code"]) == (403, "not_on_commission")
    no_slot = score(world, setup, "interview", fourth.code, chair, 4)
    assert (no_slot.status_code, no_slot.json()["code"]) == (409, "interview_not_scheduled")

    held = world.client.post(
        f"/api/v1/interviews/{slot['id']}/status", json={"status": "held"}, headers=world.headers(setup.hr)
    )
    assert (held.status_code, held.json()["status"]) == (200, "held")
    cannot_move = _schedule(world, setup, first.code, "2026-02-05T10:00:00+05:00")
    assert (cannot_move.status_code, cannot_move.json()["code"]) == (409, "interview_already_held")
    cancelled = world.client.post(
        f"/api/v1/interviews/{moved.json()['id']}/status", json={"status": "cancelled"}, headers=world.headers(setup.hr)
    )
    assert cancelled.json()["status"] == "cancelled"
    gone = score(world, setup, "interview", third.code, chair, 4)
    assert (gone.status_code, gone.json()["code"]) == (409, "interview_not_scheduled")

    for person, values in ((first, (5, 4)), (second, (3,))):
        for scorer, value in zip((chair, member), values, strict=False):
            given = score(world, setup, "interview", person.code, scorer, value, comment="Жауаптары нақты")
            assert given.status_code == 200, given.text
            bodies.append(given.text)
    short = close(world, setup, "interview")
    assert (short.status_code, short.json()["missing"]) == (
        409,
        [{"anonymous_code": second.code, "scored": 1, "members": 3}],
    )
    assert score(world, setup, "interview", second.code, other, 4).status_code == 200
    assert close(world, setup, "interview").status_code == 200
    after = score(world, setup, "interview", first.code, other, 4)
    assert (after.status_code, after.json()["code"]) == (409, "stage_closed")

    seen = world.client.get(f"/api/v1/competitions/{setup.competition_id}/interviews", headers=world.headers(chair))
    body = seen.json()
    assert body["stage_closed"] is True
    assert [
        (i["anonymous_code"], i["status"], i["my_score"] and i["my_score"]["score"]) for i in body["interviews"]
    ] == [(first.code, "held", 5), (second.code, "scheduled", 3), (third.code, "cancelled", None)]
    progress = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/progress", headers=world.headers(setup.hr)
    ).json()["outcome"]
    assert [entry["ref"] for entry in progress["ranking"]] == [first.code, second.code]
    interview_stage = next(stage for stage in progress["stages"] if stage["stage"] == "interview")
    assert interview_stage["eliminated"] == {third.code: "no_result", fourth.code: "not_shortlisted_for_interview"}
    with world.session() as session:
        assert session.scalars(select(Interview.duration_minutes)).all() == [15, 15, 15]

    bodies += [
        listed.text,
        seen.text,
        too_soon.text,
        outsider.text,
        no_slot.text,
        gone.text,
        after.text,
        world.client.get(f"/api/v1/competitions/{setup.competition_id}/essays", headers=world.headers(member)).text,
        world.client.get(
            f"/api/v1/competitions/{setup.competition_id}/interviews", headers=world.headers(setup.secretary)
        ).text,
    ]
    assert_anonymous(bodies, setup.people)


def test_only_the_hr_of_the_body_schedules(world: Clocked) -> None:
    setup, _bodies = _after_essays(world)
    assert close(world, setup, "essay").status_code == 200
    for account in (setup.members[0], world.account("hr_officer"), setup.people[0].account):
        refused = world.client.post(
            f"/api/v1/competitions/{setup.competition_id}/interviews",
            json={"anonymous_code": setup.people[0].code, "starts_at": "2026-02-03T10:00:00+05:00"},
            headers=world.headers(account),
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    nobody = world.client.get(
        f"/api/v1/applications/{setup.people[1].application_id}/interview",
        headers=world.headers(setup.people[1].account),
    )
    assert nobody.status_code == 404


def test_a_member_sitting_on_two_commissions_has_one_slot_at_a_time(world: Clocked) -> None:
    setup, _bodies = _after_essays(world)
    assert close(world, setup, "essay").status_code == 200
    other = build(world, reasoning=[(20, 20)], topic=False)
    shared = setup.members[1]
    seated = world.client.post(
        f"/api/v1/competitions/{other.competition_id}/commission",
        json={"account_id": shared.id, "role": "member"},
        headers=world.headers(other.hr),
    )
    assert seated.status_code == 201
    with world.session() as session:  # the other competition's slot, as its HR would have scheduled it
        session.add(
            Interview(
                application_id=other.people[0].application_id,
                competition_id=other.competition_id,
                starts_at=datetime(2026, 2, 3, 5, 0, tzinfo=UTC),
                ends_at=datetime(2026, 2, 3, 5, 15, tzinfo=UTC),
                duration_minutes=15,
                status="scheduled",
                scheduled_by=other.hr.id,
                scheduled_at=datetime(2026, 2, 2, 5, 0, tzinfo=UTC),
            )
        )
    clash = _schedule(world, setup, setup.people[0].code, "2026-02-03T10:05:00+05:00")
    assert (clash.status_code, clash.json()["code"]) == (409, "slot_taken")
    assert other.people[0].code not in clash.text  # another competition's codes stay there
    free = _schedule(world, setup, setup.people[0].code, "2026-02-03T10:15:00+05:00")
    assert free.status_code == 201
