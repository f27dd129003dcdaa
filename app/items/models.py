"""Frozen test forms as stored: the full content of their items, so a later edit of the bank never changes one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class TestForm(Base):
    """A form identified by its hash; ``items`` holds each item's whole document (kk and ru) in order."""

    __tablename__ = "test_forms"

    form_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    programme: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    time_limit_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    sections: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    items: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
