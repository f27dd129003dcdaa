"""Applications: apply (with the automatic qualification check and an anonymous code), HR decision, results.

The qualification check uses the personal file on the day of application: diplomas obtained
by then (an education record with an end date on or before it), work experience and
experience per functional area counted to that day. What the final tie-break needs
(experience months, highest education level) is kept on the application.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.errors import (
    ALREADY_APPLIED,
    APPLICATION_ALREADY_DECIDED,
    APPLICATION_NOT_CONFIRMED,
    COMPETITION_CLOSED,
    CONSENT_REQUIRED,
    IDEMPOTENCY_KEY_REUSED,
    INVALID_STAGE_RESULTS,
)
from app.applications.models import CONFIRMED, REJECTED, SUBMITTED, Application, RecordedStageResult
from app.applications.schemas import (
    AnonymousApplicationOut,
    ApplicationOut,
    CandidateContactOut,
    RequirementResultOut,
    StageResultsIn,
    StageResultsOut,
)
from app.applications.texts import explain
from app.audit.events import audit
from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.permissions import ensure_can
from app.candidates.models import REQUIRED_CONSENTS, Candidate
from app.candidates.qualification import diplomas_on, qualification_of
from app.candidates.service import candidate_of_account, consents_of, experience_months
from app.competitions import service as competitions
from app.competitions.access import application_access
from app.competitions.models import Competition
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.jobs.queue import JobQueue
from app.notifications.service import notify
from app.rules.calendar import working_day_deadline
from app.rules.qualification import highest_level
from app.rules.replay import ReplayInputError, parse_replay_input
from app.vacancies.models import Vacancy

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand stays unambiguous."""
CODE_PREFIX = "IR-"
CODE_LENGTH = 8


def new_anonymous_code() -> str:
    """A random personal anonymous number (дербес сәйкестендіру нөмірі), e.g. ``IR-7KQ2M9XD``."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _unique_code(session: Session) -> str:
    while True:
        code = new_anonymous_code()
        if session.scalar(select(Application.id).where(Application.anonymous_code == code)) is None:
            return code


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# --- apply ---------------------------------------------------------------------------------------------


def apply(
    *,
    session: Session,
    queue: JobQueue,
    competition_id: int,
    actor: Account,
    today: date,
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """Apply the signed-in candidate to a competition; ``(application, created)``.

    A retry with the same ``Idempotency-Key`` returns the first application (``created`` false).
    Closed competition: 409 ``competition_closed``; second application: 409 ``already_applied``.
    """
    candidate = candidate_of_account(session, actor)
    if idempotency_key is not None:
        earlier = session.scalars(
            select(Application).where(
                Application.candidate_id == candidate.id, Application.idempotency_key == idempotency_key
            )
        ).first()
        if earlier is not None:
            if earlier.competition_id != competition_id:
                raise DomainError(IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key was used for another competition")
            return earlier, False
    competition = competitions.get_competition(session=session, competition_id=competition_id)
    if not competitions.accepts_applications(competition, today):
        raise DomainError(COMPETITION_CLOSED, "this competition does not accept applications")
    if (
        session.scalar(
            select(Application.id).where(
                Application.competition_id == competition.id, Application.candidate_id == candidate.id
            )
        )
        is not None
    ):
        raise DomainError(ALREADY_APPLIED, "you have already applied to this competition")
    consents = consents_of(candidate)
    missing = [kind for kind in REQUIRED_CONSENTS if not consents[kind]]
    if missing:
        raise DomainError(CONSENT_REQUIRED, f"consents needed first: {', '.join(missing)}")
    vacancy = session.get(Vacancy, competition.vacancy_id)
    assert vacancy is not None
    check = qualification_of(candidate, vacancy, today)
    policy = competitions.policy_of(competition)
    application = Application(
        competition_id=competition.id,
        candidate_id=candidate.id,
        anonymous_code=_unique_code(session),
        status=SUBMITTED,
        idempotency_key=idempotency_key,
        applied_at=utcnow(),
        applied_on=today,
        hr_confirmation_due=working_day_deadline(today, policy.hr_confirmation_working_days),
        qualified=check.qualified,
        qualification=[
            {
                "requirement": r.requirement,
                "met": r.met,
                "required": _json(r.required),
                "actual": _json(r.actual),
                "reason": r.reason,
            }
            for r in check.results
        ],
        experience_months=experience_months(candidate, today),
        education_level=highest_level(level for level, _field in diplomas_on(candidate, today)),
    )
    try:
        with session.begin_nested():
            session.add(application)
    except IntegrityError:
        # A concurrent retry won the race (PostgreSQL; SQLite serialises writers at BEGIN).
        raced = session.scalars(
            select(Application).where(
                Application.competition_id == competition.id, Application.candidate_id == candidate.id
            )
        ).first()
        if raced is not None and idempotency_key is not None and raced.idempotency_key == idempotency_key:
            return raced, False
        raise DomainError(ALREADY_APPLIED, "you have already applied to this competition") from None
    audit(
        session,
        actor=actor,
        action="application.submitted",
        entity_type="application",
        entity_id=application.id,
        after={
            "competition_id": competition.id,
            "anonymous_code": application.anonymous_code,
            "qualified": check.qualified,
            "unmet": list(check.unmet),
            "hr_confirmation_due": application.hr_confirmation_due.isoformat(),
        },
    )
    _notify_decision(session=session, queue=queue, application=application, event="application_received")
    return application, True


# --- reading ------------------------------------------------------------------------------------------


def get_application(*, session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise DomainError(NOT_FOUND, f"no application {application_id}")
    return application


def _access(session: Session, application: Application) -> Any:
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    candidate = session.get(Candidate, application.candidate_id)
    assert candidate is not None
    return application_access(
        session, competition, application_id=application.id, candidate_account_id=candidate.account_id
    )


def readable_application(*, session: Session, application_id: int, actor: Account) -> Application:
    """The application when ``actor`` is its candidate or the HR of the competition's body."""
    application = get_application(session=session, application_id=application_id)
    ensure_can(actor, "application.read", _access(session, application))
    return application


def own_applications(*, session: Session, actor: Account) -> Sequence[Application]:
    candidate = candidate_of_account(session, actor)
    return session.scalars(
        select(Application)
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.applied_at.desc(), Application.id.desc())
    ).all()


def competition_applications(*, session: Session, competition: Competition) -> Sequence[Application]:
    return session.scalars(
        select(Application)
        .where(Application.competition_id == competition.id)
        .order_by(Application.applied_at, Application.id)
    ).all()


def stage_results_out(row: RecordedStageResult | None) -> StageResultsOut | None:
    if row is None:
        return None
    pq = None
    if row.personal_qualities_percent is not None:
        pq = {"percent": float(row.personal_qualities_percent), "reliable": row.personal_qualities_reliable}
    reasoning = None
    if row.reasoning_text is not None and row.reasoning_numeric is not None:
        reasoning = {"text": row.reasoning_text, "numeric": row.reasoning_numeric}
    return StageResultsOut(
        legislation=row.legislation,
        legislation_certificate_valid=row.legislation_certificate_valid,
        personal_qualities=pq,
        reasoning=reasoning,
        violations=list(row.violations),
        updated_at=row.updated_at,
    )


def to_out(session: Session, application: Application, *, today: date, personal: bool) -> ApplicationOut:
    """The full view; ``personal`` adds the candidate's name and contacts (the HR of the body)."""
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    contact = None
    if personal:
        candidate = session.get(Candidate, application.candidate_id)
        assert candidate is not None
        contact = CandidateContactOut(
            candidate_id=candidate.id,
            surname=candidate.surname,
            given_name=candidate.given_name,
            patronymic=candidate.patronymic,
            birth_date=candidate.birth_date,
            email=candidate.account.email,
            phone=candidate.phone,
        )
    return ApplicationOut(
        id=application.id,
        competition_id=application.competition_id,
        vacancy_id=competition.vacancy_id,
        anonymous_code=application.anonymous_code,
        status=application.status,
        applied_at=application.applied_at,
        applied_on=application.applied_on,
        hr_confirmation_due=application.hr_confirmation_due,
        hr_confirmation_overdue=application.status == SUBMITTED and today > application.hr_confirmation_due,
        qualified=application.qualified,
        qualification=[
            RequirementResultOut(**item, explanation=explain(item["reason"], item["required"], item["actual"]))
            for item in application.qualification
        ],
        experience_months=application.experience_months,
        education_level=application.education_level,
        decided_at=application.decided_at,
        rejection_reason=application.rejection_reason,
        candidate=contact,
        stage_results=stage_results_out(session.get(RecordedStageResult, application.id)),
    )


def to_anonymous_out(
    session: Session, application: Application, competition: Competition, names: dict[str, str]
) -> AnonymousApplicationOut:
    """The commission's and proctors' view: the code and stage data; a name only once results are published."""
    return AnonymousApplicationOut(
        id=application.id,
        competition_id=application.competition_id,
        anonymous_code=application.anonymous_code,
        status=application.status,
        stage_results=stage_results_out(session.get(RecordedStageResult, application.id)),
        full_name=names.get(application.anonymous_code),
    )


# --- the HR decision -------------------------------------------------------------------------------------


def _decidable(session: Session, application_id: int, actor: Account) -> Application:
    application = get_application(session=session, application_id=application_id)
    ensure_can(actor, "application.decide", _access(session, application))
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    competitions.ensure_results_not_published(competition)
    if application.status != SUBMITTED:
        raise DomainError(APPLICATION_ALREADY_DECIDED, f"the application is already {application.status}")
    return application


def confirm(*, session: Session, queue: JobQueue, application_id: int, actor: Account) -> Application:
    """The HR service confirms the file meets the requirements: the candidate goes on to the stages."""
    application = _decidable(session, application_id, actor)
    application.status, application.decided_at, application.decided_by = CONFIRMED, utcnow(), actor.id
    audit(
        session,
        actor=actor,
        action="application.confirmed",
        entity_type="application",
        entity_id=application.id,
        before={"status": SUBMITTED},
        after={"status": CONFIRMED},
        qualified_by_check=application.qualified,
    )
    _notify_decision(session=session, queue=queue, application=application, event="qualification_confirmed")
    return application


def reject(*, session: Session, queue: JobQueue, application_id: int, actor: Account, reason: str) -> Application:
    """The HR service rejects the application, saying why (the candidate reads the reason)."""
    application = _decidable(session, application_id, actor)
    application.status, application.decided_at, application.decided_by = REJECTED, utcnow(), actor.id
    application.rejection_reason = reason
    audit(
        session,
        actor=actor,
        action="application.rejected",
        entity_type="application",
        entity_id=application.id,
        before={"status": SUBMITTED},
        after={"status": REJECTED, "reason": reason},
        qualified_by_check=application.qualified,
    )
    _notify_decision(
        session=session, queue=queue, application=application, event="qualification_rejected", reason=reason
    )
    return application


# --- recorded stage results ---------------------------------------------------------------------------

_RESULT_FIELDS = ("legislation", "legislation_certificate_valid", "personal_qualities", "reasoning", "violations")


def _stored_results(row: RecordedStageResult | None) -> dict[str, Any]:
    if row is None:
        return {}
    stored: dict[str, Any] = {}
    if row.legislation is not None:
        stored["legislation"] = dict(row.legislation)
    if row.legislation_certificate_valid:
        stored["legislation_certificate_valid"] = True
    if row.personal_qualities_percent is not None:
        stored["personal_qualities"] = {
            "percent": float(row.personal_qualities_percent),
            "reliable": row.personal_qualities_reliable,
        }
    if row.reasoning_text is not None:
        stored["reasoning"] = {"text": row.reasoning_text, "numeric": row.reasoning_numeric}
    if row.violations:
        stored["violations"] = list(row.violations)
    return stored


def validate_stage_results(competition: Competition, results: dict[str, Any]) -> None:
    """Check recorded results with the replay format's own models and the competition's policy ranges.

    Raises 422 ``invalid_stage_results`` listing every problem as ``field: message``.
    """
    document = competitions.replay_document_for_results(competition, results)
    try:
        parse_replay_input(document)
    except ReplayInputError as exc:
        prefix = "candidates[0]."
        errors = [line.removeprefix(prefix) for line in exc.problems]
        raise DomainError(INVALID_STAGE_RESULTS, "; ".join(errors), errors=errors) from None


def record_stage_results(
    *, session: Session, application_id: int, actor: Account, data: StageResultsIn
) -> RecordedStageResult:
    """Record (merge) results for a confirmed application: what the request names replaces what is stored."""
    application = get_application(session=session, application_id=application_id)
    competition = competitions.get_competition(session=session, competition_id=application.competition_id)
    ensure_can(actor, "competition.record_results", _access(session, application))
    competitions.ensure_results_not_published(competition)
    if application.status != CONFIRMED:
        raise DomainError(APPLICATION_NOT_CONFIRMED, "results are recorded for confirmed applications only")
    row = session.get(RecordedStageResult, application.id)
    before = _stored_results(row)
    merged = dict(before)
    for name in data.model_fields_set & set(_RESULT_FIELDS):
        value = getattr(data, name)
        if value is None or (name == "legislation_certificate_valid" and value is False):
            merged.pop(name, None)
        else:
            merged[name] = value
    validate_stage_results(competition, merged)
    if row is None:
        row = RecordedStageResult(application_id=application.id, recorded_by=actor.id, violations=[])
        session.add(row)
    pq, reasoning = merged.get("personal_qualities"), merged.get("reasoning")
    row.legislation = merged.get("legislation")
    row.legislation_certificate_valid = bool(merged.get("legislation_certificate_valid", False))
    # repr of the validated float: the shortest text that reads back as the same number.
    row.personal_qualities_percent = None if pq is None else repr(float(pq["percent"]))
    row.personal_qualities_reliable = None if pq is None else pq["reliable"]
    row.reasoning_text = None if reasoning is None else reasoning["text"]
    row.reasoning_numeric = None if reasoning is None else reasoning["numeric"]
    row.violations = sorted(set(merged.get("violations", [])))
    row.recorded_by, row.updated_at = actor.id, utcnow()
    session.flush()
    audit(
        session,
        actor=actor,
        action="stage_results.recorded",
        entity_type="application",
        entity_id=application.id,
        before=before,
        after=_stored_results(row),
    )
    return row


# --- notifications ------------------------------------------------------------------------------------


def _bilingual_title(vacancy: Vacancy) -> dict[str, str]:
    return {"kk": vacancy.title_kk, "ru": vacancy.title_ru}


def _notify_decision(*, session: Session, queue: JobQueue, application: Application, event: str, **extra: Any) -> None:
    """Tell the people concerned of a decision on ``application`` (in-app and e-mail, kk/ru).

    ``application_received`` goes to the candidate and, as ``application_for_review``, to the
    HR officers of the body; ``qualification_confirmed`` / ``qualification_rejected`` to the
    candidate.
    """
    competition = session.get(Competition, application.competition_id)
    candidate = session.get(Candidate, application.candidate_id)
    assert competition is not None and candidate is not None
    vacancy = session.get(Vacancy, competition.vacancy_id)
    assert vacancy is not None
    title = _bilingual_title(vacancy)
    context: dict[str, Any] = {"anonymous_code": application.anonymous_code, "vacancy_title": title}
    if event == "application_received":
        body = session.get(StateBody, competition.state_body_id)
        assert body is not None
        context["state_body_name"] = {"kk": body.name_kk, "ru": body.name_ru}
        for officer in hr_officers(session=session, state_body_id=competition.state_body_id):
            notify(
                session=session,
                queue=queue,
                account_id=officer.id,
                to_address=officer.email,
                event="application_for_review",
                context={
                    "anonymous_code": application.anonymous_code,
                    "vacancy_title": title,
                    "review_deadline": application.hr_confirmation_due.isoformat(),
                },
                locale=officer.locale,
                dedupe_key=f"application:{application.id}:for_review:{officer.id}",
            )
    elif event == "qualification_confirmed":
        context["next_stage"] = competition.stage_plan[0]
    elif event == "qualification_rejected":
        context["reason"] = extra["reason"]
    account = candidate.account
    notify(
        session=session,
        queue=queue,
        account_id=account.id,
        to_address=account.email,
        event=event,
        context=context,
        locale=account.locale,
        dedupe_key=f"application:{application.id}:{event}",
    )


def hr_officers(*, session: Session, state_body_id: int) -> Sequence[Account]:
    return session.scalars(
        select(Account)
        .where(Account.role == HR_OFFICER, Account.state_body_id == state_body_id, Account.is_active.is_(True))
        .order_by(Account.id)
    ).all()
