"""Research studies: a researcher asks for a pseudonymised record export, an administrator decides, and only an
approved study's researcher receives the export, each one audited.

The export has one row per application of the study's scope and nothing that names anyone: every identifier
(candidate, application, competition) is replaced by its keyed hash under the study's own salt, so a person has
one pseudonym within a study and unrelated ones across studies; the birth date becomes the age band on the
application day, the application day its month; no free text (names, essays, reasons, comments) is read. The
columns are the group values of ``app.research.groups`` and each stage's outcome and score, as the audit reads
them (``app.research.service.audit_tables``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.service import record
from app.auth.models import Account, StateBody
from app.auth.permissions import ensure_can
from app.competitions.models import Competition
from app.db import utcnow
from app.errors import DomainError
from app.logs import current_request_id
from app.research.audit import STAGE_ORDER
from app.research.errors import EXPORT_NOT_APPROVED, STUDY_DECIDED, STUDY_INVALID, STUDY_NOT_FOUND
from app.research.groups import DEFAULT_GROUPS, group_columns
from app.research.models import STUDY_APPROVED, STUDY_REJECTED, STUDY_REQUESTED, ResearchStudy
from app.research.service import ResearchScope, audit_tables

TITLE_MAX: Final = 200
PURPOSE_MAX: Final = 4000
NOTE_MAX: Final = 500
PSEUDONYM_HEX: Final = 16
"""64 bits of the keyed hash: unique within any realistic study, and no identifier to recover."""


def _scope_of(study: ResearchStudy) -> ResearchScope:
    scope = study.scope
    return ResearchScope(
        competition_id=scope.get("competition_id"),
        body_code=scope.get("body_code"),
        date_from=date.fromisoformat(scope["date_from"]) if scope.get("date_from") else None,
        date_to=date.fromisoformat(scope["date_to"]) if scope.get("date_to") else None,
    )


def study_out(study: ResearchStudy) -> dict[str, Any]:
    """What the API and the pages show of a study (never its salt)."""
    return {
        "id": study.id,
        "title": study.title,
        "purpose": study.purpose,
        "scope": dict(study.scope),
        "status": study.status,
        "requested_by": study.requested_by,
        "requested_at": study.requested_at,
        "decided_by": study.decided_by,
        "decided_at": study.decided_at,
        "decision_note": study.decision_note,
        "exports": study.exports,
    }


def _audit(session: Session, actor: Account, action: str, study: ResearchStudy, **payload: Any) -> None:
    record(
        session,
        action=action,
        entity_type="research_study",
        entity_id=str(study.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"status": study.status, "request_id": current_request_id(), **payload},
    )


def request_study(*, session: Session, actor: Account, title: str, purpose: str, scope: ResearchScope) -> ResearchStudy:
    """A researcher's request: a title, the purpose, and the scope whose records the export would hold."""
    ensure_can(actor, "research.study.request")
    title, purpose = title.strip(), purpose.strip()
    missing = [name for name, value in (("title", title), ("purpose", purpose)) if not value]
    too_long = [
        name
        for name, value, limit in (("title", title, TITLE_MAX), ("purpose", purpose, PURPOSE_MAX))
        if len(value) > limit
    ]
    if missing or too_long:
        raise DomainError(
            STUDY_INVALID,
            "; ".join([*(f"{m} is empty" for m in missing), *(f"{t} is too long" for t in too_long)]),
            fields=[*missing, *too_long],
        )
    if scope.competition_id is not None and session.get(Competition, scope.competition_id) is None:
        raise DomainError(STUDY_INVALID, f"no competition {scope.competition_id}", fields=["scope"])
    if (
        scope.body_code is not None
        and session.scalars(select(StateBody).where(StateBody.code == scope.body_code)).first() is None
    ):
        raise DomainError(STUDY_INVALID, f"no state body with code {scope.body_code!r}", fields=["scope"])
    study = ResearchStudy(
        title=title,
        purpose=purpose,
        scope=scope.describe(),
        status=STUDY_REQUESTED,
        salt=secrets.token_hex(32),
        requested_by=actor.id,
    )
    session.add(study)
    session.flush()
    _audit(session, actor, "research.study_requested", study, scope=study.scope)
    return study


def get_study(*, session: Session, study_id: int, actor: Account) -> ResearchStudy:
    study = session.get(ResearchStudy, study_id)
    if study is None:
        raise DomainError(STUDY_NOT_FOUND, f"no research study {study_id}")
    ensure_can(actor, "research.study.read", study)
    return study


def list_studies(*, session: Session, actor: Account, status: str | None = None) -> Sequence[ResearchStudy]:
    """An administrator's: every study; a researcher's: their own (newest first)."""
    query = select(ResearchStudy).order_by(ResearchStudy.id.desc())
    if actor.role != "administrator":
        ensure_can(actor, "research.study.request")
        query = query.where(ResearchStudy.requested_by == actor.id)
    if status is not None:
        query = query.where(ResearchStudy.status == status)
    return session.scalars(query).all()


def decide_study(
    *, session: Session, study_id: int, actor: Account, approve: bool, note: str | None = None
) -> ResearchStudy:
    """An administrator approves or rejects a requested study (once: a decided study stays decided)."""
    study = session.get(ResearchStudy, study_id)
    if study is None:
        raise DomainError(STUDY_NOT_FOUND, f"no research study {study_id}")
    ensure_can(actor, "research.study.decide", study)
    if study.status != STUDY_REQUESTED:
        raise DomainError(STUDY_DECIDED, f"study {study_id} is {study.status} already")
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(STUDY_INVALID, f"the note has more than {NOTE_MAX} characters", fields=["note"])
    study.status = STUDY_APPROVED if approve else STUDY_REJECTED
    study.decided_by = actor.id
    study.decided_at = utcnow()
    study.decision_note = text or None
    session.flush()
    _audit(session, actor, "research.study_approved" if approve else "research.study_rejected", study)
    return study


def pseudonym(salt: str, kind: str, value: int) -> str:
    """The keyed hash (HMAC-SHA-256 under the study's salt) of one identifier, as 16 hex digits."""
    digest = hmac.new(bytes.fromhex(salt), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]


def export_columns() -> list[str]:
    """The export's columns, in order: pseudonyms, group values, the month, then each stage's outcome and score."""
    stages = [column for stage in STAGE_ORDER for column in (f"{stage}_selected", f"{stage}_score")]
    return ["study", "person", "application", "competition", "applied_month", *DEFAULT_GROUPS, *stages]


def export_study(*, session: Session, study_id: int, actor: Account, secret_key: str) -> dict[str, Any]:
    """The pseudonymised records of an approved study, to its researcher; refused (409) before approval."""
    study = session.get(ResearchStudy, study_id)
    if study is None:
        raise DomainError(STUDY_NOT_FOUND, f"no research study {study_id}")
    ensure_can(actor, "research.study.read", study)
    ensure_can(actor, "research.study.export", study)
    if study.status != STUDY_APPROVED:
        raise DomainError(EXPORT_NOT_APPROVED, f"study {study_id} is {study.status}: it has not been approved")
    records, stages, _essays = audit_tables(session, _scope_of(study), secret_key=secret_key)
    groups = group_columns(records, DEFAULT_GROUPS)
    owners = dict(
        session.execute(
            select(Application.id, Application.candidate_id).where(Application.id.in_([int(i) for i in records.index]))
        ).all()
    )
    competitions = dict(
        session.execute(
            select(Application.id, Application.competition_id).where(
                Application.id.in_([int(i) for i in records.index])
            )
        ).all()
    )
    outcome: dict[int, dict[str, Any]] = {}
    for entry in stages.itertuples(index=False):
        cells = outcome.setdefault(int(entry.application), {})
        cells[f"{entry.stage}_selected"] = bool(entry.selected)
        score = entry.score
        cells[f"{entry.stage}_score"] = None if score is None or pd.isna(score) else float(score)
    columns = export_columns()
    rows: list[dict[str, Any]] = []
    for application_id in sorted(int(i) for i in records.index):
        applied_on = records.at[application_id, "applied_on"]
        row: dict[str, Any] = {
            "study": study.id,
            "person": pseudonym(study.salt, "candidate", owners[application_id]),
            "application": pseudonym(study.salt, "application", application_id),
            "competition": pseudonym(study.salt, "competition", competitions[application_id]),
            "applied_month": f"{applied_on:%Y-%m}" if isinstance(applied_on, date) else None,
        }
        row.update({name: str(groups.at[application_id, name]) for name in DEFAULT_GROUPS})
        stage_cells = outcome.get(application_id, {})
        row.update({column: stage_cells.get(column) for column in columns[len(row) :]})
        rows.append(row)
    content = pd.DataFrame(rows, columns=columns).to_csv(index=False).encode()
    sha256 = hashlib.sha256(content).hexdigest()
    study.exports += 1
    session.flush()
    _audit(session, actor, "research.study_exported", study, rows=len(rows), columns=columns, sha256=sha256)
    return {"study_id": study.id, "columns": columns, "rows": rows, "sha256": sha256}


def export_csv(export: dict[str, Any]) -> str:
    """The export as CSV text (the page's download), the same bytes whose SHA-256 the audit keeps."""
    return str(pd.DataFrame(export["rows"], columns=export["columns"]).to_csv(index=False))
