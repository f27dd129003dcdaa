"""Request and response bodies of the vacancy endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import SaneDate, SingleLine
from app.rules.qualification import QualificationRequirements

LocalityType = Literal["district", "rural", "city", "republican"]
EducationLevel = Literal["secondary", "technical_vocational", "bachelor", "master", "doctorate"]


class RequirementsIn(BaseModel):
    """Qualification requirements; what is left empty or zero is not required."""

    model_config = ConfigDict(extra="forbid")

    education_levels: list[EducationLevel] = Field(default_factory=list, description="allowed levels (any of)")
    min_education_level: EducationLevel | None = Field(default=None, description="this level or higher")
    education_fields: list[str] = Field(default_factory=list, description="fields of study (any of)")
    min_experience_months: int = Field(default=0, ge=0, le=1200)
    functional_area: str | None = Field(
        default=None, max_length=80, description="defaults to the vacancy's functional area"
    )
    min_functional_area_months: int = Field(default=0, ge=0, le=1200)


class VacancyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=16, description='position category, e.g. "C-1"')
    managerial: bool | None = Field(default=None, description="absent: the category's default")
    functional_area: str = Field(min_length=1, max_length=80)
    locality_type: LocalityType | None = Field(
        default=None, description="district, rural, city or republican: the routes outside competition read it"
    )
    title_kk: SingleLine = Field(min_length=1, max_length=300)
    title_ru: SingleLine = Field(min_length=1, max_length=300)
    duties_kk: str = Field(min_length=1, max_length=20000)
    duties_ru: str = Field(min_length=1, max_length=20000)
    requirements: RequirementsIn = Field(default_factory=RequirementsIn)


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applications_close_on: SaneDate | None = Field(
        default=None, description="last day of applications; default: the setting's working days on"
    )


class VacancyOut(BaseModel):
    id: int
    state_body_id: int
    category: str
    managerial: bool
    functional_area: str
    title_kk: str
    title_ru: str
    duties_kk: str
    duties_ru: str
    requirements: dict[str, Any]
    status: str
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    competition_id: int | None
    applications_close_on: date | None
    stale_unpublished: bool = Field(description="a draft older than the setting's working days")
    locality_type: str | None = None


def requirements_to_json(requirements: QualificationRequirements) -> dict[str, Any]:
    """The stored form: lists sorted so equal requirements store equally."""
    return {
        "education_levels": sorted(requirements.education_levels),
        "min_education_level": requirements.min_education_level,
        "education_fields": sorted(requirements.education_fields),
        "min_experience_months": requirements.min_experience_months,
        "functional_area": requirements.functional_area,
        "min_functional_area_months": requirements.min_functional_area_months,
    }


def requirements_from_json(stored: dict[str, Any]) -> QualificationRequirements:
    return QualificationRequirements(
        education_levels=frozenset(stored.get("education_levels", ())),
        min_education_level=stored.get("min_education_level"),
        education_fields=frozenset(stored.get("education_fields", ())),
        min_experience_months=stored.get("min_experience_months", 0),
        functional_area=stored.get("functional_area"),
        min_functional_area_months=stored.get("min_functional_area_months", 0),
    )
