"""Appointment after a competition through HTTP, as HR, administrator, candidate and an outsider.

Results published Monday 16.03.2026. Working days after it: 17-20 March (1-4), Nauryz keeps
21-25 March off, 26 (5), 27 (6), 30 (7), 31 (8), 1 April (9), 2 April (10): the window is
27.03-02.04; the documents are due 10 calendar days on, 26.03.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.appointments.models import Appointment
from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER
from app.notifications.models import Notification
from app.vacancies.models import Vacancy
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.factories.appointments import PublishedCompetition, make_published_competition

PUBLISHED = date(2026, 3, 16)
DEADLINES = {"appointment_from": "2026-03-27", "appointment_until": "2026-04-02", "documents_due": "2026-03-26"}


def published(world: World, **kwargs: Any) -> PublishedCompetition:
    with world.session() as session:
        return make_published_competition(
            session,
            secret_key=world.app.state.settings.secret_key,
            published_on=PUBLISHED,
            deadlines=DEADLINES,
            **kwargs,
        )


def events(world: World, action: str) -> list[dict[str, Any]]:
    with world.session() as session:
        return [
            e.payload
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).all()
        ]


def notified(world: World, account_id: int) -> list[tuple[str, str]]:
    with world.session() as session:
        return [
            (n.event, n.locale)
            for n in session.scalars(
                select(Notification).where(Notification.account_id == account_id).order_by(Notification.id)
            ).all()
        ]


def test_the_winner_appointed_inside_the_window(world: World) -> None:
    comp = published(world)
    hr = world.headers(comp.hr_officer)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    world.set_today(date(2026, 3, 20))
    view = world.client.get(url, headers=hr).json()
    winner = next(iter(comp.candidates))
    assert (view["winner"], view["deadlines"], view["after_winner_refusal"], view["offers"]) == (
        winner,
        DEADLINES,
        "recompete",
        [],
    )
    assert view["overdue"] == {"appointment_overdue": False, "documents_overdue": False}

    documents = world.client.post(f"{url}/documents", json={"received_on": "2026-03-25"}, headers=hr)
    assert documents.status_code == 200, documents.text
    assert documents.json()["overdue"] == {"appointment_overdue": False, "documents_overdue": False}

    world.set_today(date(2026, 3, 27))
    done = world.client.post(url, json={"order_number": "45-ЖҚ", "appointed_on": "2026-03-27"}, headers=hr)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["order_number"], body["appointed_on"], body["outside_window"]) == (
        "appointed",
        "45-ЖҚ",
        "2026-03-27",
        False,
    )
    assert body["window"] == {"from": "2026-03-27", "until": "2026-04-02"}
    assert body["documents_due"] == "2026-03-26"
    with world.session() as session:
        vacancy = session.get(Vacancy, comp.vacancy_id)
        assert vacancy is not None and vacancy.status == "closed"
    recorded = events(world, "appointment.recorded")
    assert len(recorded) == 1 and "flag" not in recorded[0]
    assert events(world, "vacancy.closed")[-1]["after"] == {"status": "closed", "filled_by_appointment": body["id"]}
    assert notified(world, comp.candidates[winner].account_id) == [("appointment_recorded", "kk")]
    again = world.client.post(url, json={"order_number": "46", "appointed_on": "2026-03-30"}, headers=hr)
    assert (again.status_code, again.json()["code"]) == (409, "appointment_decided")


def test_outside_the_window_only_with_a_reason_and_flagged(world: World) -> None:
    comp = published(world)
    hr = world.headers(comp.hr_officer)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    early = world.client.post(url, json={"order_number": "12", "appointed_on": "2026-03-26"}, headers=hr)
    assert (early.status_code, early.json()["code"], early.json()["timing"]) == (
        422,
        "outside_window_reason_required",
        "early",
    )
    late = world.client.post(
        url,
        json={"order_number": "12", "appointed_on": "2026-04-03", "reason": "the winner was on sick leave"},
        headers=hr,
    )
    assert late.status_code == 200, late.text
    assert (late.json()["outside_window"], late.json()["outside_window_reason"]) == (
        True,
        "the winner was on sick leave",
    )
    flagged = events(world, "appointment.recorded")[-1]
    assert (flagged["flag"], flagged["timing"], flagged["reason"]) == (
        "outside_window",
        "late",
        "the winner was on sick leave",
    )


def test_overdue_marks_once_the_days_pass(world: World) -> None:
    comp = published(world)
    hr = world.headers(comp.hr_officer)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    world.set_today(date(2026, 3, 27))
    assert world.client.get(url, headers=hr).json()["overdue"] == {
        "appointment_overdue": False,
        "documents_overdue": True,
    }
    world.set_today(date(2026, 4, 3))
    assert world.client.get(url, headers=hr).json()["overdue"] == {
        "appointment_overdue": True,
        "documents_overdue": True,
    }
    # a serving civil servant hands in nothing
    servant = world.client.post(f"{url}/documents", json={"required": False}, headers=hr).json()
    assert servant["overdue"] == {"appointment_overdue": True, "documents_overdue": False}


def test_a_refusal_sends_the_post_back_to_competition_by_default(world: World) -> None:
    comp = published(world)
    hr = world.headers(comp.hr_officer)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    refused = world.client.post(
        f"{url}/refusal", json={"kind": "refused", "on": "2026-03-20", "reason": "took another job"}, headers=hr
    )
    assert refused.status_code == 200, refused.text
    next_step = refused.json()["next"]
    assert (refused.json()["status"], next_step["action"], next_step["reason"]) == (
        "refused",
        "recompete",
        "policy_recompete",
    )
    with world.session() as session:
        old = session.get(Vacancy, comp.vacancy_id)
        new = session.get(Vacancy, next_step["vacancy_id"])
        assert old is not None and new is not None
        assert (old.status, new.status, new.title_ru, new.locality_type) == (
            "closed",
            "draft",
            "Главный специалист",
            "city",
        )
    after = world.client.post(url, json={"order_number": "1", "appointed_on": "2026-03-27"}, headers=hr)
    assert (after.status_code, after.json()["code"]) == (409, "appointment_decided")
    assert events(world, "appointment.refused")[-1]["next"]["action"] == "recompete"


def test_the_next_ranked_is_offered_the_post_when_the_policy_says_so(world: World) -> None:
    comp = published(world, policy={"after_winner_refusal": "offer_next_ranked"})
    hr = world.headers(comp.hr_officer)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    first, second, third = comp.candidates
    refused = world.client.post(
        f"{url}/refusal", json={"kind": "documents_not_submitted", "on": "2026-03-26"}, headers=hr
    ).json()
    assert refused["status"] == "documents_not_submitted"
    assert (refused["next"]["action"], refused["next"]["anonymous_code"]) == ("offer", second)
    # offered Thursday 26.03: from that day to the 10th working day after it, 9 April; documents 5 April
    offer = world.client.get(f"/api/v1/appointments/{refused['next']['appointment_id']}", headers=hr).json()
    assert (offer["status"], offer["window"], offer["documents_due"]) == (
        "offered",
        {"from": "2026-03-26", "until": "2026-04-09"},
        "2026-04-05",
    )
    assert notified(world, comp.candidates[second].account_id) == [("appointment_offered", "kk")]
    again = world.client.post(f"{url}/refusal", json={"kind": "refused", "on": "2026-03-27"}, headers=hr).json()
    assert again["next"]["anonymous_code"] == third
    done = world.client.post(url, json={"order_number": "7", "appointed_on": "2026-03-30"}, headers=hr).json()
    assert (done["anonymous_code"], done["status"]) == (third, "appointed")
    view = world.client.get(url, headers=hr).json()
    assert [o["status"] for o in view["offers"]] == ["documents_not_submitted", "refused", "appointed"]
    assert first in [o["anonymous_code"] for o in view["offers"]]


def test_who_may_see_and_record(world: World) -> None:
    comp = published(world)
    url = f"/api/v1/competitions/{comp.competition_id}/appointment"
    other_hr = world.account(HR_OFFICER)
    admin = world.account(ADMINISTRATOR)
    member = world.account(COMMISSION_MEMBER)
    winner = comp.candidates[next(iter(comp.candidates))].account
    body = {"order_number": "1", "appointed_on": "2026-03-27"}
    for account in (other_hr, member, winner):
        assert world.client.post(url, json=body, headers=world.headers(account)).status_code == 403
        assert world.client.get(url, headers=world.headers(account)).status_code == 403
    assert world.client.get(url, headers=world.headers(admin)).status_code == 200
    assert world.client.post(url, json=body, headers=world.headers(admin)).status_code == 403
    assert world.client.get(url).status_code == 401
    done = world.client.post(url, json=body, headers=world.headers(comp.hr_officer)).json()
    # the appointed candidate reads their own appointment; the list is for HR and administrators
    assert world.client.get(f"/api/v1/appointments/{done['id']}", headers=world.headers(winner)).status_code == 200
    assert world.client.get("/api/v1/appointments", headers=world.headers(winner)).status_code == 403
    assert [a["id"] for a in world.client.get("/api/v1/appointments", headers=world.headers(admin)).json()] == [
        done["id"]
    ]
    assert world.client.get("/api/v1/appointments", headers=world.headers(other_hr)).json() == []
    with world.session() as session:
        assert session.scalars(select(Appointment)).one().status == "appointed"


def test_no_appointment_before_the_results_or_without_a_winner(world: World) -> None:
    hr = world.account(HR_OFFICER)
    _vacancy, competition_id = world.published_competition(hr)
    url = f"/api/v1/competitions/{competition_id}/appointment"
    response = world.client.get(url, headers=world.headers(hr))
    assert (response.status_code, response.json()["code"]) == (409, "results_not_published")
    empty = published(world, ranked=0)
    posted = world.client.post(
        f"/api/v1/competitions/{empty.competition_id}/appointment",
        json={"order_number": "1", "appointed_on": "2026-03-27"},
        headers=world.headers(empty.hr_officer),
    )
    assert (posted.status_code, posted.json()["code"]) == (409, "no_winner")
