"""Writing a test's result or a confirmed violation into the application's recorded stage results.

The write goes through ``app.applications.service.record_stage_results`` (its checks, merge and
audit event). That function asks for the ``competition.record_results`` permission, which HR
officers hold; a test session records for one application only, and only while this module's
context says so: the rule added below grants the permission to exactly the (account,
application) pair set by ``record_for_application`` for the length of the call, so no request
can use it to record results of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.orm import Session

from app.applications import service as applications
from app.applications.models import RecordedStageResult
from app.applications.schemas import StageResultsIn
from app.auth.models import Account
from app.auth.permissions import allow
from app.errors import DomainError

_recording: ContextVar[tuple[int, int] | None] = ContextVar("irikteu_test_recording", default=None)


def _granted_while_recording(account: Account, obj: Any) -> bool:
    return _recording.get() == (account.id, getattr(obj, "application_id", None))


allow("competition.record_results", _granted_while_recording)


@contextmanager
def _recording_for(account: Account, application_id: int) -> Iterator[None]:
    token = _recording.set((account.id, application_id))
    try:
        yield
    finally:
        _recording.reset(token)


def record_for_application(
    session: Session, *, application_id: int, actor: Account, results: dict[str, Any]
) -> str | None:
    """Merge ``results`` (fields of ``StageResultsIn``) into the application's recorded results.

    Runs in a savepoint: a refusal (the application no longer confirmed, results published,
    values out of range) leaves the caller's transaction intact and is returned as text; the
    test's own result stands either way. ``None`` when recorded.
    """
    data = StageResultsIn.model_validate(results)
    try:
        with session.begin_nested(), _recording_for(actor, application_id):
            applications.record_stage_results(session=session, application_id=application_id, actor=actor, data=data)
    except DomainError as exc:
        return f"{exc.code}: {exc.detail}"
    return None


def recorded_violations(session: Session, application_id: int) -> list[str]:
    row = session.get(RecordedStageResult, application_id)
    return [] if row is None else list(row.violations)
