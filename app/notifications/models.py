"""In-app notifications and the e-mail outbox (a message is a row before it is a letter)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

OUTBOX_STATUSES: tuple[str, ...] = ("queued", "sending", "sent", "failed", "unknown")
"""``unknown``: an attempt began (``sending`` was committed) and its outcome was never recorded — the
worker died, or the connection broke after the letter was handed over. Such a letter may have
arrived, so it is never sent again by itself: it is held until an administrator decides."""


class Notification(Base):
    """A message in one account's cabinet; ``read_at`` is set when its owner opens it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_account_id_created_at", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    event: Mapped[str] = mapped_column(String(60), nullable=False)
    locale: Mapped[str] = mapped_column(String(2), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # The decision's own key: a retried decision finds its notification instead of writing a second.
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OutboxMessage(Base):
    """One e-mail to send; the sending job moves it queued → sending → sent (or failed, or unknown).

    At most once: ``sending`` with the attempt's ``send_token`` and ``lease_until`` is committed
    before the SMTP connection opens, and ``sent`` after the server accepted the letter. An attempt
    that finds ``sending`` left by a dead attempt marks the letter ``unknown`` instead of sending it.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (CheckConstraint(f"status IN ({', '.join(repr(s) for s in OUTBOX_STATUSES)})", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    locale: Mapped[str] = mapped_column(String(2), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    event: Mapped[str] = mapped_column(String(60), nullable=False)
    # Unique, so a retried decision never sends the same letter twice.
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The attempt that holds the row in ``sending`` ("job id:attempt"), a fencing token, and until when.
    send_token: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), nullable=True, index=True
    )
