"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, check_password
from app.bounds import Id, SingleLine

StaffRole = Literal["hr_officer", "commission_member", "proctor", "researcher", "administrator"]


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_email(value: str) -> str:
    """Trimmed and lower-case; a plain shape check (delivery proves the rest)."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise ValueError("not an e-mail address")
    return email


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class StateBodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name_kk: SingleLine = Field(min_length=1, max_length=300)
    name_ru: SingleLine = Field(min_length=1, max_length=300)
    region: SingleLine = Field(min_length=1, max_length=80)


class StateBodyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_kk: str
    name_ru: str
    region: str


class StaffAccountIn(BaseModel):
    """A staff account made by an administrator; an HR officer needs ``state_body_id``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str
    password: str = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        description="at least 10 characters, 4 different, not on the list of common passwords",
    )
    role: StaffRole
    state_body_id: Id | None = None
    display_name: SingleLine = Field(min_length=1, max_length=200)
    locale: Literal["kk", "ru"] = "kk"
    iin: str | None = Field(
        default=None,
        max_length=12,
        description="the holder's 12-digit IIN; stored only as a keyed hash; a commission member's protocol "
        "signing certificate must carry it (required to sign where trusted roots are configured)",
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return check_password(value, email=info.data.get("email"))


class PasswordChangeIn(BaseModel):
    """A new password for the signed-in account; every token issued before stops working."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        description="at least 10 characters, 4 different, not on the list of common passwords",
    )

    @field_validator("new_password")
    @classmethod
    def _password(cls, value: str) -> str:
        return check_password(value)


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    state_body_id: int | None
    display_name: str
    locale: str
    is_active: bool
