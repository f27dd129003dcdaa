"""The fairness audit from the stored data: a scope (competition, state body, period) into the audit's tables.

Each confirmed application's stages come from the rules core (``run_competition`` on
``competition_input``, as ``progress`` shows them), the HR decision on the documents is the
``application`` stage, and the group sources are read from the personal file and the application:
the IIN is decrypted here only to derive sex and age band (``app.research.groups``) and goes no
further. What leaves is ``app.research.audit.run_audit``'s aggregates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, REJECTED, Application, RecordedStageResult
from app.audit.events import audit
from app.auth.crypto import DecryptionFailed, decrypt_iin
from app.auth.models import Account, StateBody
from app.candidates.models import Candidate
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.errors import DomainError
from app.essays.models import Essay
from app.exams.forms import cached_form
from app.exams.models import SUBMITTED, Accommodation, TestBooking, TestSession
from app.exams.scoring import latest_answers
from app.prescoring.registry import final_score
from app.prescoring.review import suggested_scores
from app.research.audit import flagged, run_audit
from app.research.errors import BAD_SCOPE, SCOPE_NOT_FOUND, UNKNOWN_GROUP
from app.research.groups import GROUPS, UnknownGroup, parse_groups
from app.research.models import StoredAudit
from app.rules.competition import run_competition
from app.rules.member_scores import aggregate_member_scores
from app.selection import service as selection
from app.talent.models import ReserveMembership

SCORED_FROM_MEMBERS = ("essay", "practical", "interview")


@dataclass(frozen=True)
class ResearchScope:
    """Which competitions an audit reads: one, a state body's, or those published in a period."""

    competition_id: int | None = None
    body_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, Any]:
        return {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in self.__dict__.items()
            if value is not None
        }


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(BAD_SCOPE, f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def research_scope(
    *,
    competition_id: int | None = None,
    body_code: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> ResearchScope:
    """A checked scope: one competition, or a state body, a period (either end may be open), or both."""
    start, end = _day(date_from, "from"), _day(date_to, "to")
    wider = body_code is not None or start is not None or end is not None
    if (competition_id is not None) == wider:
        raise DomainError(BAD_SCOPE, "give one scope: a competition, or a state body and/or a period")
    if start is not None and end is not None and start > end:
        raise DomainError(BAD_SCOPE, f"the period starts ({start}) after it ends ({end})")
    return ResearchScope(competition_id=competition_id, body_code=body_code, date_from=start, date_to=end)


def competitions_in(session: Session, scope: ResearchScope) -> Sequence[Competition]:
    query = select(Competition).order_by(Competition.id)
    if scope.competition_id is not None:
        found = session.get(Competition, scope.competition_id)
        if found is None:
            raise DomainError(SCOPE_NOT_FOUND, f"no competition {scope.competition_id}")
        return [found]
    if scope.body_code is not None:
        body = session.scalars(select(StateBody).where(StateBody.code == scope.body_code)).first()
        if body is None:
            raise DomainError(SCOPE_NOT_FOUND, f"no state body with code {scope.body_code!r}")
        query = query.where(Competition.state_body_id == body.id)
    if scope.date_from is not None:
        query = query.where(Competition.published_on >= scope.date_from)
    if scope.date_to is not None:
        query = query.where(Competition.published_on <= scope.date_to)
    return session.scalars(query).all()


def _flag(found: bool | None) -> str | None:
    return None if found is None else ("yes" if found else "no")


def audit_tables(
    session: Session, scope: ResearchScope, *, secret_key: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``records``, ``stages`` and ``essays`` of ``run_audit`` for the scope (application ids as keys)."""
    records: list[dict[str, Any]] = []
    stage_rows: list[dict[str, Any]] = []
    essay_rows: list[dict[str, Any]] = []
    for competition in competitions_in(session, scope):
        applications = session.scalars(
            select(Application).where(Application.competition_id == competition.id).order_by(Application.id)
        ).all()
        if not applications:
            continue
        ids = [a.id for a in applications]
        candidates = {
            c.id: c
            for c in session.scalars(
                select(Candidate).where(Candidate.id.in_([a.candidate_id for a in applications]))
            ).all()
        }
        languages = dict(
            session.execute(
                select(TestBooking.application_id, TestBooking.language).where(TestBooking.application_id.in_(ids))
            ).all()
        )
        languages.update(
            {
                k: v
                for k, v in session.execute(
                    select(Essay.application_id, Essay.language).where(Essay.application_id.in_(ids))
                ).all()
                if k not in languages
            }
        )
        accommodated = set(
            session.scalars(
                select(Accommodation.candidate_id).where(Accommodation.candidate_id.in_(list(candidates)))
            ).all()
        )
        reserves = session.scalars(
            select(ReserveMembership).where(ReserveMembership.candidate_id.in_(list(candidates)))
        ).all()
        for application in applications:
            candidate = candidates[application.candidate_id]
            try:
                iin: str | None = decrypt_iin(candidate.iin_encrypted, secret_key=secret_key)
            except DecryptionFailed:
                iin = None
            on = application.applied_on
            in_reserve = any(
                r.candidate_id == candidate.id and r.since <= on and (r.until is None or r.until >= on)
                for r in reserves
            )
            records.append(
                {
                    "application": application.id,
                    "iin": iin,
                    "applied_on": on,
                    "language": languages.get(application.id),
                    "region": candidate.region,
                    "education": application.education_level,
                    "accommodation": _flag(candidate.id in accommodated),
                    "reserve": _flag(in_reserve),
                }
            )
            if application.status in (CONFIRMED, REJECTED):
                stage_rows.append(
                    {
                        "application": application.id,
                        "stage": "application",
                        "selected": application.status == CONFIRMED,
                        "score": None,
                    }
                )
        stage_rows += _core_stages(session, competition)
        essay_rows += _essay_pairs(session, competition, ids)
    if not records:
        raise DomainError(SCOPE_NOT_FOUND, "the scope holds no applications")
    return (
        pd.DataFrame(records).set_index("application"),
        pd.DataFrame(stage_rows, columns=["application", "stage", "selected", "score"]),
        pd.DataFrame(essay_rows, columns=["application", "human", "machine"]),
    )


def _core_stages(session: Session, competition: Competition) -> list[dict[str, Any]]:
    """Who entered and left each stage of the rules core, with the stage's score where it has one."""
    data = selection.competition_input(session=session, competition=competition)
    if not data.candidates:
        return []
    policy = competitions.policy_of(competition)
    outcome = run_competition(data, policy)
    applications = selection.competing_applications(session=session, competition=competition)
    by_code = {a.anonymous_code: a.id for a in applications}
    recorded = {
        row.application_id: row
        for row in session.scalars(
            select(RecordedStageResult).where(RecordedStageResult.application_id.in_(list(by_code.values())))
        ).all()
    }
    members = selection.counting_member_scores(session=session, application_ids=list(by_code.values()))
    rows = []
    for stage in outcome.stages:
        advanced = set(stage.advanced)
        for ref in stage.entered:
            application_id = by_code[ref]
            score: float | None = None
            if stage.stage == "personal_qualities":
                found = recorded.get(application_id)
                if found is not None and found.personal_qualities_percent is not None:
                    score = float(found.personal_qualities_percent)
            elif stage.stage in SCORED_FROM_MEMBERS:
                given = members.get(application_id, {}).get(stage.stage)
                if given:
                    score = float(aggregate_member_scores(given, policy))
            elif stage.stage == "final" and ref in outcome.totals:
                score = float(outcome.totals[ref])
            rows.append(
                {"application": application_id, "stage": stage.stage, "selected": ref in advanced, "score": score}
            )
    return rows


def _essay_pairs(session: Session, competition: Competition, application_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Final essay score (the training label) beside the model's suggestion, where both exist."""
    suggested = suggested_scores(session, application_ids)
    if not suggested:
        return []
    policy = competitions.policy_of(competition)
    members = selection.counting_member_scores(session=session, application_ids=list(suggested))
    return [
        {
            "application": application_id,
            "human": final_score(members[application_id]["essay"], policy),
            "machine": machine,
        }
        for application_id, machine in suggested.items()
        if members.get(application_id, {}).get("essay")
    ]


def item_responses(
    session: Session, scope: ResearchScope, *, secret_key: str
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """One row per submitted test session of the scope's candidates: each item 1/0 (blank when not on the
    form), with ``sex`` (from the IIN) and ``language`` (the session's); and the items of each section."""
    candidate_ids = {
        a.candidate_id
        for competition in competitions_in(session, scope)
        for a in session.scalars(select(Application).where(Application.competition_id == competition.id))
    }
    rows: list[dict[str, Any]] = []
    scales: dict[str, list[str]] = {}
    if not candidate_ids:
        return pd.DataFrame(rows), scales
    found = session.execute(
        select(TestSession, TestBooking, Candidate)
        .join(TestBooking, TestBooking.id == TestSession.booking_id)
        .join(Candidate, Candidate.id == TestBooking.candidate_id)
        .where(TestBooking.candidate_id.in_(candidate_ids), TestSession.status == SUBMITTED)
        .order_by(TestSession.id)
    ).all()
    for test_session, _booking, candidate in found:
        form = cached_form(session, test_session.form_hash)
        answers = latest_answers(session, test_session.id)
        try:
            iin: str | None = decrypt_iin(candidate.iin_encrypted, secret_key=secret_key)
        except DecryptionFailed:
            iin = None
        row: dict[str, Any] = {
            "sex": GROUPS["sex"].derive({"iin": iin}),
            "language": GROUPS["language"].derive({"language": test_session.language}),
        }
        for item in form.items:
            option = answers.get(item.id)
            row[item.id] = int(option is not None and item.credits(option))
            members = scales.setdefault(f"{form.programme}:{item.section}", [])
            if item.id not in members:
                members.append(item.id)
        rows.append(row)
    return pd.DataFrame(rows), scales


def research_item_dif(*, session: Session, scope: ResearchScope, min_cell: int, secret_key: str) -> dict[str, Any]:
    """Mantel–Haenszel DIF with the ETS classes by sex and by test language, for the scope's test takers."""
    from app.research.dif import item_dif  # noqa: PLC0415  pingouin, statsmodels and matplotlib load in seconds; the service starts without them

    responses, scales = item_responses(session, scope, secret_key=secret_key)
    if responses.empty:
        return {"sessions": 0, "by_group": {}}
    return {
        "sessions": len(responses) if len(responses) >= min_cell else None,
        "by_group": {
            group: item_dif(responses, group=group, scales=scales, min_cell=min_cell) for group in ("sex", "language")
        },
    }


def research_audit(
    *,
    session: Session,
    scope: ResearchScope,
    groups: str | Sequence[str] | None,
    min_cell: int,
    secret_key: str,
    draws: int = 2000,
    progress: Callable[[str], None] = lambda _note: None,
) -> dict[str, Any]:
    """The audit of the stored data in ``scope``: aggregates only, small cells suppressed."""
    try:
        names = parse_groups(groups)
    except UnknownGroup as error:
        raise DomainError(UNKNOWN_GROUP, str(error)) from None
    records, stages, essays = audit_tables(session, scope, secret_key=secret_key)
    digest = hashlib.sha256()
    for table in (records.sort_index(), stages, essays):
        digest.update(table.to_csv(index=True).encode())
    progress(f"{len(records)} applications, {len(stages)} stage entries, {len(essays)} pre-scored essays")
    report = run_audit(
        records=records,
        stages=stages,
        essays=essays,
        groups=names,
        min_cell=min_cell,
        scope=scope.describe(),
        draws=draws,
        progress=progress,
    )
    report["inputs_sha256"] = digest.hexdigest()
    report["item_dif"] = research_item_dif(session=session, scope=scope, min_cell=min_cell, secret_key=secret_key)
    progress(f"item DIF: {report['item_dif']['sessions']} test sessions")
    report["flags"] = flagged(report)
    return report


# --- the stored yearly audit (Local Law 144 pattern) ---------------------------------------------------------

YEARLY_AUDIT_JOB = "research_yearly_audit"


def store_body_audit(
    *,
    session: Session,
    body: StateBody,
    date_from: date,
    date_to: date,
    min_cell: int,
    secret_key: str,
    actor: Account | None,
) -> StoredAudit:
    """Audit a state body's competitions published in the period and keep the aggregates with their inputs'
    hash (audited); a body with no application in the period stores an empty audit saying so."""
    scope = ResearchScope(body_code=body.code, date_from=date_from, date_to=date_to)
    try:
        report = research_audit(session=session, scope=scope, groups=None, min_cell=min_cell, secret_key=secret_key)
    except DomainError as error:
        if error.error is not SCOPE_NOT_FOUND:
            raise
        report = {
            "scope": scope.describe(),
            "min_cell": min_cell,
            "applications": 0,
            "stages": {},
            "inputs_sha256": hashlib.sha256(b"").hexdigest(),
            "note": error.detail,
        }
    row = StoredAudit(
        state_body_id=body.id,
        period_from=date_from,
        period_to=date_to,
        groups=list(parse_groups(None)),
        min_cell=min_cell,
        inputs_sha256=report["inputs_sha256"],
        report=report,
        created_by=None if actor is None else actor.id,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        action="research.audit_stored",
        entity_type="research_audit",
        entity_id=row.id,
        after={
            "state_body_id": body.id,
            "period_from": date_from.isoformat(),
            "period_to": date_to.isoformat(),
            "inputs_sha256": row.inputs_sha256,
            "flags": len(report.get("flags", [])),
        },
    )
    return row


def yearly_audits(*, session: Session, year: int, min_cell: int, secret_key: str) -> list[StoredAudit]:
    """The audit of every state body for the calendar ``year`` (the scheduled job runs it for the past year)."""
    bodies = session.scalars(select(StateBody).order_by(StateBody.id)).all()
    return [
        store_body_audit(
            session=session,
            body=body,
            date_from=date(year, 1, 1),
            date_to=date(year, 12, 31),
            min_cell=min_cell,
            secret_key=secret_key,
            actor=None,
        )
        for body in bodies
    ]


def body_by_code(session: Session, code: str) -> StateBody:
    body = session.scalars(select(StateBody).where(StateBody.code == code)).first()
    if body is None:
        raise DomainError(SCOPE_NOT_FOUND, f"no state body with code {code!r}")
    return body


def stored_audits(session: Session, body: StateBody) -> Sequence[StoredAudit]:
    return session.scalars(
        select(StoredAudit).where(StoredAudit.state_body_id == body.id).order_by(StoredAudit.id.desc())
    ).all()


def previous_year(today: date) -> int:
    return (today.replace(month=1, day=1) - timedelta(days=1)).year
