"""Administrator endpoints for the ML modules' run-time switches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.deps import AdministratorAccount
from app.deps import SessionDep
from app.mlops.service import set_enabled, switches

router = APIRouter(prefix="/api/v1/admin/ml", tags=["ml"])


class SwitchIn(BaseModel):
    enabled: bool
    reason: str | None = Field(default=None, max_length=2000)


@router.get("")
def read_switches(session: SessionDep, _admin: AdministratorAccount) -> dict[str, Any]:
    """Every ML module and whether it runs."""
    return switches(session)


@router.put("/{module}")
def switch_module(module: str, body: SwitchIn, session: SessionDep, admin: AdministratorAccount) -> dict[str, Any]:
    """Switch one module on or off at run time; audited."""
    with session.begin():
        set_enabled(session=session, module=module, enabled=body.enabled, reason=body.reason, actor=admin)
    return switches(session)
