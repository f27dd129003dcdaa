"""Request and response bodies of the candidate endpoints."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, check_password
from app.auth.schemas import normalise_email
from app.bounds import SaneDate, SingleLine
from app.rules.policy import EDUCATION_LEVELS

LanguageCode = Literal["kk", "ru", "en"]
LanguageLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]
Locale = Literal["kk", "ru"]

REGISTRATION_ACCEPTED = (
    "the registration is accepted; a letter goes to the e-mail address of the account, new or existing"
)
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{6,30}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LanguageIn(Strict):
    language: LanguageCode
    level: LanguageLevel


class EducationIn(Strict):
    level: str = Field(description=f"one of {', '.join(EDUCATION_LEVELS)}")
    field: str = Field(min_length=1, max_length=200)
    institution: str = Field(min_length=1, max_length=300)
    start_date: SaneDate
    end_date: SaneDate | None = None
    diploma_on: SaneDate | None = Field(default=None, description="the day the diploma was issued")
    grant_funded: bool = Field(default=False, description="studied on a state educational grant")
    gpa: Decimal | None = Field(default=None, ge=0, max_digits=6, decimal_places=3)
    gpa_scale: Decimal | None = Field(
        default=None, gt=0, max_digits=6, decimal_places=3, description="the GPA's scale, e.g. 4"
    )
    academy: bool = Field(default=False, description="a diploma of the Academy of Public Administration")
    best_graduate: bool = Field(default=False, description="named among the institution's best graduates")

    @model_validator(mode="after")
    def _gpa_on_its_scale(self) -> EducationIn:
        if (self.gpa is None) != (self.gpa_scale is None):
            raise ValueError("gpa and gpa_scale go together")
        if self.gpa is not None and self.gpa_scale is not None and self.gpa > self.gpa_scale:
            raise ValueError("gpa is above its scale")
        return self

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value not in EDUCATION_LEVELS:
            raise ValueError(f"the education level must be one of {', '.join(EDUCATION_LEVELS)}")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> EducationIn:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class WorkIn(Strict):
    employer: str = Field(min_length=1, max_length=300)
    position: str = Field(min_length=1, max_length=300)
    start_date: SaneDate
    end_date: SaneDate | None = Field(default=None, description="null: the candidate works there now")
    functional_area: str = Field(min_length=1, max_length=80)

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkIn:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class PersonalFileIn(Strict):
    """The whole personal file; a PUT replaces every list (education, work, languages)."""

    surname: SingleLine = Field(min_length=1, max_length=120)
    given_name: SingleLine = Field(min_length=1, max_length=120)
    patronymic: SingleLine | None = Field(default=None, max_length=120)
    phone: str
    region: SingleLine = Field(min_length=1, max_length=80)
    locale: Locale = "kk"
    languages: list[LanguageIn] = Field(default_factory=list)
    education: list[EducationIn] = Field(default_factory=list)
    work: list[WorkIn] = Field(default_factory=list)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE.fullmatch(value):
            raise ValueError("a phone number has digits, optionally a leading + and spaces, dashes, brackets")
        return value

    @field_validator("languages")
    @classmethod
    def _one_level_per_language(cls, value: list[LanguageIn]) -> list[LanguageIn]:
        if len({item.language for item in value}) != len(value):
            raise ValueError("each language once")
        return value


class ConsentsIn(Strict):
    selection_rules: bool = Field(description="required: the selection rules were read and accepted")
    personal_data: bool = Field(description="required: consent to process personal data")
    talent_pool: bool = False
    vacancy_alerts: bool = False


class ConsentsUpdate(Strict):
    """Only the consents named change; the two required ones cannot be withdrawn."""

    selection_rules: bool | None = None
    personal_data: bool | None = None
    talent_pool: bool | None = None
    vacancy_alerts: bool | None = None


class RegistrationIn(PersonalFileIn):
    email: str
    password: str = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        description="at least 10 characters, 4 different, not on the list of common passwords",
    )
    iin: str = Field(description="the 12-digit IIN (ЖСН); validated, stored only encrypted")
    consents: ConsentsIn

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return check_password(value, email=info.data.get("email"))


class RegistrationAcceptedOut(BaseModel):
    """The one answer to every well-formed registration, whether or not the IIN or e-mail has an account.

    A new account is created at once (sign in at /api/v1/auth/token); when the e-mail or the IIN
    already has one, nothing is created and the owner of that account is told by e-mail.
    """

    status: Literal["accepted"] = "accepted"
    detail: str = REGISTRATION_ACCEPTED


class LanguageOut(BaseModel):
    language: str
    level: str


class EducationOut(BaseModel):
    id: int
    level: str
    field: str
    institution: str
    start_date: date
    end_date: date | None
    diploma_on: date | None = None
    grant_funded: bool = False
    gpa: Decimal | None = None
    gpa_scale: Decimal | None = None
    academy: bool = False
    best_graduate: bool = False


class WorkOut(BaseModel):
    id: int
    employer: str
    position: str
    start_date: date
    end_date: date | None
    functional_area: str


class ConsentsOut(BaseModel):
    selection_rules: bool
    personal_data: bool
    talent_pool: bool
    vacancy_alerts: bool


class CandidatePersonalOut(BaseModel):
    """Everything in the file: shown to the candidate, and to the HR of a body they applied to."""

    id: int
    account_id: int
    email: str
    iin: str
    birth_date: date
    sex: str
    surname: str
    given_name: str
    patronymic: str | None
    phone: str
    region: str
    locale: str
    languages: list[LanguageOut]
    education: list[EducationOut]
    work: list[WorkOut]
    consents: ConsentsOut


class EducationAnonymousOut(BaseModel):
    level: str
    field: str


class CandidateAnonymousOut(BaseModel):
    """What selection staff may see: qualifications without a name, IIN, birth date, contacts or employers."""

    highest_education_level: str | None
    education: list[EducationAnonymousOut]
    experience_months: int
    functional_area_months: dict[str, int]
    languages: list[LanguageOut]
