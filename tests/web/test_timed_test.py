"""A legislation test in Chromium, in Kazakh and in Russian: booked on the page, started, answered one question
per screen; a reply lost on the way and the network cut (the browser's offline mode) leave answers queued in
the page; after a reload they are sent again with the same ids; at the deadline the page submits. The
database then holds each answered item exactly once and the result is the core's count of correct answers."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.exams.forms import get_item_bank
from app.exams.models import TestAnswer, TestResult, TestSession
from tests.api._exam_sessions import BANK
from tests.web.conftest import Live
from tests.web.test_journeys import sign_in

pytestmark = pytest.mark.timeout(600)

SAVED = {"kk": "Барлық жауап сақталды", "ru": "Все ответы сохранены"}
STARTS = datetime(2026, 2, 3, 5, 0, tzinfo=UTC)  # 10:00 in Astana, the day after TODAY (one day ahead: the rule)


def _state(page: Any) -> str:
    return str(page.get_attribute("#save-state", "data-state"))


def _answer(page: Any, number: int, option: str) -> None:
    page.check(f"#q-{number}-{option}")


def _wait_answered(page: Any, number: int) -> None:
    page.wait_for_function(
        "n => document.querySelector(`.navigator a[data-goto='${n}']`).classList.contains('answered')", arg=number
    )


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_legislation_test_survives_a_lost_reply_the_network_cut_and_a_reload(
    live: Live, browser: Any, locale: str
) -> None:
    live.app.dependency_overrides[get_item_bank] = lambda: BANK  # every item's key is "a"
    account = live.candidate()
    page = live.page(browser, locale)
    sign_in(page, account.email)

    page.goto("/tests")
    assert page.input_value("#date") == "2026-02-03"  # the earliest day the core allows, as the default
    page.select_option("#programme", "legislation")
    page.check(f"#language-{locale}")
    page.fill("#time", "10:00")
    page.locator("form[action='/tests'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tests/\d+$"))
    booking_url = page.url

    live.set_now(STARTS)
    live.set_today(STARTS.date())
    sign_in(page, account.email)  # a day later: the idle session has ended
    page.goto(booking_url)
    page.locator("form[action$='/start'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/test-sessions/\d+/questions/1$"))
    session_id = int(re.search(r"/test-sessions/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    with live.session() as session:
        test_session = session.get(TestSession, session_id)
        assert test_session is not None
        deadline, full = test_session.deadline, (test_session.minutes + test_session.extra_minutes) * 60
    assert int(page.get_attribute("#test-clock", "data-seconds-left") or 0) == full

    _answer(page, 1, "a")
    _wait_answered(page, 1)
    page.click("#q-1 a[data-goto='2']")
    _answer(page, 2, "b")
    _wait_answered(page, 2)
    assert _state(page) == "saved" and page.inner_text("#save-state") == SAVED[locale]

    # the reply to the next answer is lost after the server stored it; then the network goes
    phase = {"now": "lose-reply"}

    def network(route: Any) -> None:
        if phase["now"] == "lose-reply":
            route.fetch()  # the server stores the answer ...
            phase["now"] = "down"
            route.abort("failed")  # ... and the page never hears back
        elif phase["now"] == "down":
            route.abort("failed")
        else:
            route.continue_()

    page.route(re.compile(r"/test-sessions/\d+/answers$"), network)
    page.click("#q-2 a[data-goto='3']")
    _answer(page, 3, "a")
    page.wait_for_function("() => document.getElementById('save-state').dataset.state === 'offline'")
    page.context.set_offline(True)
    page.click("#q-3 a[data-goto='4']")  # questions still switch without the network
    _answer(page, 4, "a")
    assert _state(page) == "offline"
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('irikteu.answers.{session_id}'))")
    assert [(e["item"], e["option"]) for e in queued] == [
        (page.get_attribute("#q-3", "data-item"), "a"),
        (page.get_attribute("#q-4", "data-item"), "a"),
    ]
    first_ids = [e["id"] for e in queued]

    page.context.set_offline(False)
    page.reload()  # the answers still wait in the page (their replies keep failing: "down")
    assert page.is_checked("#q-4-a") and page.is_checked("#q-3-a")
    assert int(page.get_attribute("#test-clock", "data-seconds-left") or 0) == full  # resumed, server's time
    phase["now"] = "up"
    page.wait_for_function("() => document.getElementById('save-state').dataset.state === 'saved'", timeout=30_000)
    assert page.evaluate(f"localStorage.getItem('irikteu.answers.{session_id}')") == "[]"

    page.click(".navigator a[data-goto='5']")
    _answer(page, 5, "b")
    page.wait_for_function("() => document.getElementById('save-state').dataset.state === 'saved'")
    page.goto(f"/test-sessions/{session_id}/review")
    assert re.search(r"\b5\b", page.inner_text("#answered-count"))

    # at the deadline the page submits by itself (the clock moves in steps shorter than the idle timeout, as
    # the page's requests keep the session alive in a real sitting)
    for minutes in (25, 50):
        live.set_now(STARTS + timedelta(minutes=minutes))
        page.goto(f"/test-sessions/{session_id}/review")
    live.set_now(deadline - timedelta(seconds=3))
    page.goto(f"/test-sessions/{session_id}/questions/5")
    page.wait_for_url(booking_url, timeout=30_000)
    assert page.is_visible("#test-result")

    with live.session() as session:
        rows = session.scalars(select(TestAnswer).where(TestAnswer.session_id == session_id)).all()
        per_item = Counter(row.item_id for row in rows)
        assert len(rows) == 5 and set(per_item.values()) == {1}  # every answered item stored exactly once
        chosen = {row.item_id: row.option for row in rows}
        stored_ids = {row.client_request_id for row in rows}
        assert set(first_ids) <= stored_ids  # the queued answers kept their ids across the reload
        test_session = session.get(TestSession, session_id)
        assert test_session is not None and test_session.status == "submitted"
        result = session.scalars(select(TestResult).where(TestResult.booking_id == test_session.booking_id)).one()
        correct = sum(1 for option in chosen.values() if option == "a")  # the bank's key is "a" for every item
        assert correct == 3
        assert (result.score["total"], sum(result.score["counts"].values())) == (correct, correct), result.score
    assert not live.csp_errors
