"""Accounts of people who sign in, their roles, and the state bodies (мемлекеттік орган) HR officers serve."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, check_in, utcnow

CANDIDATE: Final = "candidate"
HR_OFFICER: Final = "hr_officer"
COMMISSION_MEMBER: Final = "commission_member"
PROCTOR: Final = "proctor"
RESEARCHER: Final = "researcher"
ADMINISTRATOR: Final = "administrator"

ROLES: tuple[str, ...] = (CANDIDATE, HR_OFFICER, COMMISSION_MEMBER, PROCTOR, RESEARCHER, ADMINISTRATOR)
STAFF_ROLES: tuple[str, ...] = (HR_OFFICER, COMMISSION_MEMBER, PROCTOR, RESEARCHER, ADMINISTRATOR)
"""Roles an administrator creates; candidates register themselves."""

ACCOUNT_LOCALES: tuple[str, ...] = ("kk", "ru")


class StateBody(Base):
    """A state body (мемлекеттік орган) that announces vacancies; HR officers belong to one."""

    __tablename__ = "state_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name_kk: Mapped[str] = mapped_column(String(300), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(300), nullable=False)
    region: Mapped[str] = mapped_column(String(80), nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Account(Base):
    """One person who signs in; ``role`` decides what they may do, ``permissions`` decides on what."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(check_in("role", ROLES), name="role"),
        CheckConstraint(check_in("locale", ACCOUNT_LOCALES), name="locale"),
        CheckConstraint(f"role <> '{HR_OFFICER}' OR state_body_id IS NOT NULL", name="hr_has_state_body"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    state_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    # A staff member's IIN as its keyed hash (never the IIN): the protocol signer's certificate must carry it.
    iin_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    locale: Mapped[str] = mapped_column(String(2), nullable=False, default="kk")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    """Bumped on a password change and on sign-out: every token issued before stops working."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    state_body: Mapped[StateBody | None] = relationship(lazy="joined")


THROTTLE_SCOPES: tuple[str, ...] = ("account", "address")


class SignInThrottle(Base):
    """Failed sign-ins counted per e-mail (``account``) and per client address (``address``).

    Kept in the database so that every API process sees the same counts. ``key`` is the
    lower-cased e-mail as typed (known or not, so the count itself tells nothing) or the address.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        CheckConstraint(check_in("scope", THROTTLE_SCOPES), name="scope"),
        UniqueConstraint("scope", "key", name="uq_sign_in_throttles_scope_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    key: Mapped[str] = mapped_column(String(254), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
