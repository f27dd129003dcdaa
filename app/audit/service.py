"""Writing and verifying audit events; the chain is append-only and tamper-evident."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.models import GENESIS_HASH, AuditEvent
from app.db import utcnow

SYSTEM_ACTOR = "system"
_PG_AUDIT_LOCK = 0x1A0D17  # advisory lock id serialising appends on PostgreSQL


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    actor_role: str,
    action: str,
    entity_type: str,
    entity_id: str,
    payload: dict[str, Any],
    model_version: str | None,
) -> str:
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "at": occurred_at.isoformat(),
            "actor": actor,
            "role": actor_role,
            "action": action,
            "entity": [entity_type, entity_id],
            "payload": payload,
            "model": model_version,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    actor: str = SYSTEM_ACTOR,
    actor_role: str = SYSTEM_ACTOR,
    payload: dict[str, Any] | None = None,
    model_version: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits with the change it records)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last or GENESIS_HASH
    occurred_at = utcnow()
    body = json.loads(json.dumps(payload or {}, default=str))
    event = AuditEvent(
        occurred_at=occurred_at,
        actor=actor,
        actor_role=actor_role,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        payload=body,
        model_version=model_version,
        prev_hash=prev_hash,
        hash=event_hash(
            prev_hash=prev_hash,
            occurred_at=occurred_at,
            actor=actor,
            actor_role=actor_role,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            payload=body,
            model_version=model_version,
        ),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    events: int
    valid: bool
    first_bad_id: int | None
    reason: str | None


def verify_chain(session: Session, *, batch: int = 1000) -> ChainCheck:
    """Recompute every hash in order; report the first event that breaks the chain."""
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainCheck(events=count, valid=True, first_bad_id=None, reason=None)
        for event in rows:
            if event.prev_hash != prev:
                return ChainCheck(count, False, event.id, "previous hash does not match")
            expected = event_hash(
                prev_hash=event.prev_hash,
                occurred_at=event.occurred_at,
                actor=event.actor,
                actor_role=event.actor_role,
                action=event.action,
                entity_type=event.entity_type,
                entity_id=event.entity_id,
                payload=event.payload,
                model_version=event.model_version,
            )
            if expected != event.hash:
                return ChainCheck(count, False, event.id, "content does not match its hash")
            prev = event.hash
            count += 1
            last_id = event.id
