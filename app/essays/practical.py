"""The practical assessment (практикалық бағалау) of non-managerial competitions: the HR service's tasks.

The candidates who reached the stage take the tasks at the state body (or remotely); the
commission scores them like essays, through ``app.essays.stages``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.events import audit
from app.auth.models import Account
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.essays import stages
from app.essays.errors import NO_PRACTICAL_STAGE
from app.essays.models import PracticalTask

STAGE = "practical"
TASK_FIELDS = ("title_kk", "title_ru", "instructions_kk", "instructions_ru", "level_note")


def _task_state(task: PracticalTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TASK_FIELDS}


def _ensure_editable(session: Session, competition: Competition) -> None:
    competitions.ensure_results_not_published(competition)
    if STAGE not in competition.stage_plan:
        raise DomainError(NO_PRACTICAL_STAGE, "a managerial competition has an essay, not a practical assessment")
    stages.ensure_stage_open(session=session, competition_id=competition.id, stage=STAGE)


def create_task(*, session: Session, competition: Competition, data: dict[str, Any], actor: Account) -> PracticalTask:
    _ensure_editable(session, competition)
    now = utcnow()
    task = PracticalTask(
        competition_id=competition.id,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
        **{name: data.get(name) for name in TASK_FIELDS},
    )
    session.add(task)
    session.flush()
    audit(
        session,
        actor=actor,
        action="practical_task.created",
        entity_type="practical_task",
        entity_id=task.id,
        after={"competition_id": competition.id, **_task_state(task)},
    )
    return task


def get_task(*, session: Session, task_id: int) -> PracticalTask:
    task = session.get(PracticalTask, task_id)
    if task is None:
        raise DomainError(NOT_FOUND, f"no practical task {task_id}")
    return task


def update_task(
    *, session: Session, competition: Competition, task: PracticalTask, changes: dict[str, Any], actor: Account
) -> PracticalTask:
    """Replace the named fields of a task while the stage is open."""
    _ensure_editable(session, competition)
    before = _task_state(task)
    for name in TASK_FIELDS:
        if name in changes:
            setattr(task, name, changes[name])
    task.updated_at = utcnow()
    session.flush()
    audit(
        session,
        actor=actor,
        action="practical_task.updated",
        entity_type="practical_task",
        entity_id=task.id,
        before=before,
        after=_task_state(task),
    )
    return task


def tasks_of(*, session: Session, competition: Competition) -> Sequence[PracticalTask]:
    return session.scalars(
        select(PracticalTask).where(PracticalTask.competition_id == competition.id).order_by(PracticalTask.id)
    ).all()
