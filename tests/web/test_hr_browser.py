"""One HR journey in Chromium: the officer creates and publishes a vacancy (in Kazakh), then opens the
competition's dashboard and confirms an application (in Russian); axe-core on every page, screenshots kk/ru."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api._assessment import build, close, score, write_essay
from tests.web._pages import sign_in_page
from tests.web.conftest import Live
from tests.web.test_accessibility import Audit

pytestmark = pytest.mark.timeout(600)


def test_hr_publishes_a_vacancy_in_kazakh_and_confirms_an_application_in_russian(live: Live, browser: Any) -> None:
    hr = live.account("hr_officer")
    kk = Audit("kk")
    officer = live.page(browser, "kk")
    sign_in_page(officer, hr.email)
    officer.click("nav.main-nav a[href='/hr/vacancies']")
    officer.wait_for_url(re.compile(r"/hr/vacancies$"))
    kk.check(officer, "hr-vacancies-empty")
    officer.click("a[href='/hr/vacancies/new']")
    officer.locator("form[action='/hr/vacancies/new'] button[type=submit]").click()
    officer.wait_for_selector("[data-error-summary]")
    assert officer.locator(".error-summary a[href='#title_kk']").count() == 1
    kk.check(officer, "hr-vacancy-new-errors")
    officer.fill("#title_kk", "Бас сарапшы")
    officer.fill("#title_ru", "Главный эксперт")
    officer.select_option("#category", "C-4")
    officer.fill("#functional_area", "legal")
    officer.fill("#duties_kk", "Құқықтық сараптама жүргізу.")
    officer.fill("#duties_ru", "Проведение правовой экспертизы.")
    officer.select_option("#min_education_level", "bachelor")
    officer.fill("#education_fields", "Law")
    officer.fill("#min_experience_months", "12")
    officer.locator("form[action='/hr/vacancies/new'] button[type=submit]").click()
    officer.wait_for_url(re.compile(r"/hr/vacancies/\d+\?created=1$"))
    vacancy_id = int(re.search(r"/hr/vacancies/(\d+)", officer.url).group(1))  # type: ignore[union-attr]
    kk.check(officer, "hr-vacancy-draft")
    officer.click(f"a[href='/hr/vacancies/{vacancy_id}/publish']")
    officer.wait_for_selector("#confirm")
    kk.check(officer, "hr-vacancy-publish-check")
    officer.click("#confirm")
    officer.wait_for_url(re.compile(rf"/hr/vacancies/{vacancy_id}\?published=1$"))
    kk.check(officer, "hr-vacancy-published")
    competition_href = officer.locator("a.button[href^='/hr/competitions/']").get_attribute("href")
    assert competition_href is not None
    competition_id = int(competition_href.rsplit("/", 1)[1])

    candidate = live.candidate()
    applied = live.client.post(f"/api/v1/competitions/{competition_id}/applications", headers=live.headers(candidate))
    assert applied.status_code == 201, applied.text
    code = applied.json()["anonymous_code"]

    ru = Audit("ru")
    russian = live.page(browser, "ru")
    sign_in_page(russian, hr.email)
    russian.goto(f"/hr/competitions/{competition_id}")
    assert russian.locator("#count-submitted").inner_text() == "1"
    ru.check(russian, "hr-dashboard")
    russian.click(f".competition-nav a[href='/hr/competitions/{competition_id}/applications']")
    russian.wait_for_selector(f"#confirm-{applied.json()['id']}")
    ru.check(russian, "hr-applications")
    russian.click(f"#confirm-{applied.json()['id']}")
    russian.wait_for_url(re.compile(r"done=confirmed"))
    assert code in russian.locator(".banner").inner_text()
    ru.check(russian, "hr-application-confirmed")
    for name, path in (
        ("hr-results", "results"),
        ("hr-interviews", "interviews"),
        ("hr-publish-check", "publish"),
        ("hr-protocol", "protocol"),
    ):
        russian.goto(f"/hr/competitions/{competition_id}/{path}")
        ru.check(russian, name)
    russian.goto(f"/hr/applications/{applied.json()['id']}/results")
    russian.fill("#legislation_ethics", "99")
    russian.locator("form[action$='/results'] button[type=submit]").click()
    russian.wait_for_selector("[data-error-summary] a[href='#legislation_ethics']")
    ru.check(russian, "hr-record-results-errors")
    russian.goto(f"/hr/competitions/{competition_id}")
    assert russian.locator("#count-confirmed").inner_text() == "1"
    kk_board = live.page(browser, "kk")
    sign_in_page(kk_board, hr.email)
    kk_board.goto(f"/hr/competitions/{competition_id}")
    kk.check(kk_board, "hr-dashboard")

    # the interview slots of a competition whose essays are scored and closed (its own HR officer)
    setup = build(live)
    for person, value in zip(setup.people, (4, 5, 3), strict=True):
        write_essay(live, person, "Адал қызмет — мемлекеттің тірегі.", language="kk")
        for member in setup.members[:2]:
            assert score(live, setup, "essay", person.code, member, value).status_code == 200
    assert close(live, setup, "essay").status_code == 200
    scheduler = live.page(browser, "ru")
    sign_in_page(scheduler, setup.hr.email)
    scheduler.goto(f"/hr/competitions/{setup.competition_id}/interviews")
    first = setup.people[0].code
    ru.check(scheduler, "hr-interviews-shortlist")
    scheduler.fill(f"#day-{first}", "2026-02-07")  # a Saturday: the service refuses
    scheduler.select_option(f"#slot-{first}", "10:15")
    scheduler.locator(f"form:has(#day-{first}) button[type=submit]").click()
    scheduler.wait_for_selector(f"#day-{first}-error")
    ru.check(scheduler, "hr-interviews-refused")
    scheduler.fill(f"#day-{first}", "2026-02-03")
    scheduler.locator(f"form:has(#day-{first}) button[type=submit]").click()
    scheduler.wait_for_url(re.compile(rf"done={first}$"))
    ru.check(scheduler, "hr-interview-scheduled")

    for audit in (kk, ru):
        assert not audit.blocking, audit.blocking
        assert not audit.too_wide, audit.too_wide
    assert not live.csp_errors, live.csp_errors
