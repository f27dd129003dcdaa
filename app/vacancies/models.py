"""The vacancy (бос лауазым): a position of one state body, its duties and qualification requirements."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

DRAFT: Final = "draft"
PUBLISHED: Final = "published"
CLOSED: Final = "closed"
VACANCY_STATUSES: tuple[str, ...] = (DRAFT, PUBLISHED, CLOSED)


class Vacancy(Base):
    """One position put to competition; ``requirements`` is the JSON of ``QualificationRequirements``."""

    __tablename__ = "vacancies"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
        CheckConstraint(
            "locality_type IS NULL OR locality_type IN ('district', 'rural', 'city', 'republican')",
            name="locality_type",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    managerial: Mapped[bool] = mapped_column(Boolean, nullable=False)
    functional_area: Mapped[str] = mapped_column(String(80), nullable=False)
    locality_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """The post's level: district, rural, city or republican (selection-rules §11); NULL: not stated."""
    title_kk: Mapped[str] = mapped_column(String(300), nullable=False)
    title_ru: Mapped[str] = mapped_column(String(300), nullable=False)
    duties_kk: Mapped[str] = mapped_column(Text, nullable=False)
    duties_ru: Mapped[str] = mapped_column(Text, nullable=False)
    requirements: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DRAFT, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
