"""The appointment pages through HTTP: HR records the winner's appointment (checked, then recorded), a date
outside the window needs a reason (the service's refusal at the field), a refusal, a direct appointment
proposed by HR and approved by a second person, and another body's HR gets the 403 page.

Results published Monday 16.03.2026 (tests/api/test_appointments.py counts the days by hand): the window is
27.03-02.04 (Nauryz keeps 21-25 March off), the documents are due 26.03.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.appointments.models import Appointment
from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.notifications.models import Notification
from app.vacancies.models import Vacancy
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.api.test_appointments import published
from tests.api.test_direct_appointments import body_hr, draft, graduate
from tests.web._pages import csrf_of, sign_in

RU = {"Accept-Language": "ru"}
KK = {"Accept-Language": "kk"}


def signed_in(world: World, account: Account) -> TestClient:
    """A browser of its own for ``account`` (cookies are per client)."""
    client = TestClient(world.app)
    sign_in(client, account.email)
    return client


def offers(world: World, competition_id: int) -> list[Appointment]:
    with world.session() as session:
        found = session.scalars(select(Appointment).where(Appointment.competition_id == competition_id)).all()
        session.expunge_all()
        return list(found)


def actions(world: World) -> list[tuple[str, dict[str, object]]]:
    with world.session() as session:
        return [
            (e.action, e.payload)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "appointment").order_by(AuditEvent.id)
            )
        ]


def test_hr_checks_then_records_the_winners_appointment(world: World) -> None:
    comp = published(world)
    winner_code, winner = next(iter(comp.candidates.items()))
    hr = signed_in(world, comp.hr_officer)
    world.set_today(date(2026, 3, 27))  # in the window, the documents' day (26.03) has passed
    home = hr.get("/appointments", headers=RU)
    assert home.status_code == 200
    row = re.search(rf'<tr id="competition-{comp.competition_id}">.*?</tr>', home.text, re.S)
    assert row is not None
    assert winner_code in row.group(0) and "Документы просрочены" in row.group(0)
    assert "Назначение просрочено" not in row.group(0)

    page = hr.get(f"/appointments/competitions/{comp.competition_id}", headers=RU)
    assert page.status_code == 200
    start, end = (format_date(day, "long", locale="ru") for day in (date(2026, 3, 27), date(2026, 4, 2)))
    window = f"с {start} по {end}"
    assert f'<dd id="window">{window}</dd>' in page.text
    assert 'id="documents-overdue"' in page.text and 'id="appointment-overdue"' not in page.text
    assert winner.given_name in page.text  # the results are published: HR sees the winner's name

    form = hr.get(f"/appointments/competitions/{comp.competition_id}/order", headers=RU)
    token = csrf_of(form.text)
    answers = {"csrf_token": token, "order_number": "45-ЖҚ", "appointed_on": "2026-03-27", "reason": ""}
    check = hr.post(f"/appointments/competitions/{comp.competition_id}/order", data={**answers, "step": "check"})
    assert check.status_code == 200
    assert "45-ЖҚ" in check.text and 'name="step" value="confirm"' in check.text
    assert offers(world, comp.competition_id) == []  # the check wrote nothing
    done = hr.post(
        f"/appointments/competitions/{comp.competition_id}/order",
        data={**answers, "step": "confirm"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/appointments/competitions/{comp.competition_id}?done=appointed",
    )
    [offer] = offers(world, comp.competition_id)
    assert (offer.status, offer.order_number, offer.appointed_on, offer.outside_window) == (
        "appointed",
        "45-ЖҚ",
        date(2026, 3, 27),
        False,
    )
    with world.session() as session:
        vacancy = session.get(Vacancy, comp.vacancy_id)
        assert vacancy is not None and vacancy.status == "closed"
        told = [
            n.event for n in session.scalars(select(Notification).where(Notification.account_id == winner.account_id))
        ]
    assert told == ["appointment_recorded"]
    assert [a for a, _p in actions(world)] == ["appointment.offered", "appointment.recorded"]
    shown = hr.get(f"/appointments/competitions/{comp.competition_id}?done=appointed", headers=KK)
    assert "Тағайындау тіркелді" in shown.text
    assert "№ 45-ЖҚ" in shown.text


def test_outside_the_window_the_page_asks_for_a_reason_at_the_reason_field(world: World) -> None:
    comp = published(world)
    hr = signed_in(world, comp.hr_officer)
    world.set_today(date(2026, 4, 3))
    url = f"/appointments/competitions/{comp.competition_id}/order"
    page = hr.get(f"/appointments/competitions/{comp.competition_id}", headers=RU)
    assert 'id="appointment-overdue"' in page.text
    token = csrf_of(hr.get(url).text)
    late = {"csrf_token": token, "order_number": "12", "appointed_on": "2026-04-03", "step": "check"}
    refused = hr.post(url, data={**late, "reason": ""}, headers=RU)
    assert refused.status_code == 422
    message = "Дата после окончания срока назначения: укажите причину"
    assert f'<a href="#reason">{message}</a>' in refused.text
    assert re.search(rf'<p class="field-error" id="reason-error">.*{message}</p>', refused.text)
    assert offers(world, comp.competition_id) == []
    early = hr.post(url, data={**late, "appointed_on": "2026-03-26", "reason": ""}, headers=RU)
    assert "Дата раньше начала срока назначения: укажите причину" in early.text
    reason = "победитель был на больничном"
    check = hr.post(url, data={**late, "reason": reason}, headers=RU)
    assert check.status_code == 200 and reason in check.text
    done = hr.post(url, data={**late, "reason": reason, "step": "confirm"}, follow_redirects=False)
    assert done.status_code == 303
    [offer] = offers(world, comp.competition_id)
    assert (offer.outside_window, offer.outside_window_reason) == (True, reason)
    recorded = [p for a, p in actions(world) if a == "appointment.recorded"]
    assert (recorded[0]["flag"], recorded[0]["timing"], recorded[0]["reason"]) == ("outside_window", "late", reason)


def test_a_refusal_is_checked_with_what_follows_then_recorded(world: World) -> None:
    comp = published(world)
    hr = signed_in(world, comp.hr_officer)
    world.set_today(date(2026, 3, 20))
    url = f"/appointments/competitions/{comp.competition_id}/refusal"
    token = csrf_of(hr.get(url).text)
    answers = {"csrf_token": token, "kind": "refused", "on": "2026-03-20", "reason": "другая работа"}
    missing = hr.post(url, data={**answers, "kind": "", "step": "check"}, headers=RU)
    assert missing.status_code == 422 and '<a href="#kind-refused">Выберите, что произошло</a>' in missing.text
    check = hr.post(url, data={**answers, "step": "check"}, headers=RU)
    assert check.status_code == 200
    assert (
        '<p id="next">Должность возвращается на конкурс: создаётся новый черновик вакансии той же должности.</p>'
        in check.text
    )
    assert offers(world, comp.competition_id) == []
    done = hr.post(url, data={**answers, "step": "confirm"}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/appointments/competitions/{comp.competition_id}?done=refused&next=recompete",
    )
    [offer] = offers(world, comp.competition_id)
    assert (offer.status, offer.refused_on, offer.refusal_reason) == ("refused", date(2026, 3, 20), "другая работа")
    assert offer.next_vacancy_id is not None
    with world.session() as session:
        fresh = session.get(Vacancy, offer.next_vacancy_id)
        assert fresh is not None and fresh.status == "draft"


def test_a_direct_appointment_proposed_by_hr_and_approved_by_a_second_person(world: World) -> None:
    world.set_today(date(2026, 1, 15))
    hr_account = body_hr(world, "Kyzylorda")
    vacancy_id = draft(world, hr_account, "rural")
    candidate_id, person = graduate(world, "3.33")
    hr = signed_in(world, hr_account)
    listed = hr.get("/appointments/direct", headers=RU)
    assert f'href="/appointments/direct/{vacancy_id}"' in listed.text
    checked = hr.get(f"/appointments/direct/{vacancy_id}", params={"candidate_id": candidate_id}, headers=RU)
    assert checked.status_code == 200
    grant = re.search(r'<section class="route" id="route-grant_graduate">.*?</section>', checked.text, re.S)
    academy = re.search(r'<section class="route" id="route-academy_graduate">.*?</section>', checked.text, re.S)
    assert grant is not None and academy is not None
    assert grant.group(0).count('class="met"') == 4 and 'class="unmet"' not in grant.group(0)
    assert "GPA не ниже 3.33 по шкале 4; в деле: 3.330 по шкале 4.000" in grant.group(0)
    assert "Не подходит" in academy.group(0)

    token = csrf_of(checked.text)
    no_reason = hr.post(
        f"/appointments/direct/{vacancy_id}",
        data={"csrf_token": token, "candidate_id": str(candidate_id), "route": "grant_graduate", "reason": ""},
        headers=RU,
    )
    assert no_reason.status_code == 422 and '<a href="#reason">' in no_reason.text
    proposed = hr.post(
        f"/appointments/direct/{vacancy_id}",
        data={"csrf_token": token, "candidate_id": str(candidate_id), "route": "grant_graduate", "reason": "шақыру"},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    appointment_id = int(proposed.headers["location"].split("/")[2].split("?")[0])
    assert proposed.headers["location"] == f"/appointments/{appointment_id}?done=proposed"

    own = hr.post(
        f"/appointments/{appointment_id}/decision",
        data={"csrf_token": token, "decision": "approve"},
        headers=RU,
    )
    assert own.status_code == 403
    assert "Вы предложили это назначение: одобрить или отклонить его должен другой человек" in own.text
    colleague = signed_in(world, world.account(HR_OFFICER, state_body_id=hr_account.state_body_id))
    colleague_page = colleague.get(f"/appointments/{appointment_id}")
    assert 'name="decision"' not in colleague_page.text
    by_colleague = colleague.post(
        f"/appointments/{appointment_id}/decision",
        data={"csrf_token": csrf_of(colleague_page.text), "decision": "approve"},
    )
    assert by_colleague.status_code == 403
    with world.session() as session:
        stored = session.get(Appointment, appointment_id)
        assert stored is not None and (stored.status, stored.decided_by) == ("proposed", None)

    admin_account = world.account(ADMINISTRATOR)
    admin = signed_in(world, admin_account)
    awaiting = admin.get("/appointments", headers=RU)
    assert f'href="/appointments/{appointment_id}"' in awaiting.text
    page = admin.get(f"/appointments/{appointment_id}", headers=RU)
    assert page.text.count('name="decision"') == 2
    approved = admin.post(
        f"/appointments/{appointment_id}/decision",
        data={"csrf_token": csrf_of(page.text), "decision": "approve", "note": "келісемін"},
        follow_redirects=False,
    )
    assert (approved.status_code, approved.headers["location"]) == (
        303,
        f"/appointments/{appointment_id}?done=approved",
    )
    with world.session() as session:
        stored = session.get(Appointment, appointment_id)
        assert stored is not None
        assert (stored.status, stored.decided_by, stored.decision_note) == ("offered", admin_account.id, "келісемін")
        told = [n.event for n in session.scalars(select(Notification).where(Notification.account_id == person.id))]
    assert told == ["appointment_offered"]
    assert [a for a, _p in actions(world)] == ["appointment.proposed", "appointment.approved"]
    again = admin.post(
        f"/appointments/{appointment_id}/decision", data={"csrf_token": csrf_of(page.text), "decision": "reject"}
    )
    assert again.status_code == 409 and 'name="decision"' not in again.text


def test_another_bodys_hr_gets_the_403_page_and_none_of_its_data(world: World) -> None:
    comp = published(world)
    winner_code = next(iter(comp.candidates))
    stranger_account = world.account(HR_OFFICER)
    assert stranger_account.state_body_id != comp.hr_officer.state_body_id
    stranger = signed_in(world, stranger_account)
    for path in (
        f"/appointments/competitions/{comp.competition_id}",
        f"/appointments/competitions/{comp.competition_id}/order",
        f"/appointments/direct/{comp.vacancy_id}",
    ):
        page = stranger.get(path, headers=RU)
        assert page.status_code == 403, path
        assert winner_code not in page.text
    token = csrf_of(stranger.get("/appointments").text)
    posted = stranger.post(
        f"/appointments/competitions/{comp.competition_id}/order",
        data={"csrf_token": token, "order_number": "1", "appointed_on": "2026-03-27", "step": "confirm"},
    )
    assert posted.status_code == 403
    assert offers(world, comp.competition_id) == []
    assert f"competition-{comp.competition_id}" not in stranger.get("/appointments").text
    candidate = world.candidate()
    as_candidate = TestClient(world.app)
    sign_in(as_candidate, candidate.email)
    assert as_candidate.get("/appointments").status_code == 403
    anonymous = TestClient(world.app).get("/appointments", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/sign-in?next=/appointments")
