"""Vacancies through HTTP: drafts of one state body, the public list, publication opens the competition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.clock import KAZAKHSTAN
from app.rules.calendar import nth_working_day_after
from tests.api._workflow import World, vacancy_body, world_fixture  # noqa: F401


def test_hr_creates_a_draft_with_category_validated_and_managerial_derived(world: World) -> None:
    hr = world.account("hr_officer")
    response = world.client.post("/api/v1/vacancies", json=vacancy_body(category="с-о-1"), headers=world.headers(hr))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["category"] == "C-O-1"
    assert body["managerial"] is True
    assert body["status"] == "draft"
    assert body["state_body_id"] == hr.state_body_id
    assert body["competition_id"] is None
    assert body["stale_unpublished"] is False
    assert body["requirements"] == {
        "education_levels": [],
        "min_education_level": "bachelor",
        "education_fields": ["Law"],
        "min_experience_months": 12,
        "functional_area": None,
        "min_functional_area_months": 0,
    }
    with world.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "vacancy.created")).all()
    assert [(e.entity_id, e.actor, e.payload["after"]["status"]) for e in events] == [
        (str(body["id"]), str(hr.id), "draft")
    ]


def test_managerial_flag_stated_overrides_the_category_and_area_requirement_defaults_to_vacancy(world: World) -> None:
    hr = world.account("hr_officer")
    body = vacancy_body(category="C-1", managerial=False, requirements={"min_functional_area_months": 6})
    response = world.client.post("/api/v1/vacancies", json=body, headers=world.headers(hr))
    assert response.status_code == 201
    assert response.json()["managerial"] is False
    assert response.json()["requirements"]["functional_area"] == "legal"


def test_unknown_category_and_bad_requirements_are_422(world: World) -> None:
    hr = world.account("hr_officer")
    unknown = world.client.post("/api/v1/vacancies", json=vacancy_body(category="Z-9"), headers=world.headers(hr))
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_category"
    bad = world.client.post(
        "/api/v1/vacancies", json=vacancy_body(requirements={"min_education_level": "phd"}), headers=world.headers(hr)
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"


def test_only_hr_officers_create_vacancies(world: World) -> None:
    for role in ("candidate", "commission_member", "proctor", "researcher", "administrator"):
        account = world.account(role)
        response = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(account))
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
    assert world.client.post("/api/v1/vacancies", json=vacancy_body()).status_code == 401


def test_public_list_shows_published_only_and_hr_sees_own_drafts(world: World) -> None:
    hr = world.account("hr_officer")
    other_hr = world.account("hr_officer")
    draft = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(hr)).json()
    published_id, competition_id = world.published_competition(hr)
    other_draft = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(other_hr)).json()

    public = world.client.get("/api/v1/vacancies")
    assert public.status_code == 200
    assert [v["id"] for v in public.json()] == [published_id]
    assert public.json()[0]["competition_id"] == competition_id
    assert public.json()[0]["applications_close_on"] == "2026-02-11"  # 7 working days on

    own = world.client.get("/api/v1/vacancies", headers=world.headers(hr)).json()
    assert sorted(v["id"] for v in own) == sorted([draft["id"], published_id])
    others = world.client.get("/api/v1/vacancies", headers=world.headers(other_hr)).json()
    assert sorted(v["id"] for v in others) == sorted([other_draft["id"], published_id])

    assert world.client.get(f"/api/v1/vacancies/{draft['id']}").status_code == 404
    assert world.client.get(f"/api/v1/vacancies/{draft['id']}", headers=world.headers(other_hr)).status_code == 404
    assert world.client.get(f"/api/v1/vacancies/{draft['id']}", headers=world.headers(hr)).status_code == 200
    assert world.client.get(f"/api/v1/vacancies/{published_id}").json()["status"] == "published"


def test_hr_of_another_body_cannot_publish_or_close(world: World) -> None:
    hr = world.account("hr_officer")
    other_hr = world.account("hr_officer")
    draft = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(hr)).json()
    for action in ("publish", "close"):
        response = world.client.post(f"/api/v1/vacancies/{draft['id']}/{action}", headers=world.headers(other_hr))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_publish_opens_one_competition_with_plan_policy_and_calendar(world: World) -> None:
    hr = world.account("hr_officer")
    draft = world.client.post("/api/v1/vacancies", json=vacancy_body(category="C-1"), headers=world.headers(hr)).json()
    published = world.client.post(
        f"/api/v1/vacancies/{draft['id']}/publish",
        json={"applications_close_on": "2026-02-06"},
        headers=world.headers(hr),
    )
    assert published.status_code == 200
    competition_id = published.json()["competition_id"]
    competition = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(hr)).json()
    assert competition["stage_plan"] == [
        "eligibility",
        "personal_qualities",
        "reasoning",
        "essay",
        "interview",
        "final",
    ]
    assert competition["policy"]["legislation_pass_total"] == 30
    assert competition["status"] == "open"
    assert competition["calendar"]["published_on"] == "2026-02-02"
    assert competition["calendar"]["applications_close_on"] == "2026-02-06"
    assert competition["calendar"]["documents_review_due"] == "2026-02-11"  # 3 working days after Friday
    again = world.client.post(f"/api/v1/vacancies/{draft['id']}/publish", headers=world.headers(hr))
    assert again.status_code == 409
    assert again.json()["code"] == "vacancy_not_draft"


def test_application_window_cannot_close_before_today(world: World) -> None:
    hr = world.account("hr_officer")
    draft = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(hr)).json()
    response = world.client.post(
        f"/api/v1/vacancies/{draft['id']}/publish",
        json={"applications_close_on": "2026-01-30"},
        headers=world.headers(hr),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_application_window"
    assert world.client.get(f"/api/v1/vacancies/{draft['id']}", headers=world.headers(hr)).json()["status"] == "draft"


def test_draft_is_stale_after_more_than_five_working_days(world: World) -> None:
    hr = world.account("hr_officer")
    draft = world.client.post("/api/v1/vacancies", json=vacancy_body(), headers=world.headers(hr)).json()
    # created on the real clock's day; "today" is pinned relative to it
    created_on = datetime.fromisoformat(draft["created_at"]).astimezone(KAZAKHSTAN).date()
    world.set_today(nth_working_day_after(created_on, 5))
    assert world.client.get("/api/v1/vacancies", headers=world.headers(hr)).json()[0]["stale_unpublished"] is False
    world.set_today(nth_working_day_after(created_on, 6))
    assert world.client.get("/api/v1/vacancies", headers=world.headers(hr)).json()[0]["stale_unpublished"] is True


def test_close_stops_applications(world: World) -> None:
    hr = world.account("hr_officer")
    vacancy_id, competition_id = world.published_competition(hr)
    closed = world.client.post(f"/api/v1/vacancies/{vacancy_id}/close", headers=world.headers(hr))
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert world.client.get("/api/v1/vacancies").json() == []
    competition = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(hr)).json()
    assert competition["status"] == "closed"
    assert competition["calendar"]["applications_open"] is False
    assert (
        world.client.post(f"/api/v1/vacancies/{vacancy_id}/close", headers=world.headers(hr)).json()["code"]
        == "vacancy_closed"
    )
