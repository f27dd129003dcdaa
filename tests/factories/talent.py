"""Helpers for the talent-pool tests (tests/api/test_talent.py, tests/web/test_talent_pages.py): a candidate's id
and a regional personnel-reserve membership (not used by the service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.auth.models import Account
from app.candidates.models import Candidate
from app.talent.models import REGIONAL, ReserveMembership


def candidate_id(world: Any, account: Account) -> int:
    """The candidate record of ``account`` (a ``tests.api._workflow.World`` candidate)."""
    with world.session() as session:
        found: int = session.scalars(select(Candidate.id).where(Candidate.account_id == account.id)).one()
        return found


def add_reserve(
    world: Any,
    candidate: int,
    *,
    since: date = date(2025, 1, 1),
    until: date | None = None,
    source: str = "test order",
) -> None:
    """A membership of the Astana regional personnel reserve."""
    with world.session() as session:
        session.add(
            ReserveMembership(
                candidate_id=candidate, kind=REGIONAL, region="Astana", since=since, until=until, source=source
            )
        )
