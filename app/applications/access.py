"""Who may act on a candidate through their applications (``app.auth.permissions`` reads the facts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.competitions.models import Competition


@dataclass(frozen=True)
class CandidateAccess:
    """A candidate seen by staff: the state bodies whose competitions they applied to.

    An HR officer acts on a candidate (accommodations, their medical reason) only through an
    application to a competition of the officer's own body (``app.auth.permissions``:
    ``candidate.accommodate``).
    """

    candidate_id: int
    account_id: int
    applied_state_body_ids: frozenset[int]


def candidate_access(session: Session, *, candidate_id: int, account_id: int) -> CandidateAccess:
    bodies = session.scalars(
        select(Competition.state_body_id)
        .distinct()
        .join(Application, Application.competition_id == Competition.id)
        .where(Application.candidate_id == candidate_id)
    ).all()
    return CandidateAccess(candidate_id=candidate_id, account_id=account_id, applied_state_body_ids=frozenset(bodies))
