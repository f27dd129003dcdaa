"""Whether an ML module may run now; switching one off never stops the workflow, only the suggestions."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.models import Account
from app.db import utcnow
from app.errors import DomainError
from app.mlops.errors import ML_MODULE_DISABLED, UNKNOWN_ML_MODULE
from app.mlops.models import MLSwitch

ML_MODULES: Final[dict[str, str]] = {
    "essay_prescoring": "essay pre-scores on the 5-point scale",
    "transcription": "interview transcripts (Whisper)",
    "matching": "candidate–vacancy matching and talent search",
    "vacancy_alerts": "drafted vacancy alert campaigns",
}
"""Every switchable module; all are on until an administrator switches one off."""


def is_enabled(session: Session, module: str) -> bool:
    """Whether ``module`` may produce suggestions now (no row: on)."""
    if module not in ML_MODULES:
        raise KeyError(f"unknown ML module {module!r}")
    switch = session.get(MLSwitch, module)
    return True if switch is None else switch.enabled


def ensure_enabled(session: Session, module: str) -> None:
    """Raise the 409 problem ``ml_module_disabled`` when an administrator switched ``module`` off."""
    if not is_enabled(session, module):
        raise DomainError(
            ML_MODULE_DISABLED,
            f"the ML module {module!r} is switched off by an administrator; the workflow "
            "goes on without its suggestions",
            module=module,
        )


def switches(session: Session) -> dict[str, dict[str, object]]:
    """Every module with its state, for the administrator's page."""
    rows = {row.module: row for row in session.query(MLSwitch).all()}
    return {
        module: {
            "description": description,
            "enabled": rows[module].enabled if module in rows else True,
            "reason": rows[module].reason if module in rows else None,
            "changed_at": rows[module].changed_at.isoformat() if module in rows else None,
        }
        for module, description in ML_MODULES.items()
    }


def set_enabled(*, session: Session, module: str, enabled: bool, reason: str | None, actor: Account) -> None:
    """Switch ``module`` on or off, audited with the state before and after."""
    if module not in ML_MODULES:
        raise DomainError(UNKNOWN_ML_MODULE, f"unknown ML module {module!r}; known: {', '.join(ML_MODULES)}")
    switch = session.get(MLSwitch, module)
    before = True if switch is None else switch.enabled
    if switch is None:
        switch = MLSwitch(module=module, enabled=enabled, reason=reason, changed_by=actor.id, changed_at=utcnow())
        session.add(switch)
    else:
        switch.enabled, switch.reason, switch.changed_by, switch.changed_at = enabled, reason, actor.id, utcnow()
    record(
        session,
        action="ml.switched",
        entity_type="ml_module",
        entity_id=module,
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"before": {"enabled": before}, "after": {"enabled": enabled}, "reason": reason},
    )
