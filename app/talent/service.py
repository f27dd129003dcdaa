"""The talent pool (таланттар қоры): who is in it, HR search over it, invitations, reserves, recommendations.

Who is in the pool: registered candidates who gave the ``talent_pool`` consent (past
competitors among them are marked so), and members of the regional and presidential youth
personnel reserves, whose reserve is the legal basis. HR sees name and contacts only of those
who consented; a reserve member without the consent is listed with qualifications only, and
HR can still invite them (the invitation reaches them through the service). Nobody outside
the pool ever appears. The matcher ranks and explains; a requirement failed is shown or
counted, never a reason to drop someone silently.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.service import record
from app.auth.models import ADMINISTRATOR, Account, StateBody
from app.auth.permissions import can, ensure_can
from app.candidates.models import TALENT_POOL, Candidate, Consent
from app.candidates.service import anonymous_view, experience_months
from app.competitions.access import record_access
from app.db import utcnow
from app.errors import NOT_FOUND, VALIDATION_ERROR, DomainError
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.matching.errors import CONTRADICTORY_FILTERS, SEARCH_TEXT_EMPTY, SEARCH_TEXT_TOO_LONG
from app.matching.service import (
    CandidateFilters,
    MatchPage,
    match_candidates_for_vacancy,
    match_vacancies_for_candidate,
    search_candidates_by_text,
)
from app.notifications.service import notify
from app.rules.policy import policy_from_overrides
from app.settings import Settings
from app.talent.eligibility import eligible_candidates
from app.talent.errors import ALREADY_INVITED
from app.talent.models import PRESIDENTIAL_YOUTH, REGIONAL, ReserveMembership, TalentInvitation
from app.talent.regions import known_region
from app.talent.schemas import (
    InvitationIn,
    PersonalDataOut,
    RecommendationsOut,
    RecommendedVacancyOut,
    ReserveIn,
    ReserveOut,
    TalentResultOut,
    TalentSearchIn,
    TalentSearchOut,
)
from app.vacancies import service as vacancies
from app.vacancies.errors import VACANCY_NOT_PUBLISHED
from app.vacancies.models import PUBLISHED, Vacancy
from app.vacancies.schemas import requirements_from_json

SOURCE_CONSENT = "talent_pool_consent"
SOURCE_PAST_COMPETITOR = "past_competitor"
RESERVE_SOURCES = {REGIONAL: "regional_reserve", PRESIDENTIAL_YOUTH: "presidential_youth_reserve"}


@dataclass
class PoolEntry:
    """Why one candidate is in the pool."""

    candidate_id: int
    consented: bool = False
    past_competitor: bool = False
    reserves: list[ReserveMembership] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        found = [SOURCE_CONSENT] if self.consented else []
        if self.past_competitor:
            found.append(SOURCE_PAST_COMPETITOR)
        found.extend(sorted({RESERVE_SOURCES[m.kind] for m in self.reserves}))
        return found


def active_reserves(
    session: Session, *, on: date, candidate_ids: Collection[int] | None = None
) -> list[ReserveMembership]:
    query = select(ReserveMembership).where(
        ReserveMembership.since <= on, (ReserveMembership.until.is_(None)) | (ReserveMembership.until >= on)
    )
    if candidate_ids is not None:
        query = query.where(ReserveMembership.candidate_id.in_(list(candidate_ids)))
    return list(session.scalars(query.order_by(ReserveMembership.id)))


def talent_pool(session: Session, *, on: date) -> dict[int, PoolEntry]:
    """Every candidate in the pool on ``on`` and why (consent, past competition, reserve)."""
    pool: dict[int, PoolEntry] = {}
    consenting = select(Consent.candidate_id).where(Consent.kind == TALENT_POOL, Consent.granted.is_(True))
    for candidate_id in session.scalars(consenting).all():
        pool[candidate_id] = PoolEntry(candidate_id, consented=True)
    if pool:
        # the consenting candidates as a subquery: a list of thousands of ids as parameters is slow to bind
        competed = session.scalars(
            select(Application.candidate_id).distinct().where(Application.candidate_id.in_(consenting))
        ).all()
        for candidate_id in competed:
            pool[candidate_id].past_competitor = True
    for membership in active_reserves(session, on=on):
        pool.setdefault(membership.candidate_id, PoolEntry(membership.candidate_id)).reserves.append(membership)
    return pool


# --- search ------------------------------------------------------------------------------------


def _contradictions(data: TalentSearchIn) -> tuple[list[str], list[str]]:
    """(the filters that cannot hold together or name nothing, the regions in the catalogue's spelling)."""
    problems: list[str] = []
    if data.max_experience_months is not None and data.max_experience_months < data.min_experience_months:
        problems.append(
            f"max_experience_months {data.max_experience_months} is below min_experience_months "
            f"{data.min_experience_months}"
        )
    regions: list[str] = []
    for name in data.regions:
        canonical = known_region(name)
        if canonical is None:
            problems.append(f"unknown region {name!r}")
        else:
            regions.append(canonical)
    if data.functional_area is not None and not data.functional_area.strip():
        problems.append("functional_area is empty")
    return problems, regions


def _has_requirements(vacancy: Vacancy) -> bool:
    requirements = requirements_from_json(vacancy.requirements)
    return bool(
        requirements.states_education_level
        or requirements.education_fields
        or requirements.min_experience_months
        or requirements.min_functional_area_months
    )


def reserve_out(membership: ReserveMembership) -> ReserveOut:
    return ReserveOut(
        id=membership.id,
        candidate_id=membership.candidate_id,
        kind=membership.kind,
        region=membership.region,
        since=membership.since,
        until=membership.until,
        source=membership.source,
        created_by=membership.created_by,
        created_at=membership.created_at,
    )


def search(*, session: Session, data: TalentSearchIn, actor: Account, settings: Settings, on: date) -> TalentSearchOut:
    """One page of the pool ranked for a vacancy or a text, explained; 422 problems for bad input."""
    text = data.text.strip() if data.text is not None else None
    if data.vacancy_id is None and not text:
        raise DomainError(SEARCH_TEXT_EMPTY, "give a vacancy_id or a search text")
    if text is not None and len(text) > settings.matching_max_query_chars:
        raise DomainError(
            SEARCH_TEXT_TOO_LONG,
            f"the search text has {len(text)} characters; at most {settings.matching_max_query_chars} are allowed",
            max_chars=settings.matching_max_query_chars,
        )
    problems, regions = _contradictions(data)
    if problems:
        raise DomainError(CONTRADICTORY_FILTERS, "; ".join(problems), errors=problems)
    vacancy = (
        None if data.vacancy_id is None else vacancies.get(session=session, vacancy_id=data.vacancy_id, actor=actor)
    )

    pool = talent_pool(session, on=on)
    pool_size = len(pool)
    if data.reserve is not None:
        pool = {
            cid: entry
            for cid, entry in pool.items()
            if entry.reserves and (data.reserve == "any" or any(m.kind == data.reserve for m in entry.reserves))
        }
    if data.route is not None:
        if vacancy is None:
            raise DomainError(
                CONTRADICTORY_FILTERS,
                "a route filter needs a vacancy_id: the post decides who is eligible",
                errors=["route needs vacancy_id"],
            )
        eligible = eligible_candidates(
            session,
            candidate_ids=list(pool),
            vacancy=vacancy,
            route=data.route,
            on=on,
            policy=policy_from_overrides(settings.policy_overrides),
        )
        pool = {cid: entry for cid, entry in pool.items() if cid in eligible}
    if data.max_experience_months is not None and pool:
        people = session.scalars(select(Candidate).where(Candidate.id.in_(list(pool)))).all()
        pool = {c.id: pool[c.id] for c in people if experience_months(c, on) <= data.max_experience_months}
    filters = CandidateFilters(
        candidate_ids=set(pool),
        regions=regions,
        min_education_level=data.min_education_level,
        min_experience_months=data.min_experience_months,
        functional_area=data.functional_area.strip() if data.functional_area else None,
        languages=list(data.languages),
    )
    notes: list[str] = []
    if vacancy is not None:
        basis = "vacancy" if _has_requirements(vacancy) else "vacancy_text_only"
        if basis == "vacancy_text_only":
            notes.append(
                "the vacancy states no qualification requirements: the pool is ranked on the vacancy's "
                "text alone and nobody is marked as failing"
            )
        page = match_candidates_for_vacancy(
            session,
            vacancy,
            filters=filters,
            page=data.page,
            page_size=data.page_size,
            include_failing=data.include_failing,
            on=on,
            settings=settings,
        )
    else:
        basis = "text"
        assert text is not None
        if data.include_failing:
            notes.append("a free-text search has no requirements to fail; include_failing changes nothing")
        page = search_candidates_by_text(
            session, text, filters=filters, page=data.page, page_size=data.page_size, settings=settings
        )
    invited: set[int] = set()
    if vacancy is not None:
        invited = set(
            session.scalars(
                select(TalentInvitation.candidate_id).where(TalentInvitation.vacancy_id == vacancy.id)
            ).all()
        )
    return TalentSearchOut(
        items=_results(session, page, pool, invited, on=on),
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        include_failing=data.include_failing,
        excluded_failing=page.excluded_failing,
        basis=basis,
        notes=notes,
        pool_size=pool_size,
        model=page.model,
        weights=page.weights,
    )


def _results(
    session: Session, page: MatchPage, pool: dict[int, PoolEntry], invited: set[int], *, on: date
) -> list[TalentResultOut]:
    ids = [item.candidate_id for item in page.items if item.candidate_id is not None]
    people = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    results: list[TalentResultOut] = []
    for item in page.items:
        if item.candidate_id is None or item.candidate_id not in pool:
            continue  # the matcher was given the pool; this keeps a stray id from ever showing a person
        entry, person = pool[item.candidate_id], people[item.candidate_id]
        personal = (
            PersonalDataOut(
                surname=person.surname,
                given_name=person.given_name,
                patronymic=person.patronymic,
                email=person.account.email,
                phone=person.phone,
            )
            if entry.consented
            else None
        )
        results.append(
            TalentResultOut(
                candidate_id=person.id,
                sources=entry.sources,
                reserves=[reserve_out(m) for m in entry.reserves],
                personal_data=personal,
                personal_data_withheld=None if entry.consented else "no_talent_pool_consent",
                region=person.region,
                profile=anonymous_view(person, on=on).model_dump(mode="json"),
                match=item.as_dict(),
                invited=person.id in invited,
            )
        )
    return results


# --- invitations -------------------------------------------------------------------------------


def _vacancy_context(session: Session, vacancy: Vacancy, settings: Settings) -> dict[str, Any]:
    body = session.get(StateBody, vacancy.state_body_id)
    assert body is not None
    return {
        "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
        "state_body_name": {"kk": body.name_kk, "ru": body.name_ru},
        "vacancy_url": f"{settings.public_base_url.rstrip('/')}/api/v1/vacancies/{vacancy.id}",
    }


def invite(
    *, session: Session, queue: JobQueue, data: InvitationIn, actor: Account, settings: Settings, on: date
) -> TalentInvitation:
    """Invite a pool member to apply for a published vacancy of the officer's body: recorded, audited, notified."""
    vacancy = session.get(Vacancy, data.vacancy_id)
    if vacancy is None or not can(actor, "vacancy.manage", vacancy):
        raise DomainError(NOT_FOUND, f"no vacancy {data.vacancy_id} of your state body")
    if vacancy.status != PUBLISHED:
        raise DomainError(
            VACANCY_NOT_PUBLISHED, f"the vacancy is {vacancy.status}; invitations are for published vacancies"
        )
    pool = talent_pool(session, on=on)
    candidate = session.get(Candidate, data.candidate_id)
    # Someone outside the pool answers exactly like nobody: HR learns nothing of people who did not agree.
    if candidate is None or candidate.id not in pool:
        raise DomainError(NOT_FOUND, f"no candidate {data.candidate_id} in the talent pool")
    message = data.message.strip() if data.message and data.message.strip() else None
    invitation = TalentInvitation(
        candidate_id=candidate.id, vacancy_id=vacancy.id, invited_by=actor.id, message=message, created_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(invitation)
    except IntegrityError:
        raise DomainError(ALREADY_INVITED, "this candidate is already invited to this vacancy") from None
    notification = notify(
        session=session,
        queue=queue,
        account_id=candidate.account_id,
        to_address=candidate.account.email,
        event="talent_invitation",
        context={**_vacancy_context(session, vacancy, settings), "message": message or ""},
        locale=candidate.account.locale,
        dedupe_key=f"talent.invitation:{invitation.id}",
    )
    invitation.notification_id = notification.id
    record(
        session,
        action="talent.invitation_created",
        entity_type="talent_invitation",
        entity_id=str(invitation.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={
            "after": {
                "candidate_id": candidate.id,
                "vacancy_id": vacancy.id,
                "sources": pool[candidate.id].sources,
                "message": message is not None,
            },
            "notification_id": notification.id,
            "request_id": current_request_id(),
        },
    )
    return invitation


def invitations_for_vacancy(*, session: Session, vacancy_id: int, actor: Account) -> list[TalentInvitation]:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or not can(actor, "vacancy.manage", vacancy):
        raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id} of your state body")
    return list(
        session.scalars(
            select(TalentInvitation).where(TalentInvitation.vacancy_id == vacancy_id).order_by(TalentInvitation.id)
        )
    )


# --- reserves ----------------------------------------------------------------------------------


def add_reserve_membership(*, session: Session, data: ReserveIn, actor: Account) -> ReserveMembership:
    """Record a reserve membership (administrator or HR officer), audited; a regional one names its region."""
    if session.get(Candidate, data.candidate_id) is None:
        raise DomainError(NOT_FOUND, f"no candidate {data.candidate_id}")
    region = None
    if data.region is not None:
        region = known_region(data.region)
        if region is None:
            raise DomainError(
                CONTRADICTORY_FILTERS, f"unknown region {data.region!r}", errors=[f"unknown region {data.region!r}"]
            )
    if data.kind == REGIONAL and region is None:
        raise DomainError(VALIDATION_ERROR, "a regional reserve membership names its region")
    membership = ReserveMembership(
        candidate_id=data.candidate_id,
        kind=data.kind,
        region=region,
        since=data.since,
        until=data.until,
        source=data.source.strip(),
        created_by=actor.id,
        created_at=utcnow(),
    )
    session.add(membership)
    session.flush()
    record(
        session,
        action="talent.reserve_added",
        entity_type="reserve_membership",
        entity_id=str(membership.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"after": reserve_out(membership).model_dump(mode="json"), "request_id": current_request_id()},
    )
    return membership


def list_reserve_memberships(*, session: Session, actor: Account, candidate_id: int | None = None) -> list[ReserveOut]:
    """Reserve memberships: an administrator's are all; an HR officer's those their own body recorded."""
    query = select(ReserveMembership).order_by(ReserveMembership.id)
    if actor.role != ADMINISTRATOR:
        query = query.where(
            ReserveMembership.created_by.in_(select(Account.id).where(Account.state_body_id == actor.state_body_id))
        )
    if candidate_id is not None:
        query = query.where(ReserveMembership.candidate_id == candidate_id)
    return [reserve_out(m) for m in session.scalars(query)]


def remove_reserve_membership(*, session: Session, membership_id: int, actor: Account) -> None:
    membership = session.get(ReserveMembership, membership_id)
    if membership is None:
        raise DomainError(NOT_FOUND, f"no reserve membership {membership_id}")
    # Only the body that recorded it (its HR officers) or an administrator takes a membership away.
    ensure_can(actor, "reserve.remove", record_access(session, created_by=membership.created_by))
    before = reserve_out(membership).model_dump(mode="json")
    session.delete(membership)
    record(
        session,
        action="talent.reserve_removed",
        entity_type="reserve_membership",
        entity_id=str(membership_id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"before": before, "request_id": current_request_id()},
    )


# --- recommendations for the candidate ---------------------------------------------------------


def recommended_vacancies(
    *, session: Session, candidate: Candidate, page: int, page_size: int, settings: Settings, on: date
) -> RecommendationsOut:
    """Published vacancies ranked for the candidate, each with the matcher's explanation (failing ones shown)."""
    ranked = match_vacancies_for_candidate(
        session, candidate, page=page, page_size=page_size, include_failing=True, on=on, settings=settings
    )
    ids = [item.vacancy_id for item in ranked.items if item.vacancy_id is not None]
    found = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))}
    bodies = {
        b.id: b
        for b in session.scalars(select(StateBody).where(StateBody.id.in_({v.state_body_id for v in found.values()})))
    }
    items = []
    for item in ranked.items:
        vacancy = found.get(item.vacancy_id or -1)
        if vacancy is None:
            continue
        body = bodies[vacancy.state_body_id]
        items.append(
            RecommendedVacancyOut(
                vacancy_id=vacancy.id,
                title_kk=vacancy.title_kk,
                title_ru=vacancy.title_ru,
                state_body_name_kk=body.name_kk,
                state_body_name_ru=body.name_ru,
                region=body.region,
                category=vacancy.category,
                functional_area=vacancy.functional_area,
                match=item.as_dict(),
            )
        )
    return RecommendationsOut(
        items=items,
        total=ranked.total,
        page=ranked.page,
        page_size=ranked.page_size,
        model=ranked.model,
        weights=ranked.weights,
    )
