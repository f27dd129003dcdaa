"""What the notifications API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


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
    held: list[OutboxFailureOut] = Field(
        description="letters whose sending outcome is unknown (a worker stopped mid-letter): never sent again "
        "by themselves, each waits for POST /api/v1/admin/outbox/{id}/decision"
    )


class OutboxDecisionIn(BaseModel):
    decision: Literal["resend", "mark_sent"] = Field(
        description="resend: send it again (it may arrive twice); mark_sent: record it as sent, send nothing"
    )
    note: str | None = Field(default=None, max_length=500, description="why (kept in the audit trail)")


class OutboxMessageOut(BaseModel):
    id: int
    event: str
    to: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
