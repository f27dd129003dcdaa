"""Matching over HTTP: the talent search for HR and the recommended vacancies for a candidate.

``GET`` and ``POST /api/v1/talent/search`` take the same fields (query parameters or a JSON
body). A vacancy that states no qualification requirements is searched on its text alone,
and the answer says so (``basis: vacancy_text_only`` and a note).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.auth.deps import CandidateAccount, require_roles
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.bounds import MAX_COUNT, Id
from app.candidates.service import candidate_of_account
from app.deps import SessionDep, SettingsDep, TodayDep
from app.talent import service
from app.talent.schemas import (
    EducationLevel,
    Language,
    RecommendationsOut,
    ReserveFilter,
    RouteFilter,
    TalentSearchIn,
    TalentSearchOut,
)

router = APIRouter(prefix="/api/v1/talent", tags=["talent"])
"""The talent pool ranked for a vacancy or a text (the pool's invitations and reserves: ``app.talent.router``)."""
recommendations_router = APIRouter(prefix="/api/v1/candidates", tags=["talent"])

HRorAdmin = Annotated[Account, Depends(require_roles(HR_OFFICER, ADMINISTRATOR))]


def _search_query(
    vacancy_id: Id | None = None,
    text: str | None = None,
    regions: Annotated[list[str] | None, Query()] = None,
    min_education_level: EducationLevel | None = None,
    min_experience_months: Annotated[int, Query(ge=0, le=MAX_COUNT)] = 0,
    max_experience_months: Annotated[int | None, Query(ge=0, le=MAX_COUNT)] = None,
    functional_area: str | None = None,
    reserve: ReserveFilter | None = None,
    languages: Annotated[list[Language] | None, Query()] = None,
    route: RouteFilter | None = None,
    include_failing: bool = False,
    page: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 20,
) -> TalentSearchIn:
    try:
        return TalentSearchIn(
            vacancy_id=vacancy_id,
            text=text,
            regions=regions or [],
            min_education_level=min_education_level,
            min_experience_months=min_experience_months,
            max_experience_months=max_experience_months,
            functional_area=functional_area,
            reserve=reserve,
            route=route,
            languages=languages or [],
            include_failing=include_failing,
            page=page,
            page_size=page_size,
        )
    except ValidationError as exc:
        # The same 422 validation_error problem a JSON body gets.
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None


def _run_search(
    data: TalentSearchIn, account: Account, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> TalentSearchOut:
    with session.begin():
        return service.search(session=session, data=data, actor=account, settings=settings, on=today)


@router.get("/search")
def search_get(
    data: Annotated[TalentSearchIn, Depends(_search_query)],
    account: HRorAdmin,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
) -> TalentSearchOut:
    """The talent pool ranked for a vacancy or a text, filtered, paginated and explained."""
    return _run_search(data, account, session, settings, today)


@router.post("/search")
def search_post(
    data: TalentSearchIn, account: HRorAdmin, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> TalentSearchOut:
    """The same search with a JSON body."""
    return _run_search(data, account, session, settings, today)


@recommendations_router.get("/me/recommended-vacancies")
def recommended_vacancies(
    account: CandidateAccount,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    page: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 20,
) -> RecommendationsOut:
    """Published vacancies ranked for the signed-in candidate, each explained (failing requirements shown)."""
    with session.begin():
        candidate = candidate_of_account(session, account)
        return service.recommended_vacancies(
            session=session, candidate=candidate, page=page, page_size=page_size, settings=settings, on=today
        )
