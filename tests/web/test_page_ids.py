"""No page answers 500 to an id it cannot hold (issue 13's "no 500 on any input", for the pages): every page
route, read from the app's own routes so that a new page is covered the day it is added, is called with each
path parameter set to a number beyond 64 bits, as a visitor and as every role; a bounded ``Id`` refuses it
before any query (the 400 page), where a bare ``int`` reached the database and gave the 500 page."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from app.web.site import PAGE_MODULES
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.web._pages import csrf_of, sign_in

BEYOND_64_BITS = "99999999999999999999999"
ROLES = ("candidate", "hr_officer", "commission_member", "proctor", "researcher", "administrator")


def _page_paths() -> list[tuple[str, str]]:
    found = []
    for route in (route for module in PAGE_MODULES for route in module.router.routes):
        if isinstance(route, APIRoute) and "{" in route.path:
            path = re.sub(r"\{[^}]+\}", BEYOND_64_BITS, route.path)
            found += [(method, path) for method in sorted(route.methods or ()) if method in ("GET", "POST")]
    return found


def _form_token(world: World) -> str:
    """The session's CSRF token (the sign-out form of the menu, on every signed-in page)."""
    return csrf_of(world.client.get("/").text)


def test_no_page_answers_500_to_an_id_beyond_64_bits(world: World) -> None:
    calls = _page_paths()
    assert len(calls) > 60  # the walk reaches the pages (commission, HR, talent, admin, research …)
    failures = []
    for role in (None, *ROLES):
        world.client.cookies.clear()
        if role == "candidate":
            sign_in(world.client, world.candidate().email)
        elif role is not None:
            sign_in(world.client, world.account(role).email)
        token = csrf_of(world.client.get("/sign-in").text) if role is None else _form_token(world)
        for method, path in calls:
            data = {"csrf_token": token} if method == "POST" else None
            status = world.client.request(method, path, data=data, follow_redirects=False).status_code
            if status >= 500:
                failures.append(f"{role or 'visitor'} {method} {path} -> {status}")
    assert failures == []
