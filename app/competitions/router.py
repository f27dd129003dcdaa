"""The selection core over HTTP: the policy in force and what-if replays of a competition."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from app.deps import PolicyDep
from app.rules.policy import policy_fields
from app.rules.replay import replay

router = APIRouter(prefix="/api/v1", tags=["selection"])


@router.get("/policy")
def read_policy(policy: PolicyDep) -> dict[str, Any]:
    """Every SelectionPolicy field: the seeds' default and the value this deployment runs with."""
    defaults = policy_fields()
    in_force = policy_fields(policy)
    return {"defaults": defaults, "in_force": in_force,
            "overridden": sorted(name for name in defaults if defaults[name] != in_force[name])}


@router.post("/replay")
def run_replay(document: Any = Body(..., description="a competition in the replay format")) -> dict[str, Any]:
    """The outcome of one competition from recorded results, exactly as ``irikteu replay`` prints it.

    The replay starts from the seeds' defaults (plus the document's own ``policy``), never from this
    deployment's overrides, so an auditor's file gives the same answer everywhere.
    """
    return replay(document)
