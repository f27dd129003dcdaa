"""HR's talent pool and alert campaigns in a real Chromium: the alert campaign of a vacancy published through the
API is approved on the pages (Kazakh) and the subscriber's letter arrives by SMTP; the pool is searched for a
vacancy and a match's explanation opened (Russian). axe-core on every page, screenshots in both languages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.alerts.models import AlertCampaign
from app.candidates.models import Candidate
from app.talent.models import TalentInvitation
from tests.integration.test_smtp_delivery import Inbox
from tests.web._pages import mailing_live, sign_in_page, subscribe_to_legal
from tests.web.conftest import Live
from tests.web.test_accessibility import Audit

pytestmark = pytest.mark.timeout(600)


def _passed(audit: Audit, live: Live) -> None:
    assert not audit.blocking, audit.blocking
    assert not audit.too_wide, audit.too_wide
    assert not live.csp_errors, live.csp_errors


def test_hr_approves_the_alert_campaign_in_kazakh_and_the_subscriber_gets_the_letter(
    live_factory: Callable[..., Live], browser: Any, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    live = mailing_live(live_factory, port)
    subscriber = live.candidate(vacancy_alerts=True)
    subscribe_to_legal(live, subscriber, "kk")
    hr = live.account("hr_officer")
    vacancy_id, _ = live.published_competition(hr)
    with live.session() as session:
        [campaign_id] = session.scalars(select(AlertCampaign.id)).all()

    audit = Audit("kk")
    page = live.page(browser, "kk")
    sign_in_page(page, hr.email)
    page.goto("/hr/alerts")
    assert page.inner_text("h1").strip() == "Бос лауазымдар туралы хабарлама таратылымдары"
    audit.check(page, "hr-alerts")
    page.click(f"#drafts a[href='/hr/alerts/{campaign_id}']")
    assert page.inner_text("#recipients-count").strip() == "1"
    assert "Бас сарапшы" in page.inner_text("#message-kk") and "Главный эксперт" in page.inner_text("#message-ru")
    audit.check(page, "hr-alert-campaign")
    page.click(f"a[href='/hr/alerts/{campaign_id}/approve']")
    assert page.inner_text("h1").strip() == "Хабарламаларды мақұлдамас бұрын тексеріңіз"
    audit.check(page, "hr-alert-campaign-check")
    with live.session() as session:
        assert session.get(AlertCampaign, campaign_id).status == "draft"
    page.click("#confirm")
    page.wait_for_url(re.compile(rf"/hr/alerts/{campaign_id}\?done=approved$"))
    assert page.inner_text(".panel h2").strip() == "Таратылым мақұлданды"
    audit.check(page, "hr-alert-campaign-approved")

    deadline = time.monotonic() + 120
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    [letter] = inbox.messages
    assert letter["To"] == subscriber.email and letter["Content-Language"] == "kk"
    assert "Бас сарапшы" in letter.get_content() and f"/api/v1/vacancies/{vacancy_id}" in letter.get_content()
    with live.session() as session:
        campaign = session.get(AlertCampaign, campaign_id)
        assert campaign is not None and (campaign.status, campaign.approved_by) == ("sent", hr.id)
        assert campaign.outcome == {"delivered": 1}
    page.goto(f"/hr/alerts/{campaign_id}")
    assert "1 — бірден жіберілді" in page.inner_text("#campaign-outcome")
    _passed(audit, live)

    russian = Audit("ru")
    other = live.page(browser, "ru")
    sign_in_page(other, hr.email)
    for path, name in (("/hr/alerts", "hr-alerts"), (f"/hr/alerts/{campaign_id}", "hr-alert-campaign-approved")):
        other.goto(path)
        russian.check(other, name)
    _passed(russian, live)


def test_hr_searches_the_pool_for_a_vacancy_and_opens_a_match_explanation_in_russian(live: Live, browser: Any) -> None:
    hr = live.account("hr_officer")
    vacancy_id, _ = live.published_competition(hr)  # bachelor in Law, at least 12 months of experience
    person = live.candidate(talent_pool=True, surname="Әлиев")
    live.candidate(experience_years=0, talent_pool=True, surname="Қасымов")
    with live.session() as session:
        candidate_id = session.scalars(select(Candidate.id).where(Candidate.account_id == person.id)).one()

    audit = Audit("ru")
    page = live.page(browser, "ru")
    sign_in_page(page, hr.email)
    page.goto("/hr/talent")
    audit.check(page, "hr-talent")
    page.select_option("#vacancy_id", str(vacancy_id))
    page.locator("form.search-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/hr/talent\?"))
    assert page.inner_text("#result-count").startswith("Найден 1 человек")
    assert "1 человек не соответствует требованию вакансии" in page.inner_text("#excluded-failing")
    card = page.locator(f"#candidate-{candidate_id}")
    explanation = card.locator("details.explanation")
    assert not explanation.locator("ul.check-list").is_visible()
    explanation.locator("summary").click()
    assert explanation.locator("ul.check-list").is_visible()
    words = " ".join(explanation.inner_text().split())
    assert "Соответствует: Стаж работы, мес.: требуется — 12, у кандидата — 36" in words
    assert "Стаж и образование (структурная часть):" in words and "«law» в образовании" in words
    audit.check(page, "hr-talent-results")

    page.locator("#excluded-failing a").click()
    assert page.locator(".tag--cannot").count() == 1
    page.locator(f"#candidate-{candidate_id} a[href^='/hr/talent/invite']").click()
    assert page.inner_text("h1").strip() == "Проверьте приглашение перед отправкой"
    audit.check(page, "hr-talent-invite")
    page.fill("#message", "Приглашаем подать заявку")
    page.locator("form[action='/hr/talent/invite'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/hr/talent/invited\?"))
    audit.check(page, "hr-talent-invited")
    with live.session() as session:
        [invitation] = session.scalars(select(TalentInvitation)).all()
        assert (invitation.candidate_id, invitation.vacancy_id) == (candidate_id, vacancy_id)
    page.goto(f"/hr/talent/reserves?candidate_id={candidate_id}")
    audit.check(page, "hr-talent-reserves")
    _passed(audit, live)

    kazakh = Audit("kk")
    other = live.page(browser, "kk")
    sign_in_page(other, hr.email)
    for path, name in (
        (f"/hr/talent?vacancy_id={vacancy_id}&include_failing=1", "hr-talent-results"),
        (f"/hr/talent/invite?vacancy_id={vacancy_id}&candidate_id={candidate_id}", "hr-talent-invite"),
        ("/hr/talent/reserves", "hr-talent-reserves"),
    ):
        other.goto(path)
        kazakh.check(other, name)
    _passed(kazakh, live)
