"""The selection as the rules core sees it, read from a competition's applications: the commission members'
scores, the core's input and the replay document, the progress so far, the publication of the results and
the names of the ranked.

Functions other domains use (essays, practical tasks, interviews, the protocol, research):

- ``record_member_score(...)``: store a commission member's score (or an ML suggestion);
- ``counting_member_scores(session=..., application_ids=...)``: the scores that count, per
  application and stage — members' only, never ``ml_suggestion``;
- ``competition_input(...)`` / ``replay_document(...)`` / ``progress(...)``: the core's view.

It sits above ``app.competitions`` and ``app.applications``, which never import it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.applications.errors import APPLICATION_NOT_CONFIRMED
from app.applications.models import CONFIRMED, SUBMITTED, Application, RecordedStageResult
from app.audit.events import audit
from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account, StateBody
from app.candidates.models import Candidate
from app.competitions.access import competition_access
from app.competitions.errors import (
    ALREADY_SCORED,
    APPLICATIONS_PENDING,
    NOT_ON_COMMISSION,
    STAGE_NOT_IN_PLAN,
)
from app.competitions.models import (
    RESULTS_PUBLISHED,
    SCORE_MEMBER,
    SCORE_TYPES,
    SCORED_STAGES,
    Competition,
    MemberScore,
)
from app.competitions.service import (
    NO_DIPLOMA_LEVEL,
    accepts_applications,
    ensure_results_not_published,
    get_competition,
    policy_of,
    policy_overrides,
)
from app.db import utcnow
from app.errors import VALIDATION_ERROR, DomainError
from app.jobs.queue import JobQueue
from app.notifications.service import notify
from app.rules.competition import (
    CandidateRecord,
    CompetitionInput,
    PersonalQualitiesRecord,
    ReasoningRecord,
    outcome_to_json,
    run_competition,
)
from app.rules.member_scores import aggregate_member_scores
from app.vacancies.models import Vacancy

# --- calendar -------------------------------------------------------------------------------------


def calendar_view(*, session: Session, competition: Competition, today: date) -> dict[str, Any]:
    """Dates and overdue flags as of ``today`` (passed in: the rules never read the clock)."""
    # Counted by the database (one row whatever the number of applications: the HR dashboard reads it).
    awaiting, overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Application.hr_confirmation_due < today, 1), else_=0)), 0))
        .select_from(Application)
        .where(Application.competition_id == competition.id, Application.status == SUBMITTED)
    ).one()
    return {
        "published_on": competition.published_on,
        "applications_close_on": competition.applications_close_on,
        "documents_review_due": competition.documents_review_due,
        "results_published_on": competition.results_published_on,
        "today": today,
        "applications_open": accepts_applications(competition, today),
        "documents_review_overdue": bool(awaiting) and today > competition.documents_review_due,
        "applications_awaiting_confirmation": int(awaiting),
        "applications_overdue": int(overdue),
    }


# --- member scores ---------------------------------------------------------------------------------


def record_member_score(
    *,
    session: Session,
    application: Application,
    stage: str,
    scorer: Account | None,
    score: int,
    comment: str | None = None,
    score_type: str = SCORE_MEMBER,
    replace: bool = False,
) -> MemberScore:
    """Store one score of ``application`` at ``stage`` (essay, practical or interview).

    A ``member`` score needs a voting member (chair or member) of the competition's commission
    (403 ``not_on_commission``); the score must be on the snapshot policy's scale (422
    ``invalid_member_scores``); a second score by the same scorer is 409 ``already_scored``
    unless ``replace``. An ``ml_suggestion`` is stored beside them and never counts.
    """
    competition = get_competition(session=session, competition_id=application.competition_id)
    ensure_results_not_published(competition)
    if stage not in SCORED_STAGES or stage not in competition.stage_plan:
        raise DomainError(STAGE_NOT_IN_PLAN, f"stage {stage!r} is not a scored stage of this competition")
    if score_type not in SCORE_TYPES:
        raise DomainError(VALIDATION_ERROR, f"unknown score type {score_type!r}")
    if application.status != CONFIRMED:
        raise DomainError(APPLICATION_NOT_CONFIRMED, "only a confirmed application is scored")
    if score_type == SCORE_MEMBER:
        access = competition_access(session, competition)
        if scorer is None or scorer.role != COMMISSION_MEMBER or scorer.id not in access.voting_member_account_ids:
            raise DomainError(NOT_ON_COMMISSION, "only a voting member of this competition's commission scores it")
    aggregate_member_scores([score], policy_of(competition))  # the core's scale check
    existing = session.scalars(
        select(MemberScore).where(
            MemberScore.application_id == application.id,
            MemberScore.stage == stage,
            MemberScore.score_type == score_type,
            MemberScore.scorer_account_id == (None if scorer is None else scorer.id),
        )
    ).first()
    before = None
    if existing is not None:
        if not replace:
            raise DomainError(ALREADY_SCORED, "this scorer has already scored this application at this stage")
        before = {"score": existing.score, "comment": existing.comment}
        existing.score, existing.comment, existing.created_at = score, comment, utcnow()
        row = existing
    else:
        row = MemberScore(
            application_id=application.id,
            stage=stage,
            scorer_account_id=None if scorer is None else scorer.id,
            score_type=score_type,
            score=score,
            comment=comment,
            created_at=utcnow(),
        )
        session.add(row)
    session.flush()
    audit(
        session,
        actor=scorer,
        action="member_score.recorded",
        entity_type="application",
        entity_id=application.id,
        before=before,
        after={"stage": stage, "score_type": score_type, "score": score, "comment": comment},
    )
    return row


def counting_member_scores(
    *, session: Session, application_ids: Iterable[int]
) -> dict[int, dict[str, tuple[int, ...]]]:
    """The scores that count, ``{application_id: {stage: (score, ...)}}`` in the order they were given.

    Members' scores only: an ``ml_suggestion`` never enters a total, a pass mark or a protocol.
    """
    ids = list(application_ids)
    found: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    if ids:
        rows = session.execute(
            select(MemberScore.application_id, MemberScore.stage, MemberScore.score)
            .where(MemberScore.application_id.in_(ids), MemberScore.score_type == SCORE_MEMBER)
            .order_by(MemberScore.id)
        ).all()
        for application_id, stage, score in rows:
            found[application_id][stage].append(score)
    return {app_id: {stage: tuple(scores) for stage, scores in stages.items()} for app_id, stages in found.items()}


# --- the core's view ------------------------------------------------------------------------------


def competing_applications(*, session: Session, competition: Competition) -> Sequence[Application]:
    """The confirmed applications, in the order they came: the candidates of the competition."""
    return session.scalars(
        select(Application)
        .where(Application.competition_id == competition.id, Application.status == CONFIRMED)
        .order_by(Application.applied_at, Application.id)
    ).all()


def _recorded(session: Session, applications: Sequence[Application]) -> dict[int, RecordedStageResult]:
    if not applications:
        return {}
    rows = session.scalars(
        select(RecordedStageResult).where(RecordedStageResult.application_id.in_([a.id for a in applications]))
    ).all()
    return {row.application_id: row for row in rows}


def candidate_record(
    application: Application, recorded: RecordedStageResult | None, scores: Mapping[str, tuple[int, ...]]
) -> CandidateRecord:
    """One candidate for the core, from the stored application, its recorded results and counting scores."""
    pq = None
    reasoning = None
    if (
        recorded is not None
        and recorded.personal_qualities_percent is not None
        and recorded.personal_qualities_reliable is not None
    ):
        pq = PersonalQualitiesRecord(
            percent=Fraction(recorded.personal_qualities_percent), reliable=recorded.personal_qualities_reliable
        )
    if recorded is not None and recorded.reasoning_text is not None and recorded.reasoning_numeric is not None:
        reasoning = ReasoningRecord(text=recorded.reasoning_text, numeric=recorded.reasoning_numeric)
    return CandidateRecord(
        ref=application.anonymous_code,
        experience_months=application.experience_months,
        education_level=application.education_level or NO_DIPLOMA_LEVEL,
        legislation=None if recorded is None or recorded.legislation is None else dict(recorded.legislation),
        legislation_certificate_valid=recorded is not None and recorded.legislation_certificate_valid,
        personal_qualities=pq,
        reasoning=reasoning,
        essay=scores.get("essay"),
        practical=scores.get("practical"),
        interview=scores.get("interview"),
        violations=frozenset(() if recorded is None else recorded.violations),
    )


def competition_input(
    *, session: Session, competition: Competition, results_published_on: date | None = None
) -> CompetitionInput:
    """The competition as the core sees it, built from the stored data (anonymous codes as refs)."""
    applications = competing_applications(session=session, competition=competition)
    recorded = _recorded(session, applications)
    scores = counting_member_scores(session=session, application_ids=[a.id for a in applications])
    return CompetitionInput(
        category=competition.category,
        managerial=competition.managerial,
        results_published_on=results_published_on,
        candidates=tuple(candidate_record(a, recorded.get(a.id), scores.get(a.id, {})) for a in applications),
    )


def _candidate_json(record: CandidateRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ref": record.ref,
        "experience_months": record.experience_months,
        "education_level": record.education_level,
    }
    if record.legislation is not None:
        item["legislation"] = dict(record.legislation)
    if record.legislation_certificate_valid:
        item["legislation_certificate_valid"] = True
    if record.personal_qualities is not None:
        percent = record.personal_qualities.percent
        item["personal_qualities"] = {
            "percent": int(percent)
            if percent.denominator == 1
            else float(Decimal(percent.numerator) / Decimal(percent.denominator)),
            "reliable": record.personal_qualities.reliable,
        }
    if record.reasoning is not None:
        item["reasoning"] = {"text": record.reasoning.text, "numeric": record.reasoning.numeric}
    for stage in SCORED_STAGES:
        scores = getattr(record, stage)
        if scores:
            item[stage] = list(scores)
    item["violations"] = sorted(record.violations)
    return item


def replay_document(
    *, session: Session, competition: Competition, results_published_on: date | None = None
) -> dict[str, Any]:
    """The replay-format JSON of the stored data: ``irikteu replay`` on it reproduces ``progress``."""
    data = competition_input(session=session, competition=competition, results_published_on=results_published_on)
    competition_json: dict[str, Any] = {"category": data.category, "managerial": data.managerial}
    if results_published_on is not None:
        competition_json["results_published_on"] = results_published_on.isoformat()
    return {
        "policy": policy_overrides(competition),
        "competition": competition_json,
        "candidates": [_candidate_json(record) for record in data.candidates],
    }


def progress(*, session: Session, competition: Competition) -> dict[str, Any]:
    """The outcome so far from the stored data, by ``run_competition`` under the snapshot policy."""
    if competition.status == RESULTS_PUBLISHED and competition.outcome is not None:
        outcome = competition.outcome
        count = len(competing_applications(session=session, competition=competition))
    else:
        data = competition_input(session=session, competition=competition)
        outcome = outcome_to_json(run_competition(data, policy_of(competition)))
        count = len(data.candidates)
    return {"competition_id": competition.id, "status": competition.status, "candidates": count, "outcome": outcome}


def publish_results(
    *, session: Session, queue: JobQueue, competition: Competition, actor: Account, today: date
) -> Competition:
    """Store the final outcome with ``results_published_on = today`` and mark the results published.

    Every application must be decided first (409 ``applications_pending``); applications close.
    """
    ensure_results_not_published(competition)
    pending = (
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.competition_id == competition.id, Application.status == SUBMITTED)
        )
        or 0
    )
    if pending:
        raise DomainError(APPLICATIONS_PENDING, f"{pending} application(s) still await the HR decision")
    data = competition_input(session=session, competition=competition, results_published_on=today)
    outcome = outcome_to_json(run_competition(data, policy_of(competition)))
    before = {"status": competition.status}
    competition.status = RESULTS_PUBLISHED
    competition.results_published_on = today
    competition.results_published_at = utcnow()
    competition.outcome = outcome
    session.flush()
    audit(
        session,
        actor=actor,
        action="competition.results_published",
        entity_type="competition",
        entity_id=competition.id,
        before=before,
        after={
            "status": RESULTS_PUBLISHED,
            "results_published_on": today.isoformat(),
            "winner": outcome["winner"],
            "top3": outcome["top3"],
        },
    )
    _notify_results_published(session=session, queue=queue, competition=competition, today=today)
    return competition


def _notify_results_published(*, session: Session, queue: JobQueue, competition: Competition, today: date) -> None:
    """Every confirmed candidate and the HR officers of the body learn that the results are out."""
    vacancy = session.get(Vacancy, competition.vacancy_id)
    body = session.get(StateBody, competition.state_body_id)
    assert vacancy is not None and body is not None
    context = {
        "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
        "state_body_name": {"kk": body.name_kk, "ru": body.name_ru},
        "published_on": today.isoformat(),
    }
    accounts = list(
        session.scalars(
            select(Account)
            .join(Candidate, Candidate.account_id == Account.id)
            .join(Application, Application.candidate_id == Candidate.id)
            .where(Application.competition_id == competition.id, Application.status == CONFIRMED)
            .order_by(Application.id)
        ).all()
    )
    accounts += session.scalars(
        select(Account)
        .where(
            Account.role == HR_OFFICER, Account.state_body_id == competition.state_body_id, Account.is_active.is_(True)
        )
        .order_by(Account.id)
    ).all()
    for account in accounts:
        notify(
            session=session,
            queue=queue,
            account_id=account.id,
            to_address=account.email,
            event="results_published",
            context=context,
            locale=account.locale,
            dedupe_key=f"competition:{competition.id}:results_published:{account.id}",
        )


def ranked_names(*, session: Session, competition: Competition) -> dict[str, str]:
    """Anonymous code -> full name of every ranked candidate; only once the results are published."""
    if competition.status != RESULTS_PUBLISHED or competition.outcome is None:
        return {}
    codes = [entry["ref"] for entry in competition.outcome.get("ranking", [])]
    if not codes:
        return {}
    rows = session.execute(
        select(Application.anonymous_code, Candidate)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.competition_id == competition.id, Application.anonymous_code.in_(codes))
    ).all()
    return {code: full_name(candidate) for code, candidate in rows}


def full_name(candidate: Candidate) -> str:
    return " ".join(part for part in (candidate.surname, candidate.given_name, candidate.patronymic) if part)
