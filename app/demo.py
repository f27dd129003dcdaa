"""Demo data for a fresh checkout (``irikteu seed-demo``): idempotent, marked as demo everywhere.

Each seeder adds its part once; a marker event in the audit trail records which demo
version was loaded, so running the command again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEvent
from app.audit.service import record
from app.auth.demo import seed_identity
from app.candidates.demo import seed_candidates
from app.db import transaction
from app.demo_competition import seed_demo_competitions
from app.demo_history import seed_demo_history
from app.demo_staff import seed_alert_draft, seed_staff_work
from app.demo_talent import seed_talent

DEMO_VERSION = "2026.11-1"

Seeder = Callable[[Session], dict[str, int]]
SEEDERS: list[tuple[str, Seeder]] = [
    ("identity", seed_identity),
    ("candidates", seed_candidates),
    ("competitions", seed_demo_competitions),
    ("staff_work", seed_staff_work),
    ("talent", seed_talent),
    ("alert_draft", seed_alert_draft),
]
"""(name, function) in the order they run; domains append theirs as they land."""


def seed(sessions: sessionmaker[Session], *, history: bool = False) -> dict[str, Any]:
    """Run every seeder once per demo version, in one transaction; returns what was added.

    ``history`` adds the year of generated history across the demo bodies (``irikteu seed-demo`` does, so
    the analytics page shows trends); tests that read the two demo competitions leave it out."""
    with transaction(sessions) as session:
        done = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "demo.seeded", AuditEvent.entity_id == DEMO_VERSION)
        ).first()
        if done is not None:
            return {"demo_version": DEMO_VERSION, "already_loaded": True, "added": {}}
        seeders = [*SEEDERS, ("history", seed_demo_history)] if history else SEEDERS
        added = {name: seeder(session) for name, seeder in seeders}
        record(
            session,
            action="demo.seeded",
            entity_type="demo",
            entity_id=DEMO_VERSION,
            payload={"added": added, "note": "demonstration data, not real people or vacancies"},
        )
    return {"demo_version": DEMO_VERSION, "already_loaded": False, "added": added}
