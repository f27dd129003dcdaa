"""Vacancies over HTTP: the public list of published ones, and the HR officer's drafts, publication, closing."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth.deps import CurrentAccount, get_current_account
from app.auth.models import Account
from app.bounds import Id
from app.deps import PolicyDep, SessionDep, SettingsDep, TodayDep
from app.selection import vacancies as vacancy_competition
from app.vacancies import service
from app.vacancies.schemas import PublishIn, VacancyCreate, VacancyOut

router = APIRouter(prefix="/api/v1/vacancies", tags=["vacancies"])


def get_optional_account(request: Request, session: SessionDep, settings: SettingsDep) -> Account | None:
    """The signed-in account when a bearer token is sent, else ``None`` (public pages); a bad token is 401."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return get_current_account(token if scheme.lower() == "bearer" else None, session, settings)


OptionalAccount = Annotated[Account | None, Depends(get_optional_account)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_vacancy(
    data: VacancyCreate, account: CurrentAccount, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> VacancyOut:
    """A draft vacancy of the HR officer's own state body (HR officers only)."""
    with session.begin():
        vacancy = service.create(session=session, data=data, actor=account)
        return vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )


@router.get("")
def list_vacancies(
    account: OptionalAccount,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    status: Literal["draft", "published", "closed"] | None = Query(default=None),
) -> list[VacancyOut]:
    """Published vacancies for everybody; an HR officer also sees every vacancy of their body (with the stale flag)."""
    with session.begin():
        return [
            vacancy_competition.to_out(
                session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
            )
            for vacancy in service.list_vacancies(session=session, actor=account, status=status)
        ]


@router.get("/{vacancy_id}")
def read_vacancy(
    vacancy_id: Id, account: OptionalAccount, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> VacancyOut:
    with session.begin():
        vacancy = service.get(session=session, vacancy_id=vacancy_id, actor=account)
        return vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )


@router.post("/{vacancy_id}/publish")
def publish_vacancy(
    vacancy_id: Id,
    account: CurrentAccount,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
    today: TodayDep,
    data: PublishIn | None = None,
) -> VacancyOut:
    """Publish a draft: its competition opens with the policy in force today and the stage plan of its category."""
    with session.begin():
        vacancy = vacancy_competition.publish(
            session=session,
            vacancy_id=vacancy_id,
            actor=account,
            policy=policy,
            today=today,
            window_working_days=settings.application_window_working_days,
            applications_close_on=None if data is None else data.applications_close_on,
        )
        return vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )


@router.post("/{vacancy_id}/close")
def close_vacancy(
    vacancy_id: Id, account: CurrentAccount, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> VacancyOut:
    """Close the vacancy; its competition stops taking applications."""
    with session.begin():
        vacancy = vacancy_competition.close(session=session, vacancy_id=vacancy_id, actor=account)
        return vacancy_competition.to_out(
            session, vacancy, today=today, stale_working_days=settings.vacancy_stale_working_days
        )
