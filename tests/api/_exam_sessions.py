"""Shared set-up for the test-session and proctoring API tests: a small item bank and helpers to sit a test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from app.auth.models import Account
from app.deps import get_now
from app.exams.forms import cached_form, get_item_bank
from app.exams.models import TestSession
from app.items.forms import Form
from app.items.item import Item
from app.rules.policy import LEGISLATION_ACTS, PERSONAL_QUALITIES, SelectionPolicy
from tests.api._assessment import Clocked
from tests.api._workflow import _world
from tests.factories.items import make_bank, make_item

_policy = SelectionPolicy()
_requests = itertools.count(1)


def _bank_items() -> list[Item]:
    """Two forms' worth of approved items for every blueprint; the key of every item is ``a``."""
    sections: list[tuple[str, str, int]] = [
        *(("legislation", act, count) for act, count in _policy.legislation_questions.items()),
        ("state_language", "kazakh", _policy.state_language_questions),
        *(
            ("personal_qualities", quality, _policy.personal_qualities_tasks_per_quality)
            for quality in PERSONAL_QUALITIES
        ),
        ("personal_qualities", "validity", _policy.personal_qualities_validity_items),
        ("reasoning_text", "text", _policy.reasoning_text_questions),
        ("reasoning_numeric", "numeric", _policy.reasoning_numeric_questions),
    ]
    return [
        make_item(f"{programme[:3]}-{section.replace('_', '')}-{n:02d}", programme, section, key="a")
        for programme, section, count in sections
        for n in range(1, 2 * count + 1)
    ]


BANK = make_bank(_bank_items())
assert set(LEGISLATION_ACTS) <= {item.section for item in BANK}


def _reader(clock: list[datetime]) -> Callable[[], datetime]:
    return lambda: clock[0]


@pytest.fixture(name="world")
def testing_world_fixture(sqlite_url: str, tmp_path: Any) -> Iterator[Clocked]:
    """The app on SQLite with today and now pinned and the small bank above."""
    for plain in _world(sqlite_url, tmp_path):
        world = Clocked(app=plain.app, client=plain.client, today=plain.today)
        world.app.dependency_overrides[get_now] = _reader(world.now)
        world.app.dependency_overrides[get_item_bank] = lambda: BANK
        yield world


def book(
    world: Clocked,
    account: Account,
    programme: str = "legislation",
    *,
    starts_at: str = "2026-02-03T04:00:00Z",
    language: str = "kk",
    application_id: int | None = None,
) -> Any:
    body: dict[str, Any] = {"programme": programme, "language": language, "starts_at": starts_at}
    if application_id is not None:
        body["application_id"] = application_id
    return world.client.post("/api/v1/test-bookings", json=body, headers=world.headers(account))


def booked(world: Clocked, account: Account, programme: str = "legislation", **kwargs: Any) -> dict[str, Any]:
    response = book(world, account, programme, **kwargs)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def start(world: Clocked, account: Account, booking_id: int) -> Any:
    return world.client.post(f"/api/v1/test-sessions/{booking_id}/start", headers=world.headers(account))


def started(world: Clocked, account: Account, booking: dict[str, Any]) -> dict[str, Any]:
    """Move the clock to the booked time and start; the session's JSON."""
    world.set_now(datetime.fromisoformat(booking["starts_at"]))
    response = start(world, account, booking["id"])
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def form_of(world: Clocked, session_id: int) -> Form:
    with world.session() as session:
        test_session = session.get(TestSession, session_id)
        assert test_session is not None
        return cached_form(session, test_session.form_hash)


def put_answer(
    world: Clocked, account: Account, session_id: int, item_id: str, option: str, request_id: str | None = None
) -> Any:
    body = {"option": option, "client_request_id": request_id or f"req-{next(_requests)}"}
    return world.client.put(
        f"/api/v1/test-sessions/{session_id}/answers/{item_id}", json=body, headers=world.headers(account)
    )


def answer_sections(
    world: Clocked, account: Account, session_id: int, correct: dict[str, int] | Callable[[str], int]
) -> None:
    """Answer every item: the first ``correct[section]`` items of each section right (``a``), the rest wrong."""
    given: dict[str, int] = {}
    for item in form_of(world, session_id).items:
        wanted = correct(item.section) if callable(correct) else correct.get(item.section, 0)
        index = given.get(item.section, 0)
        given[item.section] = index + 1
        right = "a" if item.key == "a" else item.key
        wrong = "d" if item.type == "pq_likert" else "b"
        response = put_answer(world, account, session_id, item.id, right if index < wanted else wrong)
        assert response.status_code == 200, response.text


def submit(world: Clocked, account: Account, session_id: int) -> dict[str, Any]:
    response = world.client.post(f"/api/v1/test-sessions/{session_id}/submit", headers=world.headers(account))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
