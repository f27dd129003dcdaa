"""HR's talent pool and alert campaign pages over HTTP: the search explained in words, those failing a requirement
counted and shown on request, an invitation checked then sent, reserves, campaigns approved or cancelled after a
check, standing rules, and another state body's objects answered with the 403 page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, select

from app.alerts.models import AlertCampaign, AlertStandingRule
from app.auth.models import Account
from app.jobs.models import Job
from app.notifications.models import Notification
from app.talent.models import TalentInvitation
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.factories.talent import add_reserve, candidate_id
from tests.web._pages import csrf_of, sign_in

RU = {"Accept-Language": "ru"}
KK = {"Accept-Language": "kk"}


@dataclass
class Pool:
    hr: Account
    vacancy_id: int
    qualified: int
    short_experience: int
    reserve_only: int


@pytest.fixture(name="pool")
def pool_fixture(world: World) -> Pool:
    hr = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(hr)  # bachelor in Law, at least 12 months of experience
    qualified = candidate_id(world, world.candidate(talent_pool=True, surname="Әлиев"))
    short = candidate_id(world, world.candidate(experience_years=0, talent_pool=True, surname="Қасымов"))
    reserve_only = candidate_id(world, world.candidate(talent_pool=False, surname="Резервов"))
    world.candidate(talent_pool=False, surname="Жоқов")  # outside the pool: never listed
    add_reserve(world, reserve_only)
    sign_in(world.client, hr.email)
    return Pool(hr, vacancy_id, qualified, short, reserve_only)


def _api(world: World, hr: Account, **params: Any) -> Any:
    response = world.client.get("/api/v1/talent/search", params=params, headers=world.headers(hr))
    assert response.status_code == 200, response.text
    return response.json()


def _card(page: str, candidate_id: int) -> str:
    found = re.search(
        rf'<li class="card" id="candidate-{candidate_id}">(.*?)</li>\s*(?=<li class="card"|</ol>)', page, re.S
    )
    assert found is not None, f"no result card for candidate {candidate_id}"
    raw = html.unescape(found.group(1))
    words = " ".join(re.sub(r"<[^>]+>", " ", raw).split()).replace(" :", ":")
    return raw + "\n" + words


def test_a_vacancy_search_explains_each_match_in_words_and_counts_those_failing(world: World, pool: Pool) -> None:
    page = world.client.get(f"/hr/talent?vacancy_id={pool.vacancy_id}", headers=RU)
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    assert "Найдено 2 человека" in text
    # The one with no experience is counted, not dropped silently, and can be shown.
    assert "1 человек не соответствует требованию вакансии и не показан в списке." in text
    assert f"/hr/talent?vacancy_id={pool.vacancy_id}&include_failing=1" in text
    assert f'id="candidate-{pool.short_experience}"' not in page.text
    answer = _api(world, pool.hr, vacancy_id=pool.vacancy_id)
    assert f'<option value="{pool.vacancy_id}" selected>Главный эксперт</option>' in page.text
    assert f"Подсказка модели {answer['model']['name']}, версия {answer['model']['version']}." in text

    qualified = _card(page.text, pool.qualified)
    assert "Әлиев" in qualified and "согласился быть в кадровом пуле" in qualified
    assert "Соответствует всем требованиям" in qualified
    assert "Соответствует: Стаж работы, мес.: требуется — 12, у кандидата — 36" in qualified
    assert "Соответствует: Направление образования: требуется — Law, у кандидата — Law" in qualified
    assert "это подсказка, а не оценка" in qualified
    match = next(item["match"] for item in answer["items"] if item["candidate_id"] == pool.qualified)
    assert f"Соответствие: {round(100 * match['score'])}%" in qualified
    assert f"Смысл текстов (семантическая часть): {round(100 * match['shares']['semantic'])}% совпадения" in qualified
    assert f"Стаж и образование (структурная часть): {round(100 * match['shares']['structured'])}%" in qualified
    where = {"title": "в занимаемых должностях", "work": "в трудовой деятельности", "education": "в образовании"}
    assert match["matched_terms"], "the fixture's texts share words with the vacancy"
    for term in match["matched_terms"]:
        assert f"«{term['term']}» {where[term['field']]}" in qualified
    assert f"/hr/talent/invite?vacancy_id={pool.vacancy_id}&candidate_id={pool.qualified}" in qualified

    # A reserve member who gave no consent: qualifications and reserve, never the name.
    withheld = _card(page.text, pool.reserve_only)
    assert f"Кандидат №{pool.reserve_only}" in withheld and "региональный кадровый резерв" in withheld
    assert "Резервов" not in page.text and "Жоқов" not in page.text

    shown = world.client.get(f"/hr/talent?vacancy_id={pool.vacancy_id}&include_failing=1", headers=RU)
    failing = _card(shown.text, pool.short_experience)
    assert "Қасымов" in failing and "Не соответствует требованию" in failing
    assert "Не соответствует: Стаж работы, мес.: требуется — 12, у кандидата — 0" in failing
    assert "Найдено 3 человека" in html.unescape(shown.text)


def test_a_text_search_with_filters_and_the_error_summary(world: World, pool: Pool) -> None:
    page = world.client.get("/hr/talent?text=юрист+правовая+экспертиза+Law&reserve=regional", headers=KK)
    assert page.status_code == 200, page.text
    assert re.findall(r'id="candidate-(\d+)"', page.text) == [str(pool.reserve_only)]
    assert "1 адам табылды" in html.unescape(page.text)
    assert "/hr/talent/invite" not in page.text  # an invitation is to a vacancy
    both = world.client.get(f"/hr/talent?vacancy_id={pool.vacancy_id}&text=law", headers=RU)
    assert both.status_code == 422
    assert '<a href="#text">Ищите по вакансии или по тексту, но не по обоим сразу</a>' in both.text
    nothing = world.client.get("/hr/talent?search=1&min_experience_months=abc", headers=RU)
    assert nothing.status_code == 422
    assert '<a href="#min_experience_months">Введите целое число месяцев, например 24</a>' in nothing.text
    unknown = world.client.get("/hr/talent?text=law&regions=Atlantis", headers=RU)
    assert unknown.status_code == 422 and '<a href="#regions">Фильтры противоречат друг другу</a>' in unknown.text


def _queries_for(world: World, url: str) -> int:
    engine = world.app.state.sessions.kw["bind"]
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert world.client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_search_page_makes_no_query_per_result(world: World, pool: Pool) -> None:
    url = f"/hr/talent?vacancy_id={pool.vacancy_id}&include_failing=1"
    _queries_for(world, url)  # embeddings of the texts stored once
    few = _queries_for(world, url)
    for number in range(6):
        add_reserve(world, candidate_id(world, world.candidate(talent_pool=True, surname=f"Көпов{number}")))
    _queries_for(world, url)
    many = _queries_for(world, url)
    assert len(re.findall(r'id="candidate-\d+"', world.client.get(url).text)) == 9
    assert many == few


def test_an_invitation_is_checked_then_sent_once(world: World, pool: Pool) -> None:
    check = world.client.get(
        f"/hr/talent/invite?vacancy_id={pool.vacancy_id}&candidate_id={pool.qualified}", headers=RU
    )
    assert check.status_code == 200
    assert "Проверьте приглашение перед отправкой" in check.text and "Главный эксперт" in check.text
    form = {
        "csrf_token": csrf_of(check.text),
        "vacancy_id": str(pool.vacancy_id),
        "candidate_id": str(pool.qualified),
        "message": "Приглашаем Вас",
    }
    sent = world.client.post("/hr/talent/invite", data=form, follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        f"/hr/talent/invited?vacancy_id={pool.vacancy_id}&candidate_id={pool.qualified}",
    )
    with world.session() as session:
        [invitation] = session.scalars(select(TalentInvitation)).all()
        assert (invitation.candidate_id, invitation.vacancy_id, invitation.invited_by, invitation.message) == (
            pool.qualified,
            pool.vacancy_id,
            pool.hr.id,
            "Приглашаем Вас",
        )
        notification = session.get(Notification, invitation.notification_id)
        assert notification is not None and notification.event == "talent_invitation"
    done = world.client.get(sent.headers["location"], headers=RU)
    assert f"Кандидат №{pool.qualified} приглашён подать заявку на должность «Главный эксперт»." in html.unescape(
        done.text
    )
    again = world.client.post("/hr/talent/invite", data=form, headers=RU)
    assert again.status_code == 422 and "Кандидат уже приглашён" in again.text
    listed = world.client.get(f"/hr/talent?vacancy_id={pool.vacancy_id}", headers=RU)
    card = _card(listed.text, pool.qualified)
    assert "Уже приглашён" in card and "/hr/talent/invite?" not in card


def test_a_reserve_membership_is_added_and_listed(world: World, pool: Pool) -> None:
    page = world.client.get(f"/hr/talent/reserves?candidate_id={pool.short_experience}", headers=RU)
    assert f'value="{pool.short_experience}"' in page.text
    form = {"csrf_token": csrf_of(page.text), "candidate_id": str(pool.short_experience), "since": "2026-01-15"}
    refused = world.client.post("/hr/talent/reserves", data=form, headers=RU)
    assert refused.status_code == 422
    assert '<a href="#kind">Выберите резерв</a>' in refused.text
    assert '<a href="#source">Укажите указ, приказ или список — основание включения в резерв</a>' in refused.text
    added = world.client.post(
        "/hr/talent/reserves",
        data={**form, "kind": "presidential_youth", "source": "Указ № 1"},
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (303, "/hr/talent/reserves?saved=1")
    listed = html.unescape(world.client.get("/hr/talent/reserves", headers=RU).text)
    assert "Президентский молодёжный кадровый резерв" in listed and "Указ № 1" in listed
    assert f"Кандидат №{pool.short_experience}" in listed
    assert f"Кандидат №{pool.reserve_only}" not in listed  # recorded by nobody of this body


def _subscriber(world: World, locale: str = "ru") -> None:
    account = world.candidate(vacancy_alerts=True)
    subscribed = world.client.post(
        "/api/v1/alerts/subscriptions",
        headers=world.headers(account),
        json={"criteria": {"functional_areas": ["legal"]}, "frequency": "immediate", "locale": locale},
    )
    assert subscribed.status_code == 201, subscribed.text


def _campaign_of(world: World, vacancy_id: int) -> AlertCampaign:
    with world.session() as session:
        campaigns: list[AlertCampaign] = list(session.scalars(select(AlertCampaign)))
        found = next(c for c in campaigns if c.vacancy_ids == [vacancy_id])
        session.expunge(found)
        return found


def test_a_campaign_is_approved_after_the_check_or_cancelled(world: World) -> None:
    _subscriber(world, "kk")
    _subscriber(world, "ru")
    hr = world.account("hr_officer")
    first, _ = world.published_competition(hr)
    second, _ = world.published_competition(hr, title_ru="Эксперт", title_kk="Сарапшы")
    approve_me, cancel_me = _campaign_of(world, first), _campaign_of(world, second)
    sign_in(world.client, hr.email)

    listed = html.unescape(world.client.get("/hr/alerts", headers=RU).text)
    assert f'href="/hr/alerts/{approve_me.id}"' in listed and f'href="/hr/alerts/{cancel_me.id}"' in listed
    assert approve_me.recipients_count == 2

    page = world.client.get(f"/hr/alerts/{approve_me.id}", headers=RU)
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    assert re.search(r'id="recipients-count">2<', text)
    kk_message = re.search(r'id="message-kk".*?</section>', text, re.S)
    ru_message = re.search(r'id="message-ru".*?</section>', text, re.S)
    assert kk_message is not None and ru_message is not None
    assert "Бас сарапшы" in kk_message.group(0) and "Главный эксперт" not in kk_message.group(0)
    assert "Главный эксперт" in ru_message.group(0) and "функциональное направление — legal" in ru_message.group(0)
    assert "Функциональное направление" in text and "legal" in text and "C-4" in text  # the criteria

    check = world.client.get(f"/hr/alerts/{approve_me.id}/approve", headers=RU)
    assert "Проверьте перед одобрением оповещений" in check.text
    assert "После одобрения это оповещение получат 2 подписчика." in check.text
    with world.session() as session:
        assert session.get(AlertCampaign, approve_me.id).status == "draft"
    approved = world.client.post(
        f"/hr/alerts/{approve_me.id}/approve", data={"csrf_token": csrf_of(check.text)}, follow_redirects=False
    )
    assert (approved.status_code, approved.headers["location"]) == (303, f"/hr/alerts/{approve_me.id}?done=approved")
    with world.session() as session:
        campaign = session.get(AlertCampaign, approve_me.id)
        assert campaign is not None and (campaign.status, campaign.approved_by) == ("approved", hr.id)
        assert session.scalars(select(Job.kind).where(Job.dedupe_key == f"alerts.send_campaign:{campaign.id}")).one()
    done = world.client.get(approved.headers["location"], headers=RU)
    assert "Рассылка одобрена" in done.text and "/approve" not in done.text

    check = world.client.get(f"/hr/alerts/{cancel_me.id}/cancel", headers=RU)
    assert "Проверьте перед отменой оповещений" in check.text
    cancelled = world.client.post(
        f"/hr/alerts/{cancel_me.id}/cancel", data={"csrf_token": csrf_of(check.text)}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    with world.session() as session:
        campaign = session.get(AlertCampaign, cancel_me.id)
        assert campaign is not None and (campaign.status, campaign.cancelled_by) == ("cancelled", hr.id)
    again = world.client.post(
        f"/hr/alerts/{cancel_me.id}/approve", data={"csrf_token": csrf_of(check.text)}, headers=RU
    )
    assert again.status_code == 409
    decided = html.unescape(world.client.get("/hr/alerts", headers=RU).text)
    assert "Нет рассылок, ожидающих решения." in decided and "Отменена" in decided


def test_standing_rules_are_set_listed_and_deleted(world: World) -> None:
    hr = world.account("hr_officer")
    sign_in(world.client, hr.email)
    page = world.client.get("/hr/alerts", headers=RU)
    assert "У Вашего государственного органа нет постоянных правил." in page.text
    token = csrf_of(page.text)
    refused = world.client.post(
        "/hr/alerts/rules", data={"csrf_token": token, "functional_areas": "legal", "categories": "Z-9"}, headers=RU
    )
    assert refused.status_code == 422 and '<a href="#categories">' in refused.text
    created = world.client.post(
        "/hr/alerts/rules",
        data={"csrf_token": token, "functional_areas": "legal", "categories": "C-4"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    with world.session() as session:
        [rule] = session.scalars(select(AlertStandingRule)).all()
        assert (rule.criteria, rule.created_by, rule.active) == (
            {"functional_areas": ["legal"], "categories": ["C-4"]},
            hr.id,
            True,
        )
    listed = world.client.get("/hr/alerts", headers=RU).text
    assert f"Постоянное правило №{rule.id}" in listed
    deleted = world.client.post(
        f"/hr/alerts/rules/{rule.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert deleted.status_code == 303
    with world.session() as session:
        assert session.get(AlertStandingRule, rule.id).active is False
    assert f"Постоянное правило №{rule.id}" not in world.client.get("/hr/alerts").text


def test_another_state_body_gets_the_403_page_and_changes_nothing(world: World) -> None:
    _subscriber(world)
    owner = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(owner)
    campaign = _campaign_of(world, vacancy_id)
    qualified = candidate_id(world, world.candidate(talent_pool=True))
    with world.session() as session:
        rule = AlertStandingRule(
            state_body_id=owner.state_body_id, criteria={}, auto_approve=True, active=True, created_by=owner.id
        )
        session.add(rule)
        session.flush()
        rule_id = rule.id
    outsider = world.account("hr_officer")
    sign_in(world.client, outsider.email)
    token = csrf_of(world.client.get("/hr/alerts").text)
    for url in (
        f"/hr/alerts/{campaign.id}",
        f"/hr/alerts/{campaign.id}/approve",
        f"/hr/alerts/{campaign.id}/cancel",
        f"/hr/talent?vacancy_id={vacancy_id}",
        f"/hr/talent/invite?vacancy_id={vacancy_id}&candidate_id={qualified}",
    ):
        refused = world.client.get(url, headers=RU)
        assert refused.status_code == 403, url
        assert "Главный эксперт" not in refused.text
    for url in (
        f"/hr/alerts/{campaign.id}/approve",
        f"/hr/alerts/{campaign.id}/cancel",
        f"/hr/alerts/rules/{rule_id}/delete",
    ):
        assert world.client.post(url, data={"csrf_token": token}).status_code == 403, url
    invite = {"csrf_token": token, "vacancy_id": str(vacancy_id), "candidate_id": str(qualified)}
    assert world.client.post("/hr/talent/invite", data=invite).status_code == 403
    assert f'href="/hr/alerts/{campaign.id}"' not in world.client.get("/hr/alerts").text
    assert f'<option value="{vacancy_id}"' not in world.client.get("/hr/talent").text
    with world.session() as session:
        assert session.get(AlertCampaign, campaign.id).status == "draft"
        assert session.get(AlertStandingRule, rule_id).active is True
        assert session.scalars(select(TalentInvitation)).all() == []

    world.client.cookies.clear()
    candidate = world.candidate()
    sign_in(world.client, candidate.email)
    assert world.client.get("/hr/talent").status_code == 403
    assert world.client.get("/hr/alerts").status_code == 403


def test_results_come_20_a_page_with_links_to_every_page(world: World) -> None:
    hr = world.account("hr_officer")
    for number in range(21):
        world.candidate(talent_pool=True, surname=f"Беттеуов{number}")
    sign_in(world.client, hr.email)
    first = world.client.get("/hr/talent?text=Law+legal", headers=RU)
    assert first.status_code == 200, first.text
    assert len(re.findall(r'id="candidate-\d+"', first.text)) == 20
    assert "Найден 21 человек. Страница 1 из 2." in html.unescape(first.text)
    assert 'href="/hr/talent?text=Law+legal&amp;page=2"' in first.text
    second = world.client.get("/hr/talent?text=Law+legal&page=2", headers=RU)
    assert len(re.findall(r'id="candidate-\d+"', second.text)) == 1
    assert '<ol class="cards" start="21">' in second.text
    shown = set(re.findall(r'id="candidate-(\d+)"', first.text + second.text))
    assert len(shown) == 21
