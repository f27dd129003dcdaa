"""Vacancy alerts in the personal account (HTTP, no browser): the consent first, subscribe, delete."""

from __future__ import annotations

from sqlalchemy import select

from app.alerts.models import AlertSubscription
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.web._pages import csrf_of, sign_in


def test_subscribing_needs_the_consent_then_lists_and_deletes_the_subscription(world: World) -> None:
    without = world.candidate()
    sign_in(world.client, without.email)
    page = world.client.get("/alerts", headers={"Accept-Language": "ru"})
    form = {"csrf_token": csrf_of(page.text), "functional_areas": "legal", "frequency": "weekly"}
    refused = world.client.post("/alerts", data=form)
    assert refused.status_code == 422
    assert '<a href="#consents-link">Алдымен жеке істе бос лауазымдар туралы хабарламаларға' in refused.text

    world.client.cookies.clear()
    consenting = world.candidate(vacancy_alerts=True)
    sign_in(world.client, consenting.email)
    page = world.client.get("/alerts")
    done = world.client.post("/alerts", data={**form, "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/alerts?saved=1")
    with world.session() as session:
        [subscription] = session.scalars(select(AlertSubscription)).all()
        assert (
            subscription.criteria["functional_areas"],
            subscription.frequency,
            subscription.locale,
            subscription.active,
        ) == (["legal"], "weekly", "kk", True)
    listed = world.client.get("/alerts")
    assert "Аптасына бір рет" in listed.text and f'action="/alerts/{subscription.id}/delete"' in listed.text
    deleted = world.client.post(
        f"/alerts/{subscription.id}/delete", data={"csrf_token": csrf_of(listed.text)}, follow_redirects=False
    )
    assert deleted.status_code == 303
    with world.session() as session:
        ended = session.get(AlertSubscription, subscription.id)
        assert ended is not None and ended.active is False
    assert "Жазылымдарыңыз жоқ." in world.client.get("/alerts").text


def test_recommended_vacancies_say_why_in_the_page_language(world: World) -> None:
    hr = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(hr)  # bachelor in Law, 12 months
    account = world.candidate(experience_years=3)
    sign_in(world.client, account.email)
    page = world.client.get("/recommendations", headers={"Accept-Language": "ru"})
    assert page.status_code == 200, page.text
    assert f'href="/vacancies/{vacancy_id}">Главный эксперт</a>' in page.text
    assert "Стаж работы достаточен: требуется не менее 12 мес., у вас — 36 мес." in page.text
    assert "вы соответствуете всем требованиям" in page.text
