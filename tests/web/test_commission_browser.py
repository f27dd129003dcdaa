"""The commission in real Chromium: three members score two essays blind-first (the chair in Kazakh, a member in
Russian, the third in Kazakh), one disagreement is flagged, the HR service's first try to close the essay stage is
refused on the page, the chair records the discussion, then the stage closes; axe-core on each commission page
(no serious or critical violation) and screenshots in kk and ru."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from app.auth.models import Account
from app.protocol.signing import make_demo_ca, make_test_certificate
from tests.api._assessment import build, close, score, write_essay
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

    # the interviews the next day, then the published results and the protocol the chair signs in the browser
    for minute, person in ((0, first), (30, second)):
        scheduled = live.client.post(
            f"/api/v1/competitions/{setup.competition_id}/interviews",
            headers=live.headers(setup.hr),
            json={"anonymous_code": person.code, "starts_at": f"2026-02-03T10:{minute:02d}:00+05:00"},
        )
        assert scheduled.status_code == 201, scheduled.text
    live.set_now(datetime(2026, 2, 3, 5, 45, tzinfo=UTC))
    staff_sign_in(chair_page, chair)  # signed in again: the idle session ended overnight
    chair_page.goto(f"{base}/interviews")
    kk.check(chair_page, "commission-interviews-scheduled")
    chair_page.goto(f"{base}/interviews/{first.code}")
    kk.check(chair_page, "commission-interview-score")
    chair_page.check("#score-5")
    chair_page.locator("form[action$='/score'] button[type=submit]").click()
    chair_page.wait_for_url(re.compile(r"\?done=scored$"))
    for person in (first, second):
        for account in (member, other) if person is first else (chair, member, other):
            assert score(live, setup, "interview", person.code, account, 4).status_code == 200
    assert close(live, setup, "interview").status_code == 200
    published = live.client.post(
        f"{base.replace('/commission', '/api/v1')}/publish-results", headers=live.headers(setup.hr)
    )
    assert published.status_code == 200, published.text
    drawn = live.client.post(f"{base.replace('/commission', '/api/v1')}/protocol", headers=live.headers(setup.hr))
    assert drawn.status_code == 201, drawn.text
    protocol_id = drawn.json()["protocol"]["id"]
    pdf = live.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=live.headers(chair)).content
    identity = make_test_certificate("Төраға", "800202400451", issuer=make_demo_ca())

    chair_page.goto(f"{base}/protocol")
    kk.check(chair_page, "commission-protocol")
    chair_page.set_input_files(
        "#signature",
        files=[
            {"name": "signature.p7s", "mimeType": "application/pkcs7-signature", "buffer": identity.signer().sign(pdf)}
        ],
    )
    chair_page.locator("form[action$='/protocol/signature'] button[type=submit]").click()
    chair_page.wait_for_url(re.compile(r"\?done=signed$"))
    assert chair_page.locator("#signature-result").count() == 1
    kk.check(chair_page, "commission-protocol-signed")
    staff_sign_in(member_page, member)
    member_page.goto(f"{base}/protocol")
    assert member_page.locator("text=Подписано: действительна").count() == 1
    ru.check(member_page, "commission-protocol")

    for audit in (kk, ru):
        assert audit.blocking == [], audit.blocking
        assert audit.too_wide == [], audit.too_wide
    assert not live.csp_errors
