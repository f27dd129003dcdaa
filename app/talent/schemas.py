"""Talent search, invitations and reserve memberships over HTTP: what comes in and what goes out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.bounds import MAX_COUNT, Id, SaneDate

EducationLevel = Literal["secondary", "technical_vocational", "bachelor", "master", "doctorate"]
ReserveFilter = Literal["any", "regional", "presidential_youth"]
RouteFilter = Literal["grant_graduate", "academy_graduate", "regional_reserve", "presidential_youth_reserve"]
Language = Literal["kk", "ru", "en"]


class TalentSearchIn(BaseModel):
    """Search the pool by a vacancy **or** by free text, with filters; one page of the ranked list."""

    vacancy_id: Id | None = Field(default=None, description="rank the pool for this vacancy")
    text: str | None = Field(default=None, description="free text (a role, skills, a field of study)")
    regions: list[str] = Field(default_factory=list, description="any of these regions")
    min_education_level: EducationLevel | None = None
    min_experience_months: int = Field(default=0, ge=0, le=MAX_COUNT)
    max_experience_months: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    functional_area: str | None = Field(default=None, max_length=80)
    reserve: ReserveFilter | None = Field(default=None, description="only members of a personnel reserve")
    route: RouteFilter | None = Field(
        default=None, description="only those eligible today for this route outside competition (needs vacancy_id)"
    )
    languages: list[Language] = Field(default_factory=list, description="all of these languages")
    include_failing: bool = Field(
        default=False, description="also list (marked) those who fail a requirement of the vacancy"
    )
    page: int = Field(default=1, ge=1, le=MAX_COUNT)
    page_size: int = Field(default=20, ge=1, le=50)

    @model_validator(mode="after")
    def _one_basis(self) -> TalentSearchIn:
        if self.vacancy_id is not None and self.text is not None:
            raise ValueError("search by vacancy_id or by text, not both")
        return self


class PersonalDataOut(BaseModel):
    surname: str
    given_name: str
    patronymic: str | None
    email: str
    phone: str


class ReserveOut(BaseModel):
    id: int
    candidate_id: int
    kind: str
    region: str | None
    since: date
    until: date | None
    source: str
    created_by: int | None
    created_at: datetime


class TalentResultOut(BaseModel):
    candidate_id: int
    sources: list[str] = Field(
        description="why the person is in the pool: talent_pool_consent, past_competitor, "
        "regional_reserve, presidential_youth_reserve"
    )
    reserves: list[ReserveOut]
    personal_data: PersonalDataOut | None
    personal_data_withheld: str | None = Field(
        description="'no_talent_pool_consent' when the person is in a reserve but did not consent to be shown"
    )
    region: str
    profile: dict[str, Any] = Field(description="qualifications without identity")
    match: dict[str, Any] = Field(
        description="the matcher's result: score, components, shares, requirements met or not, matched terms"
    )
    invited: bool = Field(description="already invited to the searched vacancy")


class TalentSearchOut(BaseModel):
    items: list[TalentResultOut]
    total: int
    page: int
    page_size: int
    include_failing: bool
    excluded_failing: int = Field(description="failing a requirement and left off this list (include_failing=false)")
    basis: Literal["vacancy", "vacancy_text_only", "text"]
    notes: list[str]
    pool_size: int
    model: dict[str, Any]
    weights: dict[str, float]


class InvitationIn(BaseModel):
    candidate_id: Id
    vacancy_id: Id
    message: str | None = Field(default=None, max_length=2000)


class InvitationOut(BaseModel):
    id: int
    candidate_id: int
    vacancy_id: int
    invited_by: int
    message: str | None
    score: float | None
    notification_id: int | None
    created_at: datetime


class ReserveIn(BaseModel):
    candidate_id: Id
    kind: Literal["regional", "presidential_youth"]
    region: str | None = Field(default=None, max_length=80)
    since: SaneDate
    until: SaneDate | None = None
    source: str = Field(min_length=1, max_length=300, description="the decree, order or list it comes from")

    @model_validator(mode="after")
    def _dates(self) -> ReserveIn:
        if self.until is not None and self.until < self.since:
            raise ValueError("until must not be before since")
        return self


class RecommendedVacancyOut(BaseModel):
    vacancy_id: int
    title_kk: str
    title_ru: str
    state_body_name_kk: str
    state_body_name_ru: str
    region: str
    category: str
    functional_area: str
    match: dict[str, Any]


class RecommendationsOut(BaseModel):
    items: list[RecommendedVacancyOut]
    total: int
    page: int
    page_size: int
    model: dict[str, Any]
    weights: dict[str, float]
