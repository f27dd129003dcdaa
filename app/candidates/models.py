"""The candidate (кандидат) and their personal file: identity, education, work, languages and consents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Account
from app.db import Base, UTCDateTime, check_in, utcnow
from app.rules.policy import EDUCATION_LEVELS

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
LANGUAGE_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
"""CEFR levels, ascending, then a native speaker."""

SELECTION_RULES: Final = "selection_rules"
PERSONAL_DATA: Final = "personal_data"
TALENT_POOL: Final = "talent_pool"
VACANCY_ALERTS: Final = "vacancy_alerts"
REQUIRED_CONSENTS: tuple[str, ...] = (SELECTION_RULES, PERSONAL_DATA)
OPTIONAL_CONSENTS: tuple[str, ...] = (TALENT_POOL, VACANCY_ALERTS)
CONSENT_KINDS: tuple[str, ...] = REQUIRED_CONSENTS + OPTIONAL_CONSENTS
SEXES: tuple[str, ...] = ("male", "female")


class Candidate(Base):
    """A person who applies; the IIN is kept only encrypted, with a keyed hash to find it."""

    __tablename__ = "candidates"
    __table_args__ = (CheckConstraint(check_in("sex", SEXES), name="sex"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, unique=True)
    iin_encrypted: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    iin_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    sex: Mapped[str] = mapped_column(String(6), nullable=False)
    surname: Mapped[str] = mapped_column(String(120), nullable=False)
    given_name: Mapped[str] = mapped_column(String(120), nullable=False)
    patronymic: Mapped[str | None] = mapped_column(String(120), nullable=True)
    phone: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(80), nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    account: Mapped[Account] = relationship(lazy="joined")
    education: Mapped[list[EducationRecord]] = relationship(
        cascade="all, delete-orphan", order_by="EducationRecord.start_date", lazy="selectin"
    )
    work: Mapped[list[WorkRecord]] = relationship(
        cascade="all, delete-orphan", order_by="WorkRecord.start_date", lazy="selectin"
    )
    languages: Mapped[list[CandidateLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="CandidateLanguage.language", lazy="selectin"
    )
    consents: Mapped[list[Consent]] = relationship(
        cascade="all, delete-orphan", order_by="Consent.kind", lazy="selectin"
    )


class EducationRecord(Base):
    __tablename__ = "candidate_education"
    __table_args__ = (
        CheckConstraint(check_in("level", EDUCATION_LEVELS), name="level"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        CheckConstraint("(gpa IS NULL) = (gpa_scale IS NULL)", name="gpa_with_scale"),
        CheckConstraint("gpa_scale IS NULL OR (gpa_scale > 0 AND gpa >= 0 AND gpa <= gpa_scale)", name="gpa_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level: Mapped[str] = mapped_column(String(40), nullable=False)
    field: Mapped[str] = mapped_column(String(200), nullable=False)
    institution: Mapped[str] = mapped_column(String(300), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # what the routes outside competition read (selection-rules §11)
    diploma_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    grant_funded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    gpa: Mapped[Decimal | None] = mapped_column(Numeric(6, 3), nullable=True)
    gpa_scale: Mapped[Decimal | None] = mapped_column(Numeric(6, 3), nullable=True)
    academy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    """A diploma of the Academy of Public Administration under the President."""
    best_graduate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class WorkRecord(Base):
    """One job; ``end_date`` NULL means the candidate works there now."""

    __tablename__ = "candidate_work"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    employer: Mapped[str] = mapped_column(String(300), nullable=False)
    position: Mapped[str] = mapped_column(String(300), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    functional_area: Mapped[str] = mapped_column(String(80), nullable=False)


class CandidateLanguage(Base):
    __tablename__ = "candidate_languages"
    __table_args__ = (
        UniqueConstraint("candidate_id", "language"),
        CheckConstraint(check_in("language", LANGUAGES), name="language"),
        CheckConstraint(check_in("level", LANGUAGE_LEVELS), name="level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    level: Mapped[str] = mapped_column(String(6), nullable=False)


class Consent(Base):
    """The current state of one consent; every change is also an audit event (the history)."""

    __tablename__ = "consents"
    __table_args__ = (
        UniqueConstraint("candidate_id", "kind"),
        CheckConstraint(check_in("kind", CONSENT_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
