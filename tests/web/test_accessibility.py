"""Every candidate page in both languages, in Chromium: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules (no
violation of impact serious or critical), no horizontal scrolling at 360 px, and screenshots at 360 and
1280 px under var/screenshots/ (the minor findings are written beside them, for the closing note)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.alerts.tokens import make_token
from app.competitions.models import Competition
from app.exams.forms import get_item_bank
from tests.api._assessment import build
from tests.api._exam_sessions import BANK
from tests.web.conftest import SCREENSHOTS, Live, screenshot
from tests.web.test_journeys import sign_in
from tests.web.test_timed_test import STARTS

pytestmark = pytest.mark.timeout(900)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}


class Audit:
    """Runs axe on a page, takes its screenshots and keeps every finding."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.axe = Axe()
        self.blocking: list[str] = []
        self.minor: list[dict[str, Any]] = []
        self.too_wide: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == self.locale, name
        result = self.axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        )
        for violation in result.response["violations"]:
            entry = {
                "page": name,
                "rule": violation["id"],
                "impact": violation["impact"],
                "nodes": len(violation["nodes"]),
                "help": violation["help"],
            }
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]]
                self.blocking.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
            else:
                self.minor.append(entry)
        screenshot(page, self.locale, name)
        original = page.viewport_size
        page.set_viewport_size({"width": 360, "height": 800})
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            self.too_wide.append(name)
        page.set_viewport_size(original)
        self.pages.append(name)


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_every_candidate_page_passes_axe_and_fits_360_px(live: Live, browser: Any, locale: str) -> None:
    audit = Audit(locale)
    control = live.page(browser, locale)  # the harness finds what it must: an unlabelled field is serious
    control.set_content(f'<html lang="{locale}"><body><main><input type="text"></main></body></html>')
    found = audit.axe.run(control, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert {(v["id"], v["impact"]) for v in found.response["violations"]} >= {("label", "critical")}
    live.app.dependency_overrides[get_item_bank] = lambda: BANK
    setup = build(live)
    writer = setup.people[0]
    with live.session() as session:
        competition_vacancy = session.scalar(
            select(Competition.vacancy_id).where(Competition.id == setup.competition_id)
        )
    newcomer = live.candidate(vacancy_alerts=True)
    subscribed = live.client.post(
        "/api/v1/alerts/subscriptions",
        headers=live.headers(newcomer),
        json={"criteria": {}, "frequency": "daily", "locale": locale},
    )
    assert subscribed.status_code == 201, subscribed.text

    visitor = live.page(browser, locale)
    for name, path in (
        ("home", "/"),
        ("vacancy", f"/vacancies/{competition_vacancy}"),
        ("sign-in", "/sign-in"),
        ("register", "/register"),
        ("not-found", "/no-such-page"),
        ("unsubscribe-invalid", "/unsubscribe?token=not-a-token"),
        ("password-reset", "/password-reset"),
        ("password-link-invalid", "/password-reset/new?token=x"),
    ):
        visitor.goto(path)
        audit.check(visitor, name)
    visitor.goto("/register")
    visitor.locator("form[action='/register'] button[type=submit]").click()
    visitor.wait_for_selector("[data-error-summary]")
    audit.check(visitor, "register-errors")

    candidate = live.page(browser, locale)
    sign_in(candidate, newcomer.email)
    for name, path in (
        ("vacancy-signed-in", f"/vacancies/{competition_vacancy}"),
        ("profile", "/profile"),
        ("profile-edit", "/profile/edit"),
        ("apply-check", f"/vacancies/{competition_vacancy}/apply"),
    ):
        candidate.goto(path)
        audit.check(candidate, name)
    candidate.locator("form#apply button[type=submit]").click()
    candidate.wait_for_url(re.compile(r"/confirmation$"))
    audit.check(candidate, "confirmation")
    for name, path in (
        ("applications", "/applications"),
        ("notifications", "/notifications"),
        ("alerts", "/alerts"),
        ("recommendations", "/recommendations"),
    ):
        candidate.goto(path, timeout=120_000)  # the matcher loads its embedding model on first use
        audit.check(candidate, name)
    candidate.goto("/tests")
    audit.check(candidate, "tests")
    candidate.select_option("#programme", "legislation")
    candidate.locator("form[action='/tests'] button[type=submit]").click()
    candidate.wait_for_url(re.compile(r"/tests/\d+$"))
    audit.check(candidate, "test-booked")
    token = make_token(
        subscribed.json()["id"],
        secret_key=live.app.state.settings.secret_key,
        issued_at=live.now[0] - timedelta(minutes=1),
    )
    candidate.goto(f"/unsubscribe?token={token}")
    audit.check(candidate, "unsubscribed")

    essayist = live.page(browser, locale)
    sign_in(essayist, writer.account.email)
    audit.check(essayist, "applications-essay-stage")
    essayist.goto(f"/applications/{writer.application_id}/essay")
    audit.check(essayist, "essay-start")
    essayist.locator("form[action$='/essay/start'] button[type=submit]").click()
    essayist.fill("#essay-text", "Мемлекеттік қызмет — халыққа қызмет ету.")
    essayist.wait_for_selector("#word-count[data-words='5']")
    audit.check(essayist, "essay-write")
    essayist.locator("form[action$='/essay/check'] button[type=submit]").first.click()
    essayist.wait_for_selector("#checked-word-count")
    audit.check(essayist, "essay-check")
    essayist.locator("form[action$='/essay/submit'] button[type=submit]").click()
    essayist.wait_for_selector("#essay-hash")
    audit.check(essayist, "essay-locked")

    # the timed test, the next day at its booked time (signed in again: the idle session ended overnight)
    live.set_now(STARTS)
    live.set_today(STARTS.date())
    sign_in(candidate, newcomer.email)
    candidate.goto("/tests")
    candidate.locator("ul.cards a[href^='/tests/']").first.click()
    audit.check(candidate, "test-start")
    candidate.locator("form[action$='/start'] button[type=submit]").click()
    candidate.wait_for_url(re.compile(r"/questions/1$"))
    candidate.check("#q-1-a")
    candidate.wait_for_function("() => document.getElementById('save-state').dataset.state === 'saved'")
    audit.check(candidate, "test-question")
    candidate.click(".navigator a[data-goto='2']")
    candidate.check("#q-2-flag")
    audit.check(candidate, "test-question-flagged")
    candidate.goto(candidate.url.rsplit("/questions/", 1)[0] + "/review")
    audit.check(candidate, "test-review")
    candidate.locator("form[action$='/submit'] button[type=submit]").click()
    candidate.wait_for_selector("#test-result")
    audit.check(candidate, "test-result")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"axe-{locale}.json").write_text(
        json.dumps(
            {"pages": audit.pages, "minor": audit.minor, "blocking": audit.blocking, "too_wide_at_360": audit.too_wide},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    assert audit.blocking == []
    assert audit.too_wide == []
    assert not live.csp_errors
    assert len(audit.pages) == 31
