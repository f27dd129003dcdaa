"""Helpers for the page tests: the CSRF token of a rendered form, signing in through the page (a TestClient or a
real browser page), a live server that sends mail to the test SMTP server and a candidate subscribed to alerts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from tests.factories.accounts import TEST_PASSWORD

if TYPE_CHECKING:
    from app.auth.models import Account
    from tests.web.conftest import Live

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on the page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = TEST_PASSWORD) -> None:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": "/applications"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def sign_in_page(page: Any, email: str, password: str = TEST_PASSWORD, *, lands: str = "/work") -> None:
    """Sign in through the form in a real browser page; staff land on their work page, candidates elsewhere."""
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(lands) + "$"))


def mailing_live(live_factory: Callable[..., Live], port: int) -> Live:
    """A live server whose queue consumer sends the letters to the test SMTP server on ``port``."""
    return live_factory(
        start_consumer=True,
        smtp_url=f"smtp://irikteu:p%40ss%20word@127.0.0.1:{port}",
        mail_from="Irikteu <no-reply@irikteu.test>",
    )


def subscribe_to_legal(live: Live, account: Account, locale: str) -> int:
    """``account`` subscribes (through the API) to immediate alerts of legal vacancies, letters in ``locale``; the
    subscription's id."""
    subscribed = live.client.post(
        "/api/v1/alerts/subscriptions",
        headers=live.headers(account),
        json={"criteria": {"functional_areas": ["legal"]}, "frequency": "immediate", "locale": locale},
    )
    assert subscribed.status_code == 201, subscribed.text
    found: int = subscribed.json()["id"]
    return found
