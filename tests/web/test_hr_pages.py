"""The HR officers' pages over HTTP: vacancies (create, publish after the check page, close), the competition
dashboard's counts, applications confirmed or rejected, results published after the check page, and the 403
page for another state body's objects."""

from __future__ import annotations

import re
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
