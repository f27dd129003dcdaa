"""Demo personnel-reserve memberships and alert subscriptions for the demo candidates (``irikteu seed-demo``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import AlertSubscription
from app.auth.demo import demo_email
from app.auth.models import Account
from app.candidates.models import Candidate
from app.db import utcnow
from app.talent.models import PRESIDENTIAL_YOUTH, REGIONAL, ReserveMembership
from ml.embeddings import content_hash

# (candidate login, reserve kind, region, since, until, source)
DEMO_RESERVES: tuple[tuple[str, str, str | None, date, date | None, str], ...] = (
    # Not in the talent pool by consent: found by HR only through the reserve, without name or contacts.
    (
        "candidate03",
        REGIONAL,
        "Karaganda",
        date(2024, 3, 1),
        date(2027, 2, 28),
        "Karaganda regional personnel reserve, akim's order (demo)",
    ),
    (
        "candidate06",
        PRESIDENTIAL_YOUTH,
        None,
        date(2025, 6, 1),
        date(2028, 5, 31),
        "Presidential youth personnel reserve, 2025 intake (demo)",
    ),
    ("candidate09", REGIONAL, "Astana", date(2023, 1, 15), None, "Astana personnel reserve (demo)"),
    # An expired membership: no longer a reason to be in the pool.
    (
        "candidate10",
        REGIONAL,
        "East Kazakhstan",
        date(2019, 1, 1),
        date(2022, 12, 31),
        "East Kazakhstan regional personnel reserve (demo)",
    ),
)

# (candidate login, criteria, frequency)
DEMO_SUBSCRIPTIONS: tuple[tuple[str, dict[str, object], str], ...] = (
    (
        "candidate01",
        {"functional_areas": ["budget_planning"], "regions": ["Astana"], "categories": [], "text": None},
        "daily",
    ),
    (
        "candidate02",
        {
            "functional_areas": ["legal"],
            "regions": [],
            "categories": [],
            "text": "юрист, правовая экспертиза нормативных актов",
        },
        "immediate",
    ),
    ("candidate11", {"functional_areas": ["healthcare"], "regions": [], "categories": [], "text": None}, "weekly"),
)


def _candidate(session: Session, login: str) -> Candidate:
    candidate = session.scalars(
        select(Candidate).join(Account, Account.id == Candidate.account_id).where(Account.email == demo_email(login))
    ).one()
    return candidate


def seed_talent(session: Session) -> dict[str, int]:
    """Reserve memberships and subscriptions of the demo candidates (the candidates seeder runs first)."""
    now = utcnow()
    for login, kind, region, since, until, source in DEMO_RESERVES:
        session.add(
            ReserveMembership(
                candidate_id=_candidate(session, login).id,
                kind=kind,
                region=region,
                since=since,
                until=until,
                source=source,
                created_by=None,
                created_at=now,
            )
        )
    for login, criteria, frequency in DEMO_SUBSCRIPTIONS:
        candidate = _candidate(session, login)
        text = criteria.get("text")
        session.add(
            AlertSubscription(
                candidate_id=candidate.id,
                criteria=criteria,
                frequency=frequency,
                text_hash=content_hash(text, "query") if isinstance(text, str) else None,
                locale=candidate.account.locale,
                active=True,
                created_at=now,
            )
        )
    session.flush()
    return {"reserve_memberships": len(DEMO_RESERVES), "alert_subscriptions": len(DEMO_SUBSCRIPTIONS)}
