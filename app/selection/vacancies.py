"""A vacancy in its competition: publishing a vacancy opens its competition (one per vacancy) and drafts its
alert campaign, closing it stops the competition's applications, and a vacancy's view names its competition.

It sits above ``app.vacancies`` (the post and its drafts), ``app.competitions`` (a competition reads its vacancy)
and ``app.alerts`` (a campaign reads vacancies), none of which imports it back.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts import campaigns as alerts
from app.audit.events import audit
from app.auth.models import Account
from app.competitions.models import Competition
from app.competitions.service import close_applications, open_competition
from app.db import utcnow
from app.errors import DomainError
from app.rules.policy import SelectionPolicy
from app.vacancies import service as vacancies
from app.vacancies.errors import VACANCY_CLOSED, VACANCY_NOT_DRAFT
from app.vacancies.models import CLOSED, DRAFT, PUBLISHED, Vacancy
from app.vacancies.schemas import VacancyOut, requirements_from_json, requirements_to_json


def publish(
    *,
    session: Session,
    vacancy_id: int,
    actor: Account,
    policy: SelectionPolicy,
    today: date,
    window_working_days: int,
    applications_close_on: date | None = None,
) -> Vacancy:
    """Publish a draft and open its competition (one per vacancy) under the policy in force today."""
    vacancy = vacancies.managed(session, vacancy_id, actor)
    if vacancy.status != DRAFT:
        raise DomainError(VACANCY_NOT_DRAFT, f"the vacancy is {vacancy.status}; only a draft can be published")
    before = vacancies.snapshot(vacancy)
    vacancy.status = PUBLISHED
    vacancy.published_at = vacancy.updated_at = utcnow()
    session.flush()
    open_competition(
        session=session,
        vacancy=vacancy,
        actor=actor,
        policy=policy,
        today=today,
        window_working_days=window_working_days,
        applications_close_on=applications_close_on,
    )
    audit(
        session,
        actor=actor,
        action="vacancy.published",
        entity_type="vacancy",
        entity_id=vacancy.id,
        before=before,
        after=vacancies.snapshot(vacancy),
    )
    alerts.vacancy_published(session=session, vacancy=vacancy)  # drafts an alert campaign (issue 7)
    return vacancy


def close(*, session: Session, vacancy_id: int, actor: Account) -> Vacancy:
    """Close a vacancy: a draft is withdrawn, a published one stops taking applications."""
    vacancy = vacancies.managed(session, vacancy_id, actor)
    if vacancy.status == CLOSED:
        raise DomainError(VACANCY_CLOSED, "the vacancy is already closed")
    before = vacancies.snapshot(vacancy)
    vacancy.status = CLOSED
    vacancy.closed_at = vacancy.updated_at = utcnow()
    competition = session.scalars(select(Competition).where(Competition.vacancy_id == vacancy.id)).first()
    if competition is not None:
        close_applications(session=session, competition=competition, actor=actor)
    audit(
        session,
        actor=actor,
        action="vacancy.closed",
        entity_type="vacancy",
        entity_id=vacancy.id,
        before=before,
        after=vacancies.snapshot(vacancy),
    )
    return vacancy


def to_out(session: Session, vacancy: Vacancy, *, today: date, stale_working_days: int) -> VacancyOut:
    """The vacancy as the API and the pages show it, with its competition (if one is open) and the stale flag."""
    competition = session.scalars(select(Competition).where(Competition.vacancy_id == vacancy.id)).first()
    stale = vacancies.is_stale(vacancy, today=today, stale_working_days=stale_working_days)
    return vacancy_out(vacancy, competition, stale_unpublished=stale)


def vacancy_out(vacancy: Vacancy, competition: Competition | None, *, stale_unpublished: bool) -> VacancyOut:
    """``to_out`` with the competition already read (the listings read every vacancy's in one query)."""
    return VacancyOut(
        id=vacancy.id,
        state_body_id=vacancy.state_body_id,
        category=vacancy.category,
        managerial=vacancy.managerial,
        functional_area=vacancy.functional_area,
        title_kk=vacancy.title_kk,
        title_ru=vacancy.title_ru,
        duties_kk=vacancy.duties_kk,
        duties_ru=vacancy.duties_ru,
        requirements=requirements_to_json(requirements_from_json(vacancy.requirements)),
        status=vacancy.status,
        created_at=vacancy.created_at,
        published_at=vacancy.published_at,
        closed_at=vacancy.closed_at,
        competition_id=None if competition is None else competition.id,
        applications_close_on=None if competition is None else competition.applications_close_on,
        stale_unpublished=stale_unpublished,
        locality_type=vacancy.locality_type,
    )
