"""HR talent search, invitations, reserves and candidate recommendations through the API, with real tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Account
from app.candidates.models import Candidate
from app.notifications.models import Notification, OutboxMessage
from app.talent.models import TalentInvitation
from tests.api._workflow import TODAY, World, world_fixture  # noqa: F401
from tests.factories.talent import add_reserve, candidate_id


@dataclass
class Pool:
    hr: Account
    vacancy_id: int
    qualified: int
    short_experience: int
    no_consent: int
    reserve_only: int
    almaty: int


@pytest.fixture(name="pool")
def pool_fixture(world: World) -> Pool:
    hr = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(hr)
    qualified = candidate_id(world, world.candidate(talent_pool=True, surname="Әлиев"))
    short = candidate_id(world, world.candidate(experience_years=0, talent_pool=True, surname="Қасымов"))
    no_consent = candidate_id(world, world.candidate(talent_pool=False, surname="Жоқов"))
    reserve_only = candidate_id(world, world.candidate(talent_pool=False, surname="Резервов"))
    almaty = candidate_id(world, world.candidate(talent_pool=True, region="Almaty", surname="Алматов"))
    add_reserve(world, reserve_only)
    # An expired membership does not bring anyone into the pool.
    add_reserve(world, no_consent, since=date(2020, 1, 1), until=date(2024, 12, 31), source="old order")
    return Pool(hr, vacancy_id, qualified, short, no_consent, reserve_only, almaty)


def _search(world: World, hr: Account, **params: Any) -> Any:
    return world.client.get("/api/v1/talent/search", params=params, headers=world.headers(hr))


def _ids(body: dict[str, Any]) -> set[int]:
    return {item["candidate_id"] for item in body["items"]}


def test_vacancy_search_ranks_the_pool_explains_and_counts_those_failing(world: World, pool: Pool) -> None:
    response = _search(world, pool.hr, vacancy_id=pool.vacancy_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert _ids(body) == {pool.qualified, pool.reserve_only, pool.almaty}
    assert (body["total"], body["excluded_failing"], body["basis"], body["pool_size"]) == (3, 1, "vacancy", 4)
    assert body["model"]["name"] and body["weights"]
    for item in body["items"]:
        match = item["match"]
        assert match["meets_requirements"] is True
        assert {r["requirement"] for r in match["requirements"]} == {"education_level", "education_field", "experience"}
        assert set(match["shares"]) == set(match["components"])
        assert abs(sum(match["shares"].values()) - 1.0) < 1e-6
        assert 0.0 <= match["score"] <= 1.0
    scores = [item["match"]["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_include_failing_shows_the_failed_requirement_instead_of_hiding_it(world: World, pool: Pool) -> None:
    body = _search(world, pool.hr, vacancy_id=pool.vacancy_id, include_failing=True).json()
    assert _ids(body) == {pool.qualified, pool.short_experience, pool.reserve_only, pool.almaty}
    assert (body["total"], body["excluded_failing"]) == (4, 0)
    failing = next(item for item in body["items"] if item["candidate_id"] == pool.short_experience)
    assert failing["match"]["meets_requirements"] is False
    experience = next(r for r in failing["match"]["requirements"] if r["requirement"] == "experience")
    assert (experience["met"], experience["required"], experience["actual"], experience["reason"]) == (
        False,
        12,
        0,
        "experience_below_minimum",
    )


def test_consent_decides_who_appears_and_whose_personal_data_hr_sees(world: World, pool: Pool) -> None:
    body = _search(world, pool.hr, text="юрист правовая экспертиза Law", page_size=50).json()
    assert pool.no_consent not in _ids(body)
    by_id = {item["candidate_id"]: item for item in body["items"]}
    assert by_id[pool.qualified]["personal_data"]["surname"] == "Әлиев"
    assert by_id[pool.qualified]["sources"] == ["talent_pool_consent"]
    reserve = by_id[pool.reserve_only]
    assert (reserve["personal_data"], reserve["personal_data_withheld"], reserve["sources"]) == (
        None,
        "no_talent_pool_consent",
        ["regional_reserve"],
    )
    assert [(r["kind"], r["region"]) for r in reserve["reserves"]] == [("regional", "Astana")]
    assert reserve["profile"]["highest_education_level"] == "bachelor"
    assert "Резервов" not in str(body)


def test_filters_and_pagination(world: World, pool: Pool) -> None:
    assert _ids(_search(world, pool.hr, vacancy_id=pool.vacancy_id, regions=["almaty"]).json()) == {pool.almaty}
    assert _ids(_search(world, pool.hr, vacancy_id=pool.vacancy_id, reserve="regional").json()) == {pool.reserve_only}
    assert _ids(_search(world, pool.hr, vacancy_id=pool.vacancy_id, reserve="presidential_youth").json()) == set()
    assert _ids(_search(world, pool.hr, vacancy_id=pool.vacancy_id, languages=["en"]).json()) == set()
    pages = [_search(world, pool.hr, vacancy_id=pool.vacancy_id, page=page, page_size=2).json() for page in (1, 2)]
    assert [len(p["items"]) for p in pages] == [2, 1]
    assert [p["total"] for p in pages] == [3, 3]
    assert _ids(pages[0]) | _ids(pages[1]) == {pool.qualified, pool.reserve_only, pool.almaty}
    posted = world.client.post(
        "/api/v1/talent/search",
        json={"vacancy_id": pool.vacancy_id, "regions": ["Almaty"]},
        headers=world.headers(pool.hr),
    )
    assert _ids(posted.json()) == {pool.almaty}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"text": "   "}, 422, "search_text_empty"),
        ({}, 422, "search_text_empty"),
        ({"text": "x" * 2001}, 422, "search_text_too_long"),
        ({"text": "юрист", "min_experience_months": 24, "max_experience_months": 12}, 422, "contradictory_filters"),
        ({"text": "юрист", "regions": ["Atlantis"]}, 422, "contradictory_filters"),
        ({"text": "юрист", "page_size": 51}, 422, "validation_error"),
        ({"text": "юрист", "vacancy_id": 1}, 422, "validation_error"),
    ],
)
def test_bad_search_input_is_a_clear_problem(world: World, params: dict[str, Any], status: int, code: str) -> None:
    hr = world.account("hr_officer")
    response = _search(world, hr, **params)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


def test_a_vacancy_without_requirements_is_searched_on_its_text_and_says_so(world: World, pool: Pool) -> None:
    vacancy_id, _ = world.published_competition(pool.hr, requirements={})
    body = _search(world, pool.hr, vacancy_id=vacancy_id, include_failing=True).json()
    assert body["basis"] == "vacancy_text_only"
    assert body["notes"] and "no qualification requirements" in body["notes"][0]
    assert _ids(body) == {pool.qualified, pool.short_experience, pool.reserve_only, pool.almaty}


def test_only_hr_and_administrators_search(world: World, pool: Pool) -> None:
    candidate = world.candidate(talent_pool=True)
    response = _search(world, candidate, text="юрист")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_an_invitation_is_recorded_audited_and_notified_once(world: World, pool: Pool) -> None:
    payload = {"candidate_id": pool.reserve_only, "vacancy_id": pool.vacancy_id, "message": "Өтінім беріңіз"}
    response = world.client.post("/api/v1/talent/invitations", json=payload, headers=world.headers(pool.hr))
    assert response.status_code == 201, response.text
    invitation = response.json()
    with world.session() as session:
        stored = session.get(TalentInvitation, invitation["id"])
        assert stored is not None and (stored.invited_by, stored.message) == (pool.hr.id, "Өтінім беріңіз")
        notification = session.get(Notification, invitation["notification_id"])
        assert notification is not None and notification.event == "talent_invitation"
        assert notification.subject == "Бос лауазымға шақыру: Бас сарапшы"
        assert "Кадр қызметінің хабарламасы: Өтінім беріңіз" in notification.body
        outbox = session.scalars(select(OutboxMessage).where(OutboxMessage.event == "talent_invitation")).all()
        assert len(outbox) == 1 and outbox[0].status == "queued"
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "talent.invitation_created")).one()
        assert (audit.actor, audit.payload["after"]["sources"]) == (str(pool.hr.id), ["regional_reserve"])
    again = world.client.post("/api/v1/talent/invitations", json=payload, headers=world.headers(pool.hr))
    assert (again.status_code, again.json()["code"]) == (409, "already_invited")
    assert _search(world, pool.hr, vacancy_id=pool.vacancy_id, reserve="regional").json()["items"][0]["invited"]


def test_nobody_outside_the_pool_and_no_other_bodys_vacancy_can_be_invited(world: World, pool: Pool) -> None:
    outside = world.client.post(
        "/api/v1/talent/invitations",
        headers=world.headers(pool.hr),
        json={"candidate_id": pool.no_consent, "vacancy_id": pool.vacancy_id},
    )
    assert (outside.status_code, outside.json()["code"]) == (404, "not_found")
    other_hr = world.account("hr_officer")
    foreign = world.client.post(
        "/api/v1/talent/invitations",
        headers=world.headers(other_hr),
        json={"candidate_id": pool.qualified, "vacancy_id": pool.vacancy_id},
    )
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")


def test_reserve_memberships_are_managed_and_audited(world: World, pool: Pool) -> None:
    admin = world.account("administrator")
    created = world.client.post(
        "/api/v1/talent/reserves",
        headers=world.headers(admin),
        json={
            "candidate_id": pool.no_consent,
            "kind": "presidential_youth",
            "since": "2026-01-01",
            "source": "Presidential youth reserve 2026",
        },
    )
    assert created.status_code == 201, created.text
    body = _search(world, pool.hr, vacancy_id=pool.vacancy_id, reserve="presidential_youth").json()
    assert _ids(body) == {pool.no_consent}
    assert body["items"][0]["personal_data"] is None
    bad = world.client.post(
        "/api/v1/talent/reserves",
        headers=world.headers(admin),
        json={
            "candidate_id": pool.no_consent,
            "kind": "regional",
            "region": "Atlantis",
            "since": "2026-01-01",
            "source": "x",
        },
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "contradictory_filters")
    removed = world.client.delete(f"/api/v1/talent/reserves/{created.json()['id']}", headers=world.headers(admin))
    assert removed.status_code == 204
    assert _ids(_search(world, pool.hr, vacancy_id=pool.vacancy_id, reserve="presidential_youth").json()) == set()
    with world.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("talent.reserve_%"))).all()
        assert actions == ["talent.reserve_added", "talent.reserve_removed"]


def test_a_candidate_sees_published_vacancies_ranked_and_explained(world: World, pool: Pool) -> None:
    hr = world.account("hr_officer")
    other_id, _ = world.published_competition(
        hr,
        functional_area="healthcare",
        title_ru="Врач-эксперт",
        title_kk="Дәрігер-сарапшы",
        requirements={"min_education_level": "master"},
    )
    with world.session() as session:
        account = session.scalars(select(Candidate).where(Candidate.id == pool.qualified)).one().account
    response = world.client.get("/api/v1/candidates/me/recommended-vacancies", headers=world.headers(account))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["vacancy_id"] for item in body["items"]] == [pool.vacancy_id, other_id]
    first, second = body["items"]
    assert (first["title_kk"], first["region"], first["match"]["meets_requirements"]) == ("Бас сарапшы", "Astana", True)
    assert second["match"]["meets_requirements"] is False
    assert [r["reason"] for r in second["match"]["requirements"]] == ["education_level_below_minimum"]
    assert body["total"] == 2 and body["model"]["name"]


def test_with_matching_switched_off_search_says_so(world: World, pool: Pool) -> None:
    admin = world.account("administrator")
    world.client.put("/api/v1/admin/ml/matching", json={"enabled": False}, headers=world.headers(admin))
    response = _search(world, pool.hr, vacancy_id=pool.vacancy_id)
    assert (response.status_code, response.json()["code"]) == (409, "ml_module_disabled")
