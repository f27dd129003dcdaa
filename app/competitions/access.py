"""The facts the object permissions need about a competition or an application, loaded once per request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Account
from app.competitions.models import RESULTS_PUBLISHED, VOTING_ROLES, CommissionMember, Competition


@dataclass(frozen=True)
class CompetitionAccess:
    """Who a competition belongs to and who sits on its commission (``app.auth.permissions`` reads it)."""

    competition_id: int
    state_body_id: int
    member_account_ids: frozenset[int]
    voting_member_account_ids: frozenset[int]
    results_published: bool


@dataclass(frozen=True)
class ApplicationAccess(CompetitionAccess):
    """A competition's facts plus the account of the candidate who applied."""

    application_id: int
    candidate_account_id: int


def competition_access(session: Session, competition: Competition) -> CompetitionAccess:
    seats = session.execute(
        select(CommissionMember.account_id, CommissionMember.role).where(
            CommissionMember.competition_id == competition.id
        )
    ).all()
    return CompetitionAccess(
        competition_id=competition.id,
        state_body_id=competition.state_body_id,
        member_account_ids=frozenset(account_id for account_id, _role in seats),
        voting_member_account_ids=frozenset(account_id for account_id, role in seats if role in VOTING_ROLES),
        results_published=competition.status == RESULTS_PUBLISHED,
    )


def application_access(
    session: Session, competition: Competition, *, application_id: int, candidate_account_id: int
) -> ApplicationAccess:
    base = competition_access(session, competition)
    return ApplicationAccess(
        competition_id=base.competition_id,
        state_body_id=base.state_body_id,
        member_account_ids=base.member_account_ids,
        voting_member_account_ids=base.voting_member_account_ids,
        results_published=base.results_published,
        application_id=application_id,
        candidate_account_id=candidate_account_id,
    )


@dataclass(frozen=True)
class RecordAccess:
    """An object an HR officer recorded (a reserve membership): it belongs to the recorder's state body.

    ``state_body_id`` is ``None`` when an administrator (or an account since removed) recorded it;
    then only administrators act on it.
    """

    state_body_id: int | None
    created_by: int | None


def record_access(session: Session, *, created_by: int | None) -> RecordAccess:
    body = None if created_by is None else session.scalar(select(Account.state_body_id).where(Account.id == created_by))
    return RecordAccess(state_body_id=body, created_by=created_by)
