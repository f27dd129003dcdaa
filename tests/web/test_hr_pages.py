"""The HR officers' pages over HTTP: vacancies (create, publish after the check page, close), the competition
dashboard's counts, applications confirmed or rejected, results published after the check page, and the 403
page for another state body's objects."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.auth.models import Account
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.web._pages import csrf_of, sign_in

FORM = {
    "title_kk": "Бас сарапшы",
    "title_ru": "Главный эксперт",
    "category": "C-4",
    "managerial": "default",
    "functional_area": "legal",
    "locality_type": "city",
    "duties_kk": "Құқықтық сараптама жүргізу.",
    "duties_ru": "Проведение правовой экспертизы.",
    "min_education_level": "bachelor",
    "education_fields": "Law, Jurisprudence",
    "min_experience_months": "12",
    "min_functional_area_months": "",
}


def _hr(world: World) -> Account:
    hr = world.account("hr_officer")
    sign_in(world.client, hr.email)
    return hr


def _post(world: World, path: str, data: dict[str, str], locale: str = "ru", page: str | None = None) -> Any:
    token = csrf_of(world.client.get(page or path, headers={"Accept-Language": locale}).text)
    return world.client.post(
        path, data={"csrf_token": token, **data}, headers={"Accept-Language": locale}, follow_redirects=False
    )


def test_an_hr_officer_creates_checks_publishes_and_closes_a_vacancy(world: World) -> None:
    _hr(world)
    created = _post(world, "/hr/vacancies/new", FORM)
    assert created.status_code == 303
    location = created.headers["location"]
    vacancy_id = int(re.fullmatch(r"/hr/vacancies/(\d+)\?created=1", location).group(1))  # type: ignore[union-attr]
    draft = world.client.get(location, headers={"Accept-Language": "ru"})
    assert "Черновик сохранён" in draft.text and "Главный эксперт" in draft.text
    assert "Специальности: Jurisprudence, Law" in draft.text or "Jurisprudence, Law" in draft.text

    check = world.client.get(f"/hr/vacancies/{vacancy_id}/publish", headers={"Accept-Language": "kk"})
    assert check.status_code == 200
    assert "<h1>Жарияламас бұрын бос орынды тексеріңіз</h1>" in check.text
    api = world.client.get(f"/api/v1/vacancies/{vacancy_id}")
    assert api.status_code == 404  # the check page publishes nothing: still a draft, hidden from the public

    published = _post(world, f"/hr/vacancies/{vacancy_id}/publish", {}, page=f"/hr/vacancies/{vacancy_id}/publish")
    assert (published.status_code, published.headers["location"]) == (303, f"/hr/vacancies/{vacancy_id}?published=1")
    public = world.client.get(f"/api/v1/vacancies/{vacancy_id}").json()
    assert public["status"] == "published" and public["competition_id"] is not None
    assert public["requirements"]["education_fields"] == ["Jurisprudence", "Law"]
    assert public["requirements"]["min_experience_months"] == 12
    listing = world.client.get("/hr/vacancies", headers={"Accept-Language": "ru"})
    assert f'href="/hr/competitions/{public["competition_id"]}"' in listing.text

    again = _post(world, f"/hr/vacancies/{vacancy_id}/publish", {}, page=f"/hr/vacancies/{vacancy_id}/close")
    assert again.status_code == 409 and 'class="error-summary"' in again.text

    closed = _post(world, f"/hr/vacancies/{vacancy_id}/close", {}, page=f"/hr/vacancies/{vacancy_id}/close")
    assert closed.status_code == 303
    assert world.client.get(f"/api/v1/vacancies/{vacancy_id}").json()["status"] == "closed"


def test_a_title_with_a_line_break_is_refused_with_the_services_words_beside_the_field(world: World) -> None:
    _hr(world)
    before = len(world.client.get("/hr/vacancies").text)
    refused = _post(world, "/hr/vacancies/new", {**FORM, "title_ru": "Главный\nэксперт", "duties_kk": ""})
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'<a href="#([a-z_]+)">([^<]+)</a>', summary)
    assert links == [
        ("title_ru", "Название на русском языке: здесь нельзя использовать переносы строк и управляющие символы"),
        ("duties_kk", "Обязанности на казахском языке: заполните поле"),
    ]
    assert 'id="title_ru-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="Бас сарапшы"' in refused.text  # what was typed is kept
    kk = _post(world, "/hr/vacancies/new", {**FORM, "title_kk": "Бас\r\nсарапшы"}, locale="kk")
    assert "мұнда жол ауыстыруға және басқару таңбаларына рұқсат жоқ" in kk.text
    assert len(world.client.get("/hr/vacancies").text) == before  # nothing was created


def _apply(world: World, competition_id: int, candidate: Account) -> dict[str, Any]:
    response = world.client.post(
        f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(candidate)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _count(html: str, name: str) -> str:
    found = re.search(rf'id="count-{name}">([^<]*)<', html)
    assert found is not None, name
    return found.group(1)


def test_confirm_and_reject_in_one_step_each_and_the_dashboard_counts_what_was_done(world: World) -> None:
    hr = _hr(world)
    _vacancy_id, competition_id = world.published_competition(hr)
    first_day = [world.candidate() for _ in range(3)] + [world.candidate(level="secondary") for _ in range(2)]
    applied = [_apply(world, competition_id, person) for person in first_day]
    world.set_today(date(2026, 2, 3))
    applied += [_apply(world, competition_id, world.candidate()) for _ in range(2)]
    page_path = f"/hr/competitions/{competition_id}/applications"

    listing = world.client.get(page_path, headers={"Accept-Language": "ru"})
    assert listing.status_code == 200
    assert listing.text.count('class="panel application"') == 7
    assert "Недостаточный уровень образования" in listing.text  # the check per requirement, in words

    confirmed = _post(world, f"/hr/applications/{applied[0]['id']}/confirm", {"page": "1"}, page=page_path)
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"{page_path}?page=1&done=confirmed&code={applied[0]['anonymous_code']}"
    _post(world, f"/hr/applications/{applied[5]['id']}/confirm", {"page": "1"}, page=page_path)
    twice = _post(world, f"/hr/applications/{applied[0]['id']}/confirm", {"page": "1"}, page=page_path)
    assert twice.status_code == 409  # the service's refusal, beside the button
    assert f'id="confirm-{applied[0]["id"]}-error"' in twice.text

    no_reason = _post(world, f"/hr/applications/{applied[3]['id']}/reject", {"reason": "  "}, page=page_path)
    assert no_reason.status_code == 422
    assert f'<a href="#reason-{applied[3]["id"]}">Укажите причину отклонения' in no_reason.text
    assert f'id="reason-{applied[3]["id"]}-error"' in no_reason.text
    assert (
        world.client.get(f"/api/v1/applications/{applied[3]['id']}", headers=world.headers(hr)).json()["status"]
        == "submitted"
    )
    rejected = _post(
        world, f"/hr/applications/{applied[3]['id']}/reject", {"reason": "Нет высшего образования"}, page=page_path
    )
    assert rejected.status_code == 303
    stored = world.client.get(f"/api/v1/applications/{applied[3]['id']}", headers=world.headers(hr)).json()
    assert (stored["status"], stored["rejection_reason"]) == ("rejected", "Нет высшего образования")
    late = _post(world, f"/hr/applications/{applied[3]['id']}/reject", {"reason": "again"}, page=page_path)
    assert late.status_code == 409 and f'id="reason-{applied[3]["id"]}-error"' in late.text

    member = world.account("commission_member", display_name="Айгүл Серікова")
    seated = world.client.post(
        f"/api/v1/competitions/{competition_id}/commission",
        json={"account_id": member.id, "role": "chair"},
        headers=world.headers(hr),
    )
    assert seated.status_code == 201
    recorded = world.client.post(
        f"/api/v1/applications/{applied[0]['id']}/stage-results",
        json={"legislation": {"constitution": 10, "civil_service": 10, "anti_corruption": 10, "ethics": 7}},
        headers=world.headers(hr),
    )
    assert recorded.status_code == 200, recorded.text

    world.set_today(date(2026, 2, 4))  # the first day's decisions were due on 3 February
    board = world.client.get(f"/hr/competitions/{competition_id}", headers={"Accept-Language": "ru"})
    assert board.status_code == 200
    # By hand: 7 applied; 2 confirmed, 1 rejected, 4 wait; 3 of them applied on the first day, so wait past their day;
    # 2 candidates have secondary education only (a bachelor's degree is required).
    assert [_count(board.text, name) for name in ("total", "submitted", "confirmed", "rejected", "not-qualified")] == [
        "7",
        "4",
        "2",
        "1",
        "2",
    ]
    assert _count(board.text, "overdue") == "3 просрочены"
    assert _count(board.text, "awaiting") == "4 заявки ждут"
    eligibility = board.text.split('id="stage-eligibility"')[1].split("</li>\n  \n")[0]
    assert "Записано результатов: <strong>1</strong>" in eligibility
    assert "Айгүл Серікова — Председатель" in board.text
    assert 'id="documents-overdue"' not in board.text  # the review runs to a later day


def test_another_bodys_vacancy_competition_and_application_are_the_403_page(world: World) -> None:
    owner = world.account("hr_officer")
    vacancy_id, competition_id = world.published_competition(owner)
    application = _apply(world, competition_id, world.candidate(surname="Тестова"))
    _hr(world)  # an HR officer of another body
    for path in (
        f"/hr/vacancies/{vacancy_id}",
        f"/hr/vacancies/{vacancy_id}/close",
        f"/hr/competitions/{competition_id}",
        f"/hr/competitions/{competition_id}/applications",
    ):
        page = world.client.get(path, headers={"Accept-Language": "kk"})
        assert page.status_code == 403, path
        assert "Бас сарапшы" not in page.text and application["anonymous_code"] not in page.text
    listing = world.client.get("/hr/vacancies")
    assert f"/hr/vacancies/{vacancy_id}" not in listing.text
    page_path = "/hr/vacancies"
    refused = _post(world, f"/hr/applications/{application['id']}/confirm", {}, page=page_path)
    assert refused.status_code == 403 and application["anonymous_code"] not in refused.text
    closing = _post(world, f"/hr/vacancies/{vacancy_id}/close", {}, page=page_path)
    assert closing.status_code == 403
    state = world.client.get(f"/api/v1/applications/{application['id']}", headers=world.headers(owner)).json()
    assert state["status"] == "submitted"
    assert world.client.get(f"/api/v1/vacancies/{vacancy_id}").json()["status"] == "published"
