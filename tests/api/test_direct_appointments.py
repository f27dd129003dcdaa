"""Routes outside competition through HTTP: HR proposes, the rule checks, an administrator approves.

The post: a rural administrative post of a state body in Kyzylorda region, a draft (never put to
competition). Today 15.01.2026; the diploma of 30.06.2025 is within one year until 30.06.2026.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.notifications.models import Notification
from app.talent.models import ReserveMembership
from app.vacancies.models import Vacancy
from tests.api._workflow import World, vacancy_body, world_fixture  # noqa: F401
from tests.factories.accounts import make_state_body
from tests.factories.candidates import make_candidate

TODAY = date(2026, 1, 15)


def graduate(world: World, gpa: str, *, academy: bool = False) -> tuple[int, Account]:
    with world.session() as session:
        candidate = make_candidate(
            session,
            secret_key=world.app.state.settings.secret_key,
            education=[
                {
                    "level": "bachelor",
                    "field": "Law",
                    "institution": "Academy" if academy else "KazNU",
                    "start_date": date(2021, 9, 1),
                    "end_date": date(2025, 6, 30),
                    "diploma_on": date(2025, 6, 30),
                    "grant_funded": True,
                    "gpa": gpa,
                    "gpa_scale": "4",
                    "academy": academy,
                    "best_graduate": academy,
                }
            ],
        )
        return candidate.id, candidate.account


def body_hr(world: World, region: str) -> Account:
    with world.session() as session:
        body = make_state_body(session, region=region)
        body_id = body.id
    return world.account(HR_OFFICER, state_body_id=body_id)


def draft(world: World, hr: Account, locality: str) -> int:
    created = world.client.post(
        "/api/v1/vacancies", json=vacancy_body(locality_type=locality, category="E-G-4"), headers=world.headers(hr)
    )
    assert created.status_code == 201, created.text
    assert created.json()["locality_type"] == locality
    return int(created.json()["id"])


def propose(world: World, hr: Account, vacancy_id: int, candidate_id: int, route: str = "grant_graduate") -> Any:
    return world.client.post(
        f"/api/v1/vacancies/{vacancy_id}/direct-appointments",
        headers=world.headers(hr),
        json={"candidate_id": candidate_id, "route": route, "reason": "шақыру"},
    )


def test_a_graduate_appointed_to_a_rural_post_after_a_second_persons_approval(world: World) -> None:
    world.set_today(TODAY)
    hr = body_hr(world, "Kyzylorda")
    admin = world.account(ADMINISTRATOR)
    vacancy_id = draft(world, hr, "rural")
    candidate_id, person = graduate(world, "3.33")
    checked = world.client.get(
        f"/api/v1/vacancies/{vacancy_id}/routes", params={"candidate_id": candidate_id}, headers=world.headers(hr)
    ).json()
    by_route = {r["route"]: r for r in checked["routes"]}
    assert by_route["grant_graduate"]["eligible"] is True
    assert [(c["code"], c["met"]) for c in by_route["grant_graduate"]["conditions"]] == [
        ("state_grant", True),
        ("gpa", True),
        ("within_period_of_diploma", True),
        ("locality", True),
    ]
    assert by_route["academy_graduate"]["eligible"] is False
    assert by_route["regional_reserve"]["conditions"] == [
        {"code": "reserve_member", "met": False, "required": "regional", "actual": []}
    ]

    proposed = propose(world, hr, vacancy_id, candidate_id)
    assert proposed.status_code == 201, proposed.text
    appointment = proposed.json()
    assert (appointment["status"], appointment["route"], appointment["eligibility"]["eligible"]) == (
        "proposed",
        "grant_graduate",
        True,
    )
    url = f"/api/v1/appointments/{appointment['id']}"
    own = world.client.post(f"{url}/approve", json={}, headers=world.headers(hr))
    assert (own.status_code, own.json()["code"]) == (403, "own_proposal")
    colleague = world.account(HR_OFFICER, state_body_id=hr.state_body_id)
    assert world.client.post(f"{url}/approve", json={}, headers=world.headers(colleague)).status_code == 403
    early_order = world.client.post(
        f"{url}/order", json={"order_number": "1", "appointed_on": "2026-01-16"}, headers=world.headers(hr)
    )
    assert (early_order.status_code, early_order.json()["code"]) == (409, "appointment_decided")

    approved = world.client.post(f"{url}/approve", json={"note": "келісемін"}, headers=world.headers(admin))
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("offered", admin.id)
    order = world.client.post(
        f"{url}/order", json={"order_number": "3-к", "appointed_on": "2026-01-20"}, headers=world.headers(hr)
    )
    assert order.status_code == 200, order.text
    assert (order.json()["status"], order.json()["outside_window"], order.json()["window"]) == (
        "appointed",
        False,
        None,
    )
    with world.session() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and vacancy.status == "closed"
        assert [
            (n.event, n.locale)
            for n in session.scalars(
                select(Notification).where(Notification.account_id == person.id).order_by(Notification.id)
            )
        ] == [("appointment_offered", "kk"), ("appointment_recorded", "kk")]
        actions = [
            e.action
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "appointment").order_by(AuditEvent.id)
            )
        ]
    assert actions == ["appointment.proposed", "appointment.approved", "appointment.recorded"]


def test_gpa_below_the_threshold_is_refused_with_the_conditions(world: World) -> None:
    world.set_today(TODAY)
    hr = body_hr(world, "Kyzylorda")
    vacancy_id = draft(world, hr, "district")
    candidate_id, _person = graduate(world, "3.32")
    refused = propose(world, hr, vacancy_id, candidate_id)
    assert (refused.status_code, refused.json()["code"]) == (409, "route_not_eligible")
    gpa = next(c for c in refused.json()["eligibility"]["conditions"] if c["code"] == "gpa")
    assert gpa == {
        "code": "gpa",
        "met": False,
        "required": {"min": "3.33", "scale": "4"},
        "actual": {"gpa": "3.320", "scale": "4.000"},
    }


def test_a_year_after_the_diploma_and_a_city_post_close_the_graduate_route(world: World) -> None:
    hr = body_hr(world, "Kyzylorda")
    rural = draft(world, hr, "rural")
    city = draft(world, hr, "city")
    candidate_id, _person = graduate(world, "3.34")
    world.set_today(date(2026, 6, 30))
    assert propose(world, hr, city, candidate_id).json()["code"] == "route_not_eligible"
    world.set_today(date(2026, 7, 1))
    late = propose(world, hr, rural, candidate_id)
    assert late.status_code == 409
    within = next(c for c in late.json()["eligibility"]["conditions"] if c["code"] == "within_period_of_diploma")
    assert within == {
        "code": "within_period_of_diploma",
        "met": False,
        "required": {"years": 1, "until": "2026-06-30"},
        "actual": "2025-06-30",
    }
    world.set_today(date(2026, 6, 30))
    assert propose(world, hr, rural, candidate_id).status_code == 201


def test_the_academy_route_everywhere_but_astana(world: World) -> None:
    world.set_today(TODAY)
    candidate_id, _person = graduate(world, "3.0", academy=True)
    astana_hr = body_hr(world, "Astana")
    almaty_hr = body_hr(world, "Almaty")
    in_astana = propose(world, astana_hr, draft(world, astana_hr, "city"), candidate_id, "academy_graduate")
    assert in_astana.status_code == 409
    region = next(c for c in in_astana.json()["eligibility"]["conditions"] if c["code"] == "region")
    assert region == {"code": "region", "met": False, "required": {"not": "Astana"}, "actual": "Astana"}
    in_almaty = propose(world, almaty_hr, draft(world, almaty_hr, "city"), candidate_id, "academy_graduate")
    assert in_almaty.status_code == 201, in_almaty.text


def test_a_reserve_member_rejected_by_the_administrator(world: World) -> None:
    world.set_today(TODAY)
    hr = body_hr(world, "Kyzylorda")
    admin = world.account(ADMINISTRATOR)
    candidate_id, _person = graduate(world, "2.5")
    with world.session() as session:
        session.add(
            ReserveMembership(
                candidate_id=candidate_id, kind="presidential_youth", since=date(2025, 1, 1), source="Указ"
            )
        )
    vacancy_id = draft(world, hr, "city")
    proposed = propose(world, hr, vacancy_id, candidate_id, "presidential_youth_reserve")
    assert proposed.status_code == 201, proposed.text
    second = propose(world, hr, vacancy_id, candidate_id, "presidential_youth_reserve")
    assert (second.status_code, second.json()["code"]) == (409, "vacancy_not_open")
    rejected = world.client.post(
        f"/api/v1/appointments/{proposed.json()['id']}/reject", json={"note": "жоқ"}, headers=world.headers(admin)
    )
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    # a published vacancy is put to competition: no route outside it
    published = world.client.post(f"/api/v1/vacancies/{vacancy_id}/publish", headers=world.headers(hr))
    assert published.status_code == 200, published.text
    closed = propose(world, hr, vacancy_id, candidate_id, "presidential_youth_reserve")
    assert (closed.status_code, closed.json()["code"]) == (409, "vacancy_not_open")
    other = body_hr(world, "Kyzylorda")
    assert propose(world, other, vacancy_id, candidate_id, "presidential_youth_reserve").status_code == 403


def test_the_talent_search_filters_by_route_eligibility(world: World) -> None:
    world.set_today(TODAY)
    hr = body_hr(world, "Kyzylorda")
    vacancy_id = draft(world, hr, "rural")
    with world.session() as session:
        secret = world.app.state.settings.secret_key
        ids = {}
        for name, gpa in (("Жоғары", "3.40"), ("Төмен", "3.20")):
            ids[name] = make_candidate(
                session,
                secret_key=secret,
                surname=name,
                talent_pool=True,
                education=[
                    {
                        "level": "bachelor",
                        "field": "Law",
                        "institution": "KazNU",
                        "start_date": date(2021, 9, 1),
                        "end_date": date(2025, 6, 30),
                        "diploma_on": date(2025, 6, 30),
                        "grant_funded": True,
                        "gpa": gpa,
                        "gpa_scale": "4",
                    }
                ],
            ).id
    found = world.client.get(
        "/api/v1/talent/search",
        headers=world.headers(hr),
        params={"vacancy_id": vacancy_id, "route": "grant_graduate", "include_failing": True},
    )
    assert found.status_code == 200, found.text
    assert {item["candidate_id"] for item in found.json()["items"]} == {ids["Жоғары"]}
    alone = world.client.get(
        "/api/v1/talent/search", headers=world.headers(hr), params={"text": "lawyer", "route": "grant_graduate"}
    )
    assert (alone.status_code, alone.json()["code"]) == (422, "contradictory_filters")


def test_a_refusal_after_approval_leaves_the_draft_open(world: World) -> None:
    world.set_today(TODAY)
    hr = body_hr(world, "Kyzylorda")
    admin = world.account(ADMINISTRATOR)
    vacancy_id = draft(world, hr, "rural")
    candidate_id, _person = graduate(world, "3.50")
    proposed = propose(world, hr, vacancy_id, candidate_id).json()
    world.client.post(f"/api/v1/appointments/{proposed['id']}/approve", json={}, headers=world.headers(admin))
    refused = world.client.post(
        f"/api/v1/appointments/{proposed['id']}/refusal",
        json={"kind": "refused", "on": "2026-01-16"},
        headers=world.headers(hr),
    )
    assert refused.json() == {
        "appointment_id": proposed["id"],
        "status": "refused",
        "next": {"action": "vacancy_open", "reason": "direct_route", "vacancy_id": vacancy_id},
    }
    assert propose(world, hr, vacancy_id, candidate_id).status_code == 201
