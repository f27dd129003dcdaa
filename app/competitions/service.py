"""Competitions: opened with a vacancy, staffed with a commission, closed to applications.

Functions other domains use (essays, practical tasks, interviews):

- ``get_competition(session=..., competition_id=...)`` and ``competition_access(...)`` (in
  ``app.competitions.access``) with ``app.auth.permissions.ensure_can``;
- ``policy_of(competition)``: the SelectionPolicy snapshot the competition keeps.

What reads the competition's applications (members' scores, the core's view, progress, the publication
of the results) is ``app.selection``, above ``app.applications``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.events import audit
from app.auth.models import COMMISSION_MEMBER, Account
from app.auth.permissions import ensure_can
from app.competitions.access import competition_access
from app.competitions.errors import (
    ALREADY_ON_COMMISSION,
    CHAIR_TAKEN,
    INVALID_APPLICATION_WINDOW,
    NO_ESSAY_STAGE,
    NOT_A_COMMISSION_MEMBER_ACCOUNT,
    RESULTS_ALREADY_PUBLISHED,
)
from app.competitions.models import (
    CHAIR,
    CLOSED,
    OPEN,
    RESULTS_PUBLISHED,
    CommissionMember,
    Competition,
)
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.rules.calendar import nth_working_day_after, working_day_deadline
from app.rules.categories import stage_plan
from app.rules.policy import EDUCATION_LEVELS, SelectionPolicy, policy_fields, policy_from_overrides
from app.vacancies.models import Vacancy

NO_DIPLOMA_LEVEL = EDUCATION_LEVELS[0]
"""A file without any diploma ranks as the lowest level in the final tie-break."""


# --- opening and closing -------------------------------------------------------------------------


def open_competition(
    *,
    session: Session,
    vacancy: Vacancy,
    actor: Account,
    policy: SelectionPolicy,
    today: date,
    window_working_days: int,
    applications_close_on: date | None = None,
) -> Competition:
    """The vacancy's competition: stage plan, policy snapshot and calendar, open for applications from today."""
    close_on = applications_close_on or nth_working_day_after(today, window_working_days)
    if close_on < today:
        raise DomainError(
            INVALID_APPLICATION_WINDOW, f"applications cannot close ({close_on}) before they open ({today})"
        )
    competition = Competition(
        vacancy_id=vacancy.id,
        state_body_id=vacancy.state_body_id,
        category=vacancy.category,
        managerial=vacancy.managerial,
        stage_plan=list(stage_plan(vacancy.category, vacancy.managerial)),
        policy=policy_fields(policy),
        status=OPEN,
        published_on=today,
        applications_close_on=close_on,
        documents_review_due=working_day_deadline(close_on, policy.documents_review_working_days),
    )
    session.add(competition)
    session.flush()
    audit(
        session,
        actor=actor,
        action="competition.opened",
        entity_type="competition",
        entity_id=competition.id,
        after={
            "vacancy_id": vacancy.id,
            "status": OPEN,
            "stage_plan": competition.stage_plan,
            "applications_close_on": close_on.isoformat(),
            "policy": competition.policy,
        },
    )
    return competition


def close_applications(*, session: Session, competition: Competition, actor: Account) -> None:
    """No more applications; the stages go on."""
    if competition.status != OPEN:
        return
    competition.status = CLOSED
    audit(
        session,
        actor=actor,
        action="competition.applications_closed",
        entity_type="competition",
        entity_id=competition.id,
        before={"status": OPEN},
        after={"status": CLOSED},
    )


def get_competition(*, session: Session, competition_id: int) -> Competition:
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise DomainError(NOT_FOUND, f"no competition {competition_id}")
    return competition


def managed_competition(
    *, session: Session, competition_id: int, actor: Account, action: str = "competition.manage"
) -> Competition:
    """The competition when ``actor`` may do ``action`` on it (404 or 403 otherwise)."""
    competition = get_competition(session=session, competition_id=competition_id)
    ensure_can(actor, action, competition_access(session, competition))
    return competition


def policy_of(competition: Competition) -> SelectionPolicy:
    """The policy the competition was opened under (its snapshot), whatever the deployment runs now."""
    return policy_from_overrides(competition.policy)


def accepts_applications(competition: Competition, today: date) -> bool:
    return competition.status == OPEN and competition.published_on <= today <= competition.applications_close_on


def ensure_results_not_published(competition: Competition) -> None:
    if competition.status == RESULTS_PUBLISHED:
        raise DomainError(
            RESULTS_ALREADY_PUBLISHED, "the results of this competition are published; nothing can change now"
        )


# --- commission and essay topic ---------------------------------------------------------------------


def commission_seats(*, session: Session, competition: Competition) -> Sequence[tuple[CommissionMember, Account]]:
    rows = session.execute(
        select(CommissionMember, Account)
        .join(Account, Account.id == CommissionMember.account_id)
        .where(CommissionMember.competition_id == competition.id)
        .order_by(CommissionMember.id)
    ).all()
    return [(seat, account) for seat, account in rows]


def add_commission_member(
    *, session: Session, competition: Competition, account_id: int, role: str, actor: Account
) -> CommissionMember:
    """Seat an account of the commission-member role; one chair per commission."""
    ensure_results_not_published(competition)
    account = session.get(Account, account_id)
    if account is None or account.role != COMMISSION_MEMBER or not account.is_active:
        raise DomainError(
            NOT_A_COMMISSION_MEMBER_ACCOUNT, f"account {account_id} is not an active commission-member account"
        )
    seats = session.scalars(select(CommissionMember).where(CommissionMember.competition_id == competition.id)).all()
    if any(seat.account_id == account_id for seat in seats):
        raise DomainError(ALREADY_ON_COMMISSION, f"account {account_id} already sits on this commission")
    if role == CHAIR and any(seat.role == CHAIR for seat in seats):
        raise DomainError(CHAIR_TAKEN, "the commission already has a chair")
    seat = CommissionMember(
        competition_id=competition.id, account_id=account_id, role=role, added_by=actor.id, added_at=utcnow()
    )
    session.add(seat)
    session.flush()
    audit(
        session,
        actor=actor,
        action="commission.member_added",
        entity_type="competition",
        entity_id=competition.id,
        after={"account_id": account_id, "role": role},
    )
    return seat


def remove_commission_member(*, session: Session, competition: Competition, account_id: int, actor: Account) -> None:
    ensure_results_not_published(competition)
    seat = session.scalars(
        select(CommissionMember).where(
            CommissionMember.competition_id == competition.id, CommissionMember.account_id == account_id
        )
    ).first()
    if seat is None:
        raise DomainError(NOT_FOUND, f"account {account_id} does not sit on this commission")
    session.delete(seat)
    audit(
        session,
        actor=actor,
        action="commission.member_removed",
        entity_type="competition",
        entity_id=competition.id,
        before={"account_id": account_id, "role": seat.role},
    )


def set_essay_topic(*, session: Session, competition: Competition, kk: str, ru: str, actor: Account) -> None:
    if not competition.managerial:
        raise DomainError(NO_ESSAY_STAGE, "a non-managerial competition has a practical assessment, not an essay")
    ensure_results_not_published(competition)
    before = {"kk": competition.essay_topic_kk, "ru": competition.essay_topic_ru}
    competition.essay_topic_kk, competition.essay_topic_ru = kk, ru
    audit(
        session,
        actor=actor,
        action="competition.essay_topic_set",
        entity_type="competition",
        entity_id=competition.id,
        before=before,
        after={"kk": kk, "ru": ru},
    )


def policy_overrides(competition: Competition) -> dict[str, Any]:
    """The competition's policy snapshot as overrides of the defaults (the replay document's ``policy``)."""
    defaults = policy_fields()
    return {name: value for name, value in competition.policy.items() if defaults.get(name) != value}


def replay_document_for_results(competition: Competition, results: Mapping[str, Any]) -> dict[str, Any]:
    """A one-candidate replay document holding ``results``, to check them with the replay's own models."""
    candidate = {"ref": "recorded", "experience_months": 0, "education_level": NO_DIPLOMA_LEVEL, **results}
    return {
        "policy": policy_overrides(competition),
        "competition": {"category": competition.category, "managerial": competition.managerial},
        "candidates": [candidate],
    }
