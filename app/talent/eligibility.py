"""Which candidates a route outside competition allows to be appointed to a vacancy (``app.rules.routes``).

The facts the route rules read come from here: a candidate's diplomas and reserve memberships, a post's
locality and region. The appointments domain checks one candidate's routes with them; the talent search
filters its results by a route with ``eligible_candidates``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import StateBody
from app.candidates.models import Candidate
from app.rules.policy import SelectionPolicy
from app.rules.routes import Diploma, Post, Reserve, route_eligibility
from app.talent.models import ReserveMembership
from app.vacancies.models import Vacancy


def post_of(session: Session, vacancy: Vacancy) -> Post:
    """The post's facts the route rules read: its locality type and its body's region."""
    body = session.get(StateBody, vacancy.state_body_id)
    assert body is not None
    return Post(locality_type=vacancy.locality_type, region=body.region)


def route_facts(session: Session, candidate: Candidate) -> tuple[list[Diploma], list[Reserve]]:
    """A candidate's facts the route rules read: diplomas (from the personal file) and reserve memberships."""
    diplomas = [
        Diploma(
            e.institution,
            e.diploma_on,
            grant_funded=e.grant_funded,
            gpa=e.gpa,
            gpa_scale=e.gpa_scale,
            academy=e.academy,
            best_graduate=e.best_graduate,
        )
        for e in candidate.education
    ]
    reserves = [
        Reserve(r.kind, r.since, r.until, r.region)
        for r in session.scalars(select(ReserveMembership).where(ReserveMembership.candidate_id == candidate.id)).all()
    ]
    return diplomas, reserves


def eligible_candidates(
    session: Session, *, candidate_ids: Sequence[int], vacancy: Vacancy, route: str, on: date, policy: SelectionPolicy
) -> set[int]:
    """Those of ``candidate_ids`` whom ``route`` allows to be appointed to ``vacancy`` on ``on`` (the talent filter)."""
    post = post_of(session, vacancy)
    eligible = set()
    for candidate in session.scalars(select(Candidate).where(Candidate.id.in_(list(candidate_ids)))).all():
        diplomas, reserves = route_facts(session, candidate)
        if route_eligibility(route, diplomas=diplomas, reserves=reserves, post=post, on=on, policy=policy).eligible:
            eligible.add(candidate.id)
    return eligible
