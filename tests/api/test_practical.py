"""The practical assessment through HTTP: HR's tasks, members' scores by code, quorum and closing."""

from __future__ import annotations

from tests.api._assessment import (
    Clocked,
    assert_anonymous,
    build,
    clocked_world_fixture,  # noqa: F401
    close,
    score,
)

TASK = {
    "title_kk": "Хатқа жауап дайындау",
    "title_ru": "Подготовка ответа на обращение",
    "instructions_kk": "Азаматтың өтінішіне 30 минутта жауап жобасын дайындаңыз.",
    "instructions_ru": "Подготовьте проект ответа на обращение гражданина за 30 минут.",
    "level_note": "C-4: бас сарапшы / главный эксперт",
}


def test_practical_tasks_scores_and_closing(world: Clocked) -> None:
    setup = build(world, category="C-4", failing_personal_qualities=1, topic=False)
    first, second, third, stopped = setup.people
    chair, member, other = setup.members
    tasks_url = f"/api/v1/competitions/{setup.competition_id}/practical-tasks"

    created = world.client.post(tasks_url, json=TASK, headers=world.headers(setup.hr))
    assert created.status_code == 201, created.text
    task = created.json()
    assert {name: task[name] for name in TASK} == TASK
    foreign = world.client.post(tasks_url, json=TASK, headers=world.headers(world.account("hr_officer")))
    assert foreign.status_code == 403
    by_member = world.client.post(tasks_url, json=TASK, headers=world.headers(chair))
    assert by_member.status_code == 403
    incomplete = world.client.post(tasks_url, json={**TASK, "title_ru": ""}, headers=world.headers(setup.hr))
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "validation_error")
    changed = world.client.put(
        f"{tasks_url}/{task['id']}", json={**TASK, "level_note": None}, headers=world.headers(setup.hr)
    )
    assert (changed.status_code, changed.json()["level_note"]) == (200, None)

    view = world.client.get(f"/api/v1/competitions/{setup.competition_id}/practical", headers=world.headers(chair))
    assert view.status_code == 200
    assert [t["title_kk"] for t in view.json()["tasks"]] == [TASK["title_kk"]]
    assert [(e["anonymous_code"], e["my_score"]) for e in view.json()["entrants"]] == [
        (first.code, None),
        (second.code, None),
        (third.code, None),
    ]

    out_of_range = score(world, setup, "practical", first.code, chair, 9)
    assert (out_of_range.status_code, out_of_range.json()["code"]) == (422, "score_out_of_range")
    outsider = score(world, setup, "practical", first.code, world.account("commission_member"), 3)
    assert (outsider.status_code, outsider.json()["code"]) == (403, "not_on_commission")
    not_reached = score(world, setup, "practical", stopped.code, chair, 3)
    assert (not_reached.status_code, not_reached.json()["code"]) == (409, "stage_not_reached")
    essay_here = score(world, setup, "essay", first.code, chair, 3)
    assert (essay_here.status_code, essay_here.json()["code"]) == (409, "stage_not_in_plan")
    no_topic = world.client.put(
        f"/api/v1/competitions/{setup.competition_id}/essay-topic",
        json={"kk": "Тақырып", "ru": "Тема"},
        headers=world.headers(setup.hr),
    )
    assert (no_topic.status_code, no_topic.json()["code"]) == (409, "no_essay_stage")

    for person, scores in ((first, (4, 5)), (second, (3, 3)), (third, (2,))):
        for scorer, value in zip((chair, member), scores, strict=False):
            given = score(world, setup, "practical", person.code, scorer, value, comment="Жақсы")
            assert given.status_code == 200, given.text
    mine = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/practical", headers=world.headers(member)
    ).json()
    assert [e["my_score"] and (e["my_score"]["score"], e["my_score"]["comment"]) for e in mine["entrants"]] == [
        (5, "Жақсы"),
        (3, "Жақсы"),
        None,
    ]

    short = close(world, setup, "practical")
    assert (short.status_code, short.json()["code"]) == (409, "scoring_quorum_not_reached")
    assert short.json()["missing"] == [{"anonymous_code": third.code, "scored": 1, "members": 3}]
    assert score(world, setup, "practical", third.code, other, 1).status_code == 200
    closed = close(world, setup, "practical")
    assert closed.status_code == 200, closed.text

    after = score(world, setup, "practical", first.code, other, 5)
    assert (after.status_code, after.json()["code"]) == (409, "stage_closed")
    late_task = world.client.post(tasks_url, json=TASK, headers=world.headers(setup.hr))
    assert (late_task.status_code, late_task.json()["code"]) == (409, "stage_closed")
    progress = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/progress", headers=world.headers(setup.hr)
    ).json()["outcome"]
    stage = next(item for item in progress["stages"] if item["stage"] == "practical")
    assert (stage["advanced"], stage["eliminated"]) == (
        [first.code, second.code],
        {third.code: "practical_below_minimum"},
    )

    bodies = [
        view.text,
        str(mine),
        out_of_range.text,
        outsider.text,
        not_reached.text,
        after.text,
        world.client.get(f"/api/v1/competitions/{setup.competition_id}/practical", headers=world.headers(other)).text,
    ]
    assert_anonymous(bodies, setup.people)


def test_a_managerial_competition_has_no_practical_tasks(world: Clocked) -> None:
    setup = build(world, reasoning=[(20, 20)], topic=False)
    refused = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/practical-tasks", json=TASK, headers=world.headers(setup.hr)
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "no_practical_stage")
    wrong_stage = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/stages/practical/close", headers=world.headers(setup.hr)
    )
    assert (wrong_stage.status_code, wrong_stage.json()["code"]) == (409, "stage_not_in_plan")
    unknown = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/stages/final/close", headers=world.headers(setup.hr)
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "validation_error")
