"""The HR officers' pages over HTTP: vacancies (create, publish after the check page, close), the competition
dashboard's counts, applications confirmed or rejected, results published after the check page, and the 403
page for another state body's objects."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.auth.models import Account
from tests.api._assessment import (  # noqa: F401
    Clocked,
    build,
    clocked_world_every_backend_fixture,
    clocked_world_fixture,
    close,
    score,
    write_essay,
)
from tests.api._workflow import TODAY, World
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


def test_confirm_and_reject_in_one_step_each_and_the_dashboard_counts_what_was_done(world_every_backend: World) -> None:
    world = world_every_backend  # the dashboard's aggregates on SQLite and PostgreSQL
    hr = _hr(world)
    _vacancy_id, competition_id = world.published_competition(hr)
    first_day = [world.candidate() for _ in range(3)] + [world.candidate(level="secondary") for _ in range(2)]
    applied = [_apply(world, competition_id, person) for person in first_day]
    world.set_today(date(2026, 2, 3))
    applied += [_apply(world, competition_id, world.candidate()) for _ in range(2)]
    page_path = f"/hr/competitions/{competition_id}/applications"

    listing = world.client.get(page_path, headers={"Accept-Language": "ru"})
    assert listing.status_code == 200
    assert listing.text.count('<section class="card" id="application-') == 7
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


def test_results_are_published_after_the_check_page_and_the_protocol_is_read_only(world: World) -> None:
    hr = _hr(world)
    _vacancy_id, competition_id = world.published_competition(hr)
    member = world.account("commission_member", display_name="Ерлан Қасымов")
    seated = world.client.post(
        f"/api/v1/competitions/{competition_id}/commission",
        json={"account_id": member.id, "role": "chair"},
        headers=world.headers(hr),
    )
    assert seated.status_code == 201
    applied = [_apply(world, competition_id, world.candidate()) for _ in range(2)]
    world.client.post(f"/api/v1/applications/{applied[0]['id']}/confirm", headers=world.headers(hr))
    check_path = f"/hr/competitions/{competition_id}/publish"
    check = world.client.get(check_path, headers={"Accept-Language": "ru"})
    assert check.status_code == 200 and "<h1>Проверьте результаты перед публикацией</h1>" in check.text
    assert re.search(r'id="publish-pending">1<', check.text)
    refused = _post(world, check_path, {}, page=check_path)
    assert refused.status_code == 409  # one application still waits: the service refuses, beside the button
    assert '<a href="#confirm">' in refused.text
    assert (
        world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(hr)).json()["status"] == "open"
    )

    world.client.post(f"/api/v1/applications/{applied[1]['id']}/confirm", headers=world.headers(hr))
    progress = world.client.get(f"/api/v1/competitions/{competition_id}/progress", headers=world.headers(hr)).json()
    check = world.client.get(check_path, headers={"Accept-Language": "ru"})
    assert re.search(r'id="publish-pending">0<', check.text)
    winner = progress["outcome"]["winner"]
    assert (winner is None and "Никто" in check.text) or (winner is not None and winner in check.text)
    protocol_path = f"/hr/competitions/{competition_id}/protocol"
    assert (
        "Протокол составляется после опубликования результатов."
        in world.client.get(protocol_path, headers={"Accept-Language": "ru"}).text
    )

    published = _post(world, check_path, {}, page=check_path)
    assert (published.status_code, published.headers["location"]) == (
        303,
        f"/hr/competitions/{competition_id}?results=1",
    )
    results = world.client.get(f"/api/v1/competitions/{competition_id}/results", headers=world.headers(hr)).json()
    assert (results["status"], results["results_published_on"]) == ("results_published", TODAY.isoformat())
    board = world.client.get(published.headers["location"], headers={"Accept-Language": "kk"})
    assert "Нәтижелер жарияланды." in board.text
    protocol = world.client.get(protocol_path, headers={"Accept-Language": "ru"})
    assert protocol.status_code == 200 and "Протокол ещё не составлен." in protocol.text
    assert "<form" not in protocol.text.split('id="main-content"')[1].split("</main>")[0]  # read-only
    drawn = world.client.post(f"/api/v1/competitions/{competition_id}/protocol", headers=world.headers(hr))
    assert drawn.status_code == 201, drawn.text
    protocol = world.client.get(protocol_path, headers={"Accept-Language": "ru"})
    assert drawn.json()["protocol"]["content_hash"] in protocol.text
    assert 'Ерлан Қасымов — Председатель: <span class="tag tag--grey">Ещё не подписано</span>' in protocol.text
    pdf = world.client.get(f"{protocol_path}.pdf")
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")


def _after_essays(world: Clocked) -> Any:
    """Three candidates through the essay stage, scored by two members and closed: the interview shortlist."""
    setup = build(world)
    for person, value in zip(setup.people, (4, 5, 3), strict=True):
        write_essay(world, person, "Адал қызмет — мемлекеттің тірегі.", language="kk")
        for member in setup.members[:2]:
            assert score(world, setup, "essay", person.code, member, value).status_code == 200
    assert close(world, setup, "essay").status_code == 200
    return setup


def test_interview_slots_of_15_minutes_are_given_by_the_interview_service(world: Clocked) -> None:
    setup = _after_essays(world)
    sign_in(world.client, setup.hr.email)
    results = world.client.get(f"/hr/competitions/{setup.competition_id}/results", headers={"Accept-Language": "ru"})
    rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>(.*?)</tr>', results.text, re.S)
    assert [(code, "4, 4" in cells or "5, 5" in cells or "3, 3" in cells) for code, cells in rows] == [
        (person.code, True) for person in setup.people
    ]
    assert "3 подтверждённых кандидата" in results.text
    board = world.client.get(f"/hr/competitions/{setup.competition_id}", headers={"Accept-Language": "ru"}).text
    essay = board.split('id="stage-essay"')[1].split('id="stage-interview"')[0]
    assert "Сдано эссе: <strong>3</strong>" in essay and "Оценено комиссией: <strong>3</strong>" in essay
    assert '<span class="tag tag--done">Этап закрыт</span>' in essay
    path = f"/hr/competitions/{setup.competition_id}/interviews"
    page = world.client.get(path, headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    shortlist = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/interviews", headers=world.headers(setup.hr)
    ).json()["shortlist"]
    assert shortlist and all(f'id="day-{code}"' in page.text for code in shortlist)
    assert '<option value="09:15">' in page.text and '<option value="09:10">' not in page.text
    assert page.text.count('name="slot"') == page.text.count('name="day"') == len(shortlist)
    assert "длится 15 минут," in page.text
    first, second = shortlist[0], shortlist[1]

    given = _post(world, path, {"anonymous_code": first, "day": "2026-02-03", "slot": "10:00"})
    assert (given.status_code, given.headers["location"]) == (303, f"{path}?done={first}")
    listed = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/interviews", headers=world.headers(setup.hr)
    ).json()["interviews"]
    assert [(i["anonymous_code"], i["starts_at"], i["ends_at"]) for i in listed] == [
        (first, "2026-02-03T05:00:00Z", "2026-02-03T05:15:00Z")
    ]
    clash = _post(world, path, {"anonymous_code": second, "day": "2026-02-03", "slot": "10:00"})
    assert clash.status_code == 409
    assert f'<a href="#day-{second}">' in clash.text and f'id="day-{second}-error"' in clash.text
    saturday = _post(world, path, {"anonymous_code": second, "day": "2026-02-07", "slot": "10:15"})
    assert saturday.status_code == 409 and f'id="day-{second}-error"' in saturday.text
    blank = _post(world, path, {"anonymous_code": second, "day": "", "slot": "10:15"})
    assert blank.status_code == 422 and "Укажите день собеседования и выберите время" in blank.text
    next_slot = _post(world, path, {"anonymous_code": second, "day": "2026-02-03", "slot": "10:15"})
    assert next_slot.status_code == 303


def test_results_recorded_by_hand_go_through_the_service_and_its_ranges(world: World) -> None:
    hr = _hr(world)
    _vacancy_id, competition_id = world.published_competition(hr)
    confirmed, waiting = (_apply(world, competition_id, world.candidate()) for _ in range(2))
    world.client.post(f"/api/v1/applications/{confirmed['id']}/confirm", headers=world.headers(hr))
    path = f"/hr/applications/{confirmed['id']}/results"
    form = {
        "legislation_constitution": "12",
        "legislation_civil_service": "11",
        "legislation_anti_corruption": "10",
        "legislation_ethics": "11",
        "pq_percent": "62,5",
        "pq_reliable": "yes",
        "reasoning_text": "20",
        "reasoning_numeric": "abc",
    }
    not_a_number = _post(world, path, form)
    assert not_a_number.status_code == 422
    assert '<a href="#reasoning_numeric">Числовой блок, правильные ответы: введите число</a>' in not_a_number.text
    out_of_range = _post(world, path, {**form, "reasoning_numeric": "19"})
    assert out_of_range.status_code == 409  # the policy has 10 ethics questions: the service's own check
    assert (
        '<a href="#legislation_ethics">Этический кодекс, правильные ответы: число от 0 до 10</a>' in out_of_range.text
    )
    assert (
        world.client.get(f"/api/v1/applications/{confirmed['id']}", headers=world.headers(hr)).json()["stage_results"]
        is None
    )
    saved = _post(world, path, {**form, "legislation_ethics": "7", "reasoning_numeric": "19"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{path}?saved=1")
    stored = world.client.get(f"/api/v1/applications/{confirmed['id']}", headers=world.headers(hr)).json()
    assert stored["stage_results"]["legislation"] == {
        "constitution": 12,
        "civil_service": 11,
        "anti_corruption": 10,
        "ethics": 7,
    }
    assert stored["stage_results"]["personal_qualities"] == {"percent": 62.5, "reliable": True}
    assert stored["stage_results"]["reasoning"] == {"text": 20, "numeric": 19}
    shown = world.client.get(f"{path}?saved=1", headers={"Accept-Language": "kk"}).text
    assert 'value="62.5"' in shown and "Нәтижелер тіркелді." in shown
    table = world.client.get(f"/hr/competitions/{competition_id}/results", headers={"Accept-Language": "ru"}).text
    assert "40 баллов" in table and "текст 20, числа 19" in table
    refused = _post(world, f"/hr/applications/{waiting['id']}/results", form | {"reasoning_numeric": "19"})
    assert refused.status_code == 409 and 'id="legislation_constitution-error"' in refused.text
