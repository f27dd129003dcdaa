"""Helpers for the page tests: the CSRF token of a rendered form, signing in through the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories.accounts import TEST_PASSWORD

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
