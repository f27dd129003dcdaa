"""Vacancies: drafted by the HR service of a state body, published (which opens the competition), closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.alerts import campaigns as alerts
from app.audit.events import audit
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.auth.permissions import can, ensure_can
from app.clock import KAZAKHSTAN
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.rules.calendar import working_days_between
from app.rules.categories import is_managerial, parse_category
from app.rules.policy import SelectionPolicy
from app.rules.qualification import QualificationRequirements
from app.vacancies.errors import VACANCY_CLOSED, VACANCY_NOT_DRAFT
from app.vacancies.models import CLOSED, DRAFT, PUBLISHED, Vacancy
from app.vacancies.schemas import (
    RequirementsIn,
    VacancyCreate,
    VacancyOut,
    requirements_from_json,
    requirements_to_json,
)


def _requirements(data: RequirementsIn, functional_area: str) -> QualificationRequirements:
    area = data.functional_area or (functional_area if data.min_functional_area_months else None)
    return QualificationRequirements(
        education_levels=frozenset(data.education_levels),
        min_education_level=data.min_education_level,
        education_fields=frozenset(name.strip() for name in data.education_fields if name.strip()),
        min_experience_months=data.min_experience_months,
        functional_area=area,
        min_functional_area_months=data.min_functional_area_months,
    )


def _snapshot(vacancy: Vacancy) -> dict[str, Any]:
    return {
        "status": vacancy.status,
        "category": vacancy.category,
        "managerial": vacancy.managerial,
        "functional_area": vacancy.functional_area,
        "locality_type": vacancy.locality_type,
        "title_kk": vacancy.title_kk,
        "title_ru": vacancy.title_ru,
        "requirements": vacancy.requirements,
    }


def create(*, session: Session, data: VacancyCreate, actor: Account) -> Vacancy:
    """A draft vacancy of the HR officer's own state body; the category is validated by the core."""
    ensure_can(actor, "vacancy.create")
    assert actor.state_body_id is not None  # an HR officer always has one (a database check)
    category = parse_category(data.category)
    requirements = _requirements(data.requirements, data.functional_area)
    now = utcnow()
    vacancy = Vacancy(
        state_body_id=actor.state_body_id,
        category=category.code,
        managerial=is_managerial(category, data.managerial),
        functional_area=data.functional_area.strip(),
        locality_type=data.locality_type,
        title_kk=data.title_kk,
        title_ru=data.title_ru,
        duties_kk=data.duties_kk,
        duties_ru=data.duties_ru,
        requirements=requirements_to_json(requirements),
        status=DRAFT,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(vacancy)
    session.flush()
    audit(
        session,
        actor=actor,
        action="vacancy.created",
        entity_type="vacancy",
        entity_id=vacancy.id,
        after=_snapshot(vacancy),
    )
    return vacancy


def get(*, session: Session, vacancy_id: int, actor: Account | None) -> Vacancy:
    """A published or closed vacancy for everybody; a draft for the HR of its body and administrators."""
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or (vacancy.status == DRAFT and (actor is None or not _can_read_draft(actor, vacancy))):
        raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id}")
    return vacancy


def _can_read_draft(actor: Account, vacancy: Vacancy) -> bool:
    return can(actor, "vacancy.read_draft", vacancy)


def list_vacancies(*, session: Session, actor: Account | None, status: str | None = None) -> Sequence[Vacancy]:
    """Published vacancies for everybody; an HR officer also sees every vacancy of their own body."""
    query = select(Vacancy).order_by(Vacancy.id.desc())
    if actor is not None and actor.role == ADMINISTRATOR:
        pass
    elif actor is not None and actor.role == HR_OFFICER:
        query = query.where(or_(Vacancy.status == PUBLISHED, Vacancy.state_body_id == actor.state_body_id))
    else:
        query = query.where(Vacancy.status == PUBLISHED)
    if status is not None:
        query = query.where(Vacancy.status == status)
    return session.scalars(query).all()


def _managed(session: Session, vacancy_id: int, actor: Account) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id}")
    ensure_can(actor, "vacancy.manage", vacancy)
    return vacancy


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
    vacancy = _managed(session, vacancy_id, actor)
    if vacancy.status != DRAFT:
        raise DomainError(VACANCY_NOT_DRAFT, f"the vacancy is {vacancy.status}; only a draft can be published")
    before = _snapshot(vacancy)
    vacancy.status = PUBLISHED
    vacancy.published_at = vacancy.updated_at = utcnow()
    session.flush()
    competitions.open_competition(
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
        after=_snapshot(vacancy),
    )
    alerts.vacancy_published(session=session, vacancy=vacancy)  # drafts an alert campaign (issue 7)
    return vacancy


def close(*, session: Session, vacancy_id: int, actor: Account) -> Vacancy:
    """Close a vacancy: a draft is withdrawn, a published one stops taking applications."""
    vacancy = _managed(session, vacancy_id, actor)
    if vacancy.status == CLOSED:
        raise DomainError(VACANCY_CLOSED, "the vacancy is already closed")
    before = _snapshot(vacancy)
    vacancy.status = CLOSED
    vacancy.closed_at = vacancy.updated_at = utcnow()
    competition = session.scalars(select(Competition).where(Competition.vacancy_id == vacancy.id)).first()
    if competition is not None:
        competitions.close_applications(session=session, competition=competition, actor=actor)
    audit(
        session,
        actor=actor,
        action="vacancy.closed",
        entity_type="vacancy",
        entity_id=vacancy.id,
        before=before,
        after=_snapshot(vacancy),
    )
    return vacancy


def is_stale(vacancy: Vacancy, *, today: date, stale_working_days: int) -> bool:
    """A draft left unpublished for more than ``stale_working_days`` working days (bodies must not delay)."""
    if vacancy.status != DRAFT:
        return False
    created_on = vacancy.created_at.astimezone(KAZAKHSTAN).date()
    return working_days_between(created_on, today) > stale_working_days


def to_out(session: Session, vacancy: Vacancy, *, today: date, stale_working_days: int) -> VacancyOut:
    competition = session.scalars(select(Competition).where(Competition.vacancy_id == vacancy.id)).first()
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
        stale_unpublished=is_stale(vacancy, today=today, stale_working_days=stale_working_days),
        locality_type=vacancy.locality_type,
    )
