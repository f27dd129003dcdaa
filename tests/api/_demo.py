"""The demo data (``irikteu seed-demo``) behind an app, signed in as any demo or extra account: the probe's world.

The findings of the hardening probe (issue 13) were each reproducible with the demo data; the
tests that cover them and the access walk start from the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app import db
from app.auth.models import Account
from app.demo import seed
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import make_settings
from tests.factories.accounts import auth_headers, make_account, make_state_body
from tests.factories.candidates import make_candidate


@dataclass
class Demo:
    """The seeded app, its client, and helpers to act as a demo login (``hr.minfin``, ``member1`` …)."""

    app: FastAPI
    client: TestClient

    def session(self) -> Any:
        return db.transaction(self.app.state.sessions)

    def account(self, login: str) -> Account:
        with self.session() as session:
            account: Account = session.scalars(select(Account).where(Account.email == f"{login}@demo.irikteu.kz")).one()
            session.expunge(account)
            return account

    def headers(self, who: str | Account) -> dict[str, str]:
        return auth_headers(self.app, self.account(who) if isinstance(who, str) else who)

    def extra(self, role: str, **kwargs: Any) -> Account:
        """A fresh account of ``role`` outside the demo (an HR officer gets a fresh body of its own)."""
        with self.session() as session:
            if role == "hr_officer" and "state_body_id" not in kwargs:
                kwargs["state_body_id"] = make_state_body(session).id
            account = make_account(session, role=role, **kwargs)
            session.expunge(account)
            return account

    def extra_candidate(self) -> Account:
        """A registered candidate who applied nowhere."""
        with self.session() as session:
            candidate = make_candidate(session, secret_key=self.app.state.settings.secret_key)
            account = candidate.account
            session.expunge(account)
            return account


def demo_app(directory: Path, **settings: Any) -> Iterator[Demo]:
    """A migrated SQLite database in ``directory`` with the demo loaded, and the app on it."""
    url = f"sqlite:///{directory / 'irikteu.db'}"
    upgrade(url)
    app = create_app(
        make_settings(url, f"sqlite:///{directory / 'q.db'}", data_dir=directory / "data", **settings),
        start_consumer=False,
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        yield Demo(app=app, client=client)
