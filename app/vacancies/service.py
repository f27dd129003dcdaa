"""Vacancies: drafted by the HR service of a state body, published (which opens the competition), closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.audit.events import audit
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.auth.permissions import can, ensure_can
from app.clock import KAZAKHSTAN
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.rules.calendar import working_days_between
from app.rules.categories import is_managerial, parse_category
from app.rules.qualification import QualificationRequirements
from app.vacancies.models import DRAFT, PUBLISHED, Vacancy
from app.vacancies.schemas import (
    RequirementsIn,
    VacancyCreate,
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


def snapshot(vacancy: Vacancy) -> dict[str, Any]:
    """The vacancy's fields an audit event records before and after a change."""
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
        after=snapshot(vacancy),
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


def managed(session: Session, vacancy_id: int, actor: Account) -> Vacancy:
    """The vacancy ``actor`` may manage (``vacancy.manage``); 404 when there is none."""
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id}")
    ensure_can(actor, "vacancy.manage", vacancy)
    return vacancy


def is_stale(vacancy: Vacancy, *, today: date, stale_working_days: int) -> bool:
    """A draft left unpublished for more than ``stale_working_days`` working days (bodies must not delay)."""
    if vacancy.status != DRAFT:
        return False
    created_on = vacancy.created_at.astimezone(KAZAKHSTAN).date()
    return working_days_between(created_on, today) > stale_working_days
