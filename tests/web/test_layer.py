"""The pages' layer through HTTP (no browser): CSRF, the CSP, session cookies, sign-out, idle sessions,
error pages in both languages, and catalogues that cover every text the pages use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.deps import get_today
from app.main import create_app
from app.protocol.signing import make_demo_ca
from app.web import sessions
from app.web.i18n import catalogue_files, catalogue_ids
from app.web.models import WebSession
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.conftest import make_settings
from tests.factories.candidates import make_iin
from tests.web._pages import csrf_of, sign_in

WEB = Path(__file__).resolve().parents[2] / "app" / "web"


def _sessions(world: World) -> int:
    with world.session() as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_every_page_has_the_content_security_policy_and_the_api_keeps_json(world: World) -> None:
    page = world.client.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert (page.headers["x-content-type-options"], page.headers["referrer-policy"]) == ("nosniff", "no-referrer")
    assert "<script>" not in page.text and " on" + "click=" not in page.text  # no inline script at all
    assert re.findall(r'<script src="([^"]+)"', page.text) == ["/static/htmx.min.js", "/static/site.js"]
    api = world.client.get("/api/v1/vacancies/999999")
    assert api.headers["content-security-policy"].startswith("default-src 'self'")  # the API's own policy
    assert (api.status_code, api.headers["content-type"], api.json()["code"]) == (
        404,
        "application/problem+json",
        "not_found",
    )


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(world: World) -> None:
    account = world.candidate()
    for data in ({}, {"csrf_token": "0" * 64}):
        refused = world.client.post(
            "/sign-in", data={**data, "email": account.email, "password": "x" * 12}, follow_redirects=False
        )
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers or sessions.SESSION_COOKIE not in refused.headers["set-cookie"]
    assert _sessions(world) == 0
    # a token of another visitor does not pass either
    other = create_client_token(world)
    refused = world.client.post(
        "/sign-in", data={"csrf_token": other, "email": account.email, "password": "x" * 12}, follow_redirects=False
    )
    assert refused.status_code == 403


def create_client_token(world: World) -> str:
    """The CSRF token a second browser gets (its own visitor cookie)."""
    with TestClient(world.app) as other:
        return csrf_of(other.get("/sign-in").text)


def test_the_session_cookie_is_httponly_lax_and_sign_out_ends_it_on_the_server(world: World) -> None:
    account = world.candidate()
    sign_in(world.client, account.email)
    cookie = world.client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie and _sessions(world) == 1
    page = world.client.get("/applications")
    assert page.status_code == 200 and "/sign-out" in page.text

    token = csrf_of(page.text)
    out = world.client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/")
    assert _sessions(world) == 0
    # the old cookie, replayed, is worthless
    world.client.cookies.set(sessions.SESSION_COOKIE, cookie)
    again = world.client.get("/applications", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/sign-in?next=/applications")


def test_the_sign_in_response_sets_the_cookie_flags(world: World) -> None:
    account = world.candidate()
    token = csrf_of(world.client.get("/sign-in").text)
    response = world.client.post(
        "/sign-in",
        data={"csrf_token": token, "email": account.email, "password": "test-password-1"},
        follow_redirects=False,
    )
    header = response.headers["set-cookie"]
    assert header.startswith(f"{sessions.SESSION_COOKIE}=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert "Secure" not in header  # the test environment serves plain HTTP; production is checked below


@pytest.fixture
def production(sqlite_url: str, tmp_path: Path) -> Iterator[Any]:
    roots = tmp_path / "nca.pem"  # production refuses to start without the protocol's trusted roots
    roots.write_bytes(make_demo_ca().certificate.public_bytes(serialization.Encoding.PEM))
    settings = make_settings(
        sqlite_url,
        f"sqlite:///{tmp_path / 'q.db'}",
        environment="production",
        secret_key="p" * 48,
        protocol_trusted_roots=str(roots),
    )
    app = create_app(settings, start_consumer=False)
    with TestClient(app, base_url="https://testserver") as client:
        yield app, client


def test_cookies_are_secure_in_production(production: Any) -> None:
    _app, client = production
    page = client.get("/sign-in")
    assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]


def test_an_idle_session_ends(world: World) -> None:
    account = world.candidate()
    sign_in(world.client, account.email)
    assert world.client.get("/applications", follow_redirects=False).status_code == 200
    with world.session() as session:
        row = session.scalars(select(WebSession)).one()
        row.last_seen_at = row.last_seen_at - sessions.IDLE_TIMEOUT - timedelta(seconds=61)
    expired = world.client.get("/applications", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"].startswith("/sign-in")
    assert _sessions(world) == 0


def test_error_pages_speak_both_languages_and_never_show_a_trace(world: World) -> None:
    html = {"Accept": "text/html,application/xhtml+xml"}  # a browser; other clients keep the JSON problem
    assert world.client.get("/no-such-page").headers["content-type"] == "application/problem+json"
    kazakh = world.client.get("/no-such-page", headers=html)
    assert (kazakh.status_code, kazakh.headers["content-type"].split(";")[0]) == (404, "text/html")
    assert '<html lang="kk">' in kazakh.text and "Бет табылмады" in kazakh.text
    russian = world.client.get("/no-such-page", headers={**html, "Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in russian.text and "Страница не найдена" in russian.text
    # the cookie wins over Accept-Language
    switched = world.client.get("/language/ru?next=/no-such-page", follow_redirects=False)
    assert switched.headers["location"] == "/no-such-page"
    assert "Страница не найдена" in world.client.get("/no-such-page", headers={**html, "Accept-Language": "kk"}).text
    assert world.client.get("/language/ru?next=//evil.example", follow_redirects=False).headers["location"] == "/"

    forbidden = world.client.post("/register", data={})
    assert forbidden.status_code == 403 and "Бұл бетті" not in forbidden.text and "доступа" in forbidden.text

    def broken() -> Any:
        raise RuntimeError("a secret detail of the failure")

    world.app.dependency_overrides[get_today] = broken
    failed = world.client.get("/")
    assert failed.status_code == 500 and "Извините" in failed.text
    assert "secret detail" not in failed.text and "Traceback" not in failed.text


def test_registration_refuses_a_bad_iin_with_the_cores_reason_next_to_the_field(world: World) -> None:
    page = world.client.get("/register", headers={"Accept-Language": "ru"})
    token = csrf_of(page.text)
    good = make_iin(date(1990, 5, 17), "male")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    checked = world.client.post(
        "/register/iin-check", data={"csrf_token": token, "iin": bad}, headers={"Accept-Language": "ru"}
    )
    assert "Последняя цифра ИИН не совпадает с контрольной" in checked.text
    short = world.client.post("/register/iin-check", data={"csrf_token": token, "iin": "12345"})
    assert "ЖСН 12 цифрдан тұрады" in short.text
    fine = world.client.post(
        "/register/iin-check", data={"csrf_token": token, "iin": good}, headers={"Accept-Language": "ru"}
    )
    assert "ИИН верный: дата рождения — 17 мая 1990\u202fг." in fine.text

    form = {
        "csrf_token": token,
        "email": "new@test.irikteu.kz",
        "password": "long-enough-1",
        "iin": bad,
        "surname": "Серікова",
        "given_name": "Айгүл",
        "phone": "+7 701 000 00 00",
        "region": "Astana",
        "consents-selection_rules": "yes",
        "consents-personal_data": "yes",
    }
    refused = world.client.post("/register", data=form, headers={"Accept-Language": "ru"})
    assert refused.status_code == 422
    assert '<a href="#iin">Последняя цифра ИИН не совпадает с контрольной' in refused.text
    assert 'id="iin-error"' in refused.text
    no_consent = world.client.post(
        "/register", data={**form, "iin": good, "consents-personal_data": ""}, headers={"Accept-Language": "ru"}
    )
    assert '<a href="#consents-selection_rules">Для участия примите правила отбора' in no_consent.text
    created = world.client.post("/register", data={**form, "iin": good}, follow_redirects=False)
    assert (created.status_code, created.headers["location"]) == (303, "/profile/edit?registered=1")
    assert _sessions(world) == 1


def _template_ids() -> set[str]:
    found: set[str] = set()
    for path in [*WEB.glob("templates/**/*.html"), *WEB.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found |= {m.group(1) for m in re.finditer(r'ngettext\(\s*"((?:[^"\\]|\\.)*)"', text)}
        found |= {m.group(2) for m in re.finditer(r'(?<![a-zA-Z])(?:_|gettext)\(\s*(["\'])((?:(?!\1).)*)\1', text)}
    return found


def test_every_text_of_the_pages_is_in_both_catalogues() -> None:
    used = _template_ids()
    assert len(used) > 150
    for locale in ("kk", "ru"):
        missing = used - catalogue_ids(locale)
        assert not missing, f"{locale}: {sorted(missing)}"
    assert catalogue_ids("kk") == catalogue_ids("ru")


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_text_in_two_area_catalogues_has_one_translation(locale: str) -> None:
    """The area catalogues are merged into one per language (a later file wins): a msgid that two areas
    translate differently would show one area's words in the other's pages (e.g. "To" as a recipient and
    as the end of a period); such texts get distinct msgids."""
    translated: dict[str, dict[str, str]] = {}
    for path in catalogue_files(locale):
        ids = re.findall(r'^msgid (".+")$', path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert len(ids) == len(set(ids)), f"{path.name} defines a msgid twice (the last would win)"
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id and isinstance(message.id, str):
                    translated.setdefault(message.id, {})[path.name] = str(message.string)
    differing = {mid: where for mid, where in translated.items() if len(set(where.values())) > 1}
    assert differing == {}


def test_the_error_summary_lists_every_problem_in_the_order_of_the_form(world: World) -> None:
    token = csrf_of(world.client.get("/register").text)
    refused = world.client.post("/register", data={"csrf_token": token, "iin": "12345"})
    assert refused.status_code == 422
    summary = refused.text.split("data-error-summary>")[1].split("</div>")[0]
    assert re.findall(r'<a href="#([a-z_-]+)">', summary) == [
        "email",
        "password",
        "iin",
        "surname",
        "given_name",
        "phone",
        "region",
    ]
    assert '<a href="#iin">ЖСН 12 цифрдан тұрады</a>' in summary


def test_the_home_page_searches_filters_and_pages_the_open_vacancies(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = world.account("hr_officer")
    second = world.account("hr_officer")
    world.published_competition(first, title_ru="Главный юрист", title_kk="Бас заңгер")
    world.published_competition(
        second, title_ru="Главный экономист", title_kk="Бас экономист", functional_area="finance"
    )
    ru = {"Accept-Language": "ru"}
    everything = world.client.get("/", headers=ru).text
    assert "Главный юрист" in everything and "Главный экономист" in everything and "Найдено 2 вакансии" in everything
    assert "Образование: высшее образование (бакалавр) или выше" in everything
    assert "Стаж работы: не менее 12 месяцев" in everything
    searched = world.client.get("/", params={"q": "экономист"}, headers=ru).text
    assert "Главный экономист" in searched and "Главный юрист" not in searched
    body = str(second.state_body_id)
    filtered = world.client.get("/", params={"body": body}, headers=ru).text
    assert "Главный экономист" in filtered and "Главный юрист" not in filtered
    monkeypatch.setattr("app.web.public.PAGE_SIZE", 1)
    paged = world.client.get("/", params={"page": 2}, headers=ru).text
    assert "Страница 2 из 2" in paged and '<a href="/?page=1" rel="prev">' in paged
    assert ("Главный юрист" in paged) != ("Главный экономист" in paged)
