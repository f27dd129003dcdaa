"""What the notifications API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class NotificationOut(BaseModel):
    id: int
    event: str
    locale: str
    subject: str
    body: str
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int
    limit: int
    offset: int


class OutboxFailureOut(BaseModel):
    id: int
    event: str
    to: str
    attempts: int
    last_error: str | None
    created_at: datetime


class OutboxSummaryOut(BaseModel):
    counts: dict[str, int]
    smtp_configured: bool
    queued_reason: str | None
    recent_failures: list[OutboxFailureOut]
