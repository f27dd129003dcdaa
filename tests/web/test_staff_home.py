"""The staff home page: a staff member signs in to /work and sees their role's menu; others cannot."""

from __future__ import annotations

from app.web.nav import STAFF_LINKS, NavLink, links_for
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.factories.accounts import TEST_PASSWORD
from tests.web._pages import csrf_of, sign_in


def test_staff_sign_in_lands_on_their_work_page_with_their_menu(world: World) -> None:
    extra = NavLink("/test-only-researcher-page", "My work", ("researcher",), order=99)
    STAFF_LINKS.append(extra)
    try:
        _lands_on_work(world)
    finally:
        STAFF_LINKS.remove(extra)


def _lands_on_work(world: World) -> None:
    researcher = world.account("researcher")
    token = csrf_of(world.client.get("/sign-in").text)
    response = world.client.post(
        "/sign-in",
        data={"csrf_token": token, "email": researcher.email, "password": TEST_PASSWORD, "next": "/applications"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/work")
    page = world.client.get("/work", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert "<h1>Моя работа</h1>" in page.text
    assert 'href="/test-only-researcher-page"' in page.text
    assert any(link.path == "/test-only-researcher-page" for link in links_for("researcher"))
    assert not any(link.path == "/test-only-researcher-page" for link in links_for("proctor"))


def test_a_candidate_gets_the_403_page_and_a_visitor_the_sign_in_page(world: World) -> None:
    anonymous = world.client.get("/work", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/sign-in?next=/work")
    candidate = world.candidate()
    sign_in(world.client, candidate.email)
    refused = world.client.get("/work", headers={"Accept-Language": "kk"})
    assert refused.status_code == 403
