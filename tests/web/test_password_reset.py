"""Password reset through the pages (HTTP): the letter's link, a new password, the link good once, sessions ended."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth.models import Account
from app.auth.reset import LIFETIME, make_token
from app.db import utcnow
from app.notifications.models import OutboxMessage
from app.web.models import WebSession
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.web._pages import csrf_of, sign_in


def _letters(world: World) -> list[OutboxMessage]:
    with world.session() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.event == "password_reset")))


def _main(html: str) -> str:
    return html.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def test_a_reset_link_sets_a_new_password_once_and_ends_the_sessions(world: World) -> None:
    account = world.candidate()
    sign_in(world.client, account.email)  # a session that the reset must end
    other = TestClient(world.app)  # a second browser
    page = other.get("/password-reset")
    asked = other.post(
        "/password-reset",
        data={"csrf_token": csrf_of(page.text), "email": account.email.upper()},
        headers={"Accept-Language": "ru"},
    )
    assert "Проверьте почту" in asked.text
    unknown = other.post(
        "/password-reset",
        data={"csrf_token": csrf_of(page.text), "email": "nobody@test.kz"},
        headers={"Accept-Language": "ru"},
    )
    assert _main(unknown.text) == _main(asked.text)  # nobody learns whether the e-mail has an account
    [letter] = _letters(world)
    assert (letter.to_address, letter.subject) == (account.email, "Құпиясөзді қалпына келтіру")
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/new\?token=\S+)", letter.body)
    assert link is not None, letter.body

    form = other.get(link.group(1))
    assert form.status_code == 200 and 'name="token"' in form.text
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    short = other.post(
        "/password-reset/new", data={"csrf_token": csrf_of(form.text), "token": token, "password": "short"}
    )
    assert short.status_code == 422 and '<a href="#password">' in short.text
    done = other.post(
        "/password-reset/new",
        data={"csrf_token": csrf_of(form.text), "token": token, "password": "a-brand-new-password"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in?reset=1")
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert world.client.get("/applications", follow_redirects=False).status_code == 303  # signed out everywhere

    again = other.get(link.group(1))
    assert again.status_code == 400 and "уже использована" not in again.text and 'id="reset-problem"' in again.text
    sign_in(other, account.email, "a-brand-new-password")

    with world.session() as session:  # a link older than its lifetime is refused too
        current = session.get(Account, account.id)
        assert current is not None
        stale = make_token(
            current,
            secret_key=world.app.state.settings.secret_key,
            issued_at=utcnow() - LIFETIME - timedelta(seconds=1),
        )
    expired = other.get(f"/password-reset/new?token={stale}", headers={"Accept-Language": "ru"})
    assert "Срок действия ссылки для восстановления пароля истёк" in expired.text
