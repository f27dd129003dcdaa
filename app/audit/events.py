"""One audit event per state change of the workflow, written in the change's own transaction."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.audit.service import SYSTEM_ACTOR, record
from app.logs import current_request_id


class Actor(Protocol):
    """Who changed the state: an account (``app.auth.models.Account``), read for its id and role only."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


def audit(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: int | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Record ``action`` on the entity with its state before and after and the request id."""
    payload: dict[str, Any] = {"before": before, "after": after, "request_id": current_request_id(), **extra}
    record(
        session,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        actor=SYSTEM_ACTOR if actor is None else str(actor.id),
        actor_role=SYSTEM_ACTOR if actor is None else actor.role,
        payload=payload,
    )
