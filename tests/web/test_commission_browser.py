"""The commission in real Chromium: three members score two essays blind-first (the chair in Kazakh, a member in
Russian, the third in Kazakh), one disagreement is flagged, the HR service's first try to close the essay stage is
refused on the page, the chair records the discussion, then the stage closes; axe-core on each commission page
(no serious or critical violation) and screenshots in kk and ru."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.auth.models import Account
from tests.api._assessment import build, write_essay
from tests.factories.accounts import TEST_PASSWORD
from tests.web.conftest import Live
from tests.web.test_accessibility import Audit

pytestmark = pytest.mark.timeout(600)

KK_ESSAY = "Мемлекеттік қызметтегі адалдық — халық сенімінің негізі. Ашықтық пен жауапкершілік оны нығайтады."
RU_ESSAY = "Честность на государственной службе — основа доверия граждан. Её укрепляют открытость и ответственность."


def staff_sign_in(page: Any, account: Account) -> None:
    page.goto("/sign-in")
    page.fill("#email", account.email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/work$"))


def give_score(page: Any, audit: Audit, url: str, value: int, name: str | None = None) -> None:
    page.goto(url)
    assert page.locator("[data-suggestion]").count() == 0  # blind first: nothing to peek at before one's own score
    if name:
        audit.check(page, name)
    page.check(f"#score-{value}")
    page.locator("form[action$='/score'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"\?done=scored$"))


def test_three_members_score_blind_first_the_chair_settles_a_disagreement_and_the_stage_closes(
    live: Live, browser: Any
) -> None:
    setup = build(live)
    first, second, _third = setup.people
    write_essay(live, first, KK_ESSAY, language="kk")
    write_essay(live, second, RU_ESSAY, language="ru")
    chair, member, other = setup.members
    base = f"/commission/competitions/{setup.competition_id}"
    kk, ru = Audit("kk"), Audit("ru")

    chair_page = live.page(browser, "kk")
    staff_sign_in(chair_page, chair)
    chair_page.goto("/commission")
    assert chair_page.locator("text=Бағаланатын эсселер").count() == 1
    kk.check(chair_page, "commission-home")
    chair_page.goto(f"{base}/essays")
    kk.check(chair_page, "commission-essays")
    give_score(chair_page, kk, f"{base}/essays/{first.code}", 5, "commission-essay-blind")
    kk.check(chair_page, "commission-essay-scored")
    give_score(chair_page, kk, f"{base}/essays/{second.code}", 4)

    member_page = live.page(browser, "ru")
    staff_sign_in(member_page, member)
    member_page.goto("/commission")
    ru.check(member_page, "commission-home")
    member_page.goto(f"{base}/essays")
    ru.check(member_page, "commission-essays")
    give_score(member_page, ru, f"{base}/essays/{first.code}", 3, "commission-essay-blind")
    assert member_page.locator("text=Оценки двух членов комиссии сильно расходятся").count() == 1  # 5 and 3
    ru.check(member_page, "commission-essay-flagged")
    give_score(member_page, ru, f"{base}/essays/{second.code}", 4)

    other_page = live.page(browser, "kk")
    staff_sign_in(other_page, other)
    give_score(other_page, kk, f"{base}/essays/{first.code}", 4)
    give_score(other_page, kk, f"{base}/essays/{second.code}", 4)
    other_page.goto(f"{base}/interviews")
    kk.check(other_page, "commission-interviews")
    other_page.goto(f"{base}/protocol")
    kk.check(other_page, "commission-protocol-none")

    hr_page = live.page(browser, "ru")
    staff_sign_in(hr_page, setup.hr)
    hr_page.goto(f"{base}/essays")
    hr_page.locator("#close-stage").click()
    hr_page.wait_for_selector("[data-error-summary]")
    assert first.code in hr_page.locator("[data-error-summary]").inner_text()
    ru.check(hr_page, "commission-close-refused")

    chair_page.goto(f"{base}/essays/{first.code}")
    chair_page.fill("#note", "Комиссия талқылады: 4 балл негізді")
    chair_page.locator("form[action$='/discussion'] button[type=submit]").click()
    chair_page.wait_for_url(re.compile(r"\?done=discussed$"))
    assert chair_page.locator("text=Комиссия талқылады: 4 балл негізді").count() == 1
    kk.check(chair_page, "commission-essay-discussed")

    hr_page.goto(f"{base}/essays")
    hr_page.locator("#close-stage").click()
    hr_page.wait_for_url(re.compile(r"\?done=closed$"))
    assert hr_page.locator(".banner").inner_text() == "Этап эссе закрыт. Оценки окончательные."
    ru.check(hr_page, "commission-essays-closed")
    chair_page.goto(f"{base}/essays")
    assert chair_page.locator("text=Эссе кезеңі жабылды. Бағалар түпкілікті.").count() == 1

    for audit in (kk, ru):
        assert audit.blocking == [], audit.blocking
        assert audit.too_wide == [], audit.too_wide
    assert not live.csp_errors
