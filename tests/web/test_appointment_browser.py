"""In Chromium: HR records a winner's appointment in Kazakh (list, competition, order, check, confirmation) and a
researcher reads the selection figures in Russian (tables, plots); axe-core finds nothing serious or critical on
any of these pages in either language, and each is photographed at 360 and 1280 px under var/screenshots/."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from app.auth.models import RESEARCHER
from tests.api.test_appointments import DEADLINES, PUBLISHED
from tests.factories.accounts import TEST_PASSWORD, make_account
from tests.factories.appointments import make_published_competition
from tests.factories.history import make_history
from tests.web.conftest import Live
from tests.web.test_accessibility import Audit

pytestmark = pytest.mark.timeout(600)


def staff_sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/work$"))


def test_hr_records_an_appointment_in_kazakh_and_the_figures_read_in_russian(live: Live, browser: Any) -> None:
    with live.session() as session:
        secret = live.app.state.settings.secret_key
        comp = make_published_competition(session, secret_key=secret, published_on=PUBLISHED, deadlines=DEADLINES)
        make_history(session, secret_key=secret)
        researcher = make_account(session, role=RESEARCHER)
    live.set_today(date(2026, 3, 27))
    kk, ru = Audit("kk"), Audit("ru")

    page = live.page(browser, "kk")
    staff_sign_in(page, comp.hr_officer.email)
    page.goto("/appointments")
    kk.check(page, "appointments-list")
    page.locator(f"#competition-{comp.competition_id} a").click()
    page.wait_for_url(re.compile(rf"/appointments/competitions/{comp.competition_id}$"))
    assert page.locator("#documents-overdue").inner_text() == "Мерзімі өтті"
    kk.check(page, "appointment-competition")
    page.get_by_role("link", name="Тағайындау туралы бұйрықты тіркеу").click()
    page.fill("#order_number", "45-ЖҚ")
    page.fill("#appointed_on", "2026-03-27")
    page.get_by_role("button", name="Жалғастыру").click()
    page.wait_for_selector("#answers")
    kk.check(page, "appointment-order-check")
    page.get_by_role("button", name="Тағайындауды тіркеу").click()
    page.wait_for_url(re.compile(r"\?done=appointed$"))
    assert page.locator("#done h2").inner_text() == "Тағайындау тіркелді"
    assert page.locator("#status").inner_text() == "Тағайындалды"
    kk.check(page, "appointment-recorded")
    page.goto(f"/language/ru?next=/appointments/competitions/{comp.competition_id}/order")
    page.wait_for_load_state("load")
    page.goto(f"/appointments/competitions/{comp.competition_id}")
    assert page.locator("#status").inner_text() == "Назначен(а)"
    ru.check(page, "appointment-recorded")

    page = live.page(browser, "ru")
    staff_sign_in(page, researcher.email)
    page.goto("/analytics?from=2026-01-01&to=2026-12-31&by=month")
    assert page.locator("h1").inner_text() == "Показатели отбора"
    months = page.locator("#figures tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert months == ["2026-02", "2026-03", "2026-04", "2026-05"]  # the competition above opened in February
    plots = page.locator(".plot img")
    for _attempt in range(100):  # the plots are drawn by the server on request (a second or two each)
        widths = plots.evaluate_all("images => images.map(i => (i.complete ? i.naturalWidth : -1))")
        if all(width >= 0 for width in widths):
            break
        page.wait_for_timeout(200)
    assert widths == [900, 900, 900, 900]  # every plot drawn (the report's 9 in x 4 in at 100 dpi)
    ru.check(page, "analytics")
    page.goto("/language/kk?next=/analytics")
    page.goto("/analytics?from=2026-01-01&to=2026-12-31&by=body")
    assert page.locator("h1").inner_text() == "Іріктеу көрсеткіштері"
    kk.check(page, "analytics")

    assert not kk.blocking and not ru.blocking, kk.blocking + ru.blocking
    assert not kk.too_wide and not ru.too_wide, kk.too_wide + ru.too_wide
    assert not live.csp_errors, live.csp_errors
