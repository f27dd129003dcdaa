"""Vacancy alerts: subscriptions, campaigns the matcher drafts, the recipients, and what was delivered to whom."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, check_in, utcnow

IMMEDIATE: Final = "immediate"
DAILY: Final = "daily"
WEEKLY: Final = "weekly"
FREQUENCIES: tuple[str, ...] = (IMMEDIATE, DAILY, WEEKLY)

DRAFT: Final = "draft"
APPROVED: Final = "approved"
SENDING: Final = "sending"
SENT: Final = "sent"
CANCELLED: Final = "cancelled"
CAMPAIGN_STATUSES: tuple[str, ...] = (DRAFT, APPROVED, SENDING, SENT, CANCELLED)

# What became of one recipient of a campaign.
PENDING: Final = "pending"
DELIVERED: Final = "delivered"
AWAITING_DIGEST: Final = "awaiting_digest"
SKIPPED_NO_CONSENT: Final = "skipped_no_consent"
SKIPPED_UNSUBSCRIBED: Final = "skipped_unsubscribed"
SKIPPED_ALREADY_SENT: Final = "skipped_already_sent"
RECIPIENT_STATUSES: tuple[str, ...] = (
    PENDING,
    DELIVERED,
    AWAITING_DIGEST,
    SKIPPED_NO_CONSENT,
    SKIPPED_UNSUBSCRIBED,
    SKIPPED_ALREADY_SENT,
)


class AlertSubscription(Base):
    """A candidate's standing wish to hear of vacancies; ``criteria`` is the JSON of ``CriteriaIn``."""

    __tablename__ = "alert_subscriptions"
    __table_args__ = (
        CheckConstraint(check_in("frequency", FREQUENCIES), name="frequency"),
        CheckConstraint("locale IN ('kk', 'ru')", name="locale"),
        Index("ix_alert_subscriptions_active_frequency", "active", "frequency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # The stored-embedding key of the criteria's free text (role "query"): drafting joins on it.
    text_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    frequency: Mapped[str] = mapped_column(String(12), nullable=False)
    locale: Mapped[str] = mapped_column(String(2), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertStandingRule(Base):
    """A rule an HR officer set: campaigns for their body's vacancies that match it are approved by it."""

    __tablename__ = "alert_standing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="CASCADE"), nullable=False, index=True
    )
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    auto_approve: Mapped[bool] = mapped_column(Boolean, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertCampaign(Base):
    """Vacancies to announce and the subscribers the matcher drafted; nothing is sent before approval."""

    __tablename__ = "alert_campaigns"
    __table_args__ = (CheckConstraint(check_in("status", CAMPAIGN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_body_id: Mapped[int] = mapped_column(
        ForeignKey("state_bodies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    vacancy_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=DRAFT, index=True)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    drafted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    standing_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_standing_rules.id", ondelete="SET NULL"), nullable=True
    )
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    recipients_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    model: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertCampaignRecipient(Base):
    """One subscriber of a campaign: the vacancies drafted for them, the score and why."""

    __tablename__ = "alert_campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subscription_id"),
        CheckConstraint(check_in("status", RECIPIENT_STATUSES), name="status"),
        Index("ix_alert_campaign_recipients_subscription_status", "subscription_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("alert_campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), nullable=False
    )
    vacancy_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertDelivery(Base):
    """A vacancy told to a subscriber, once ever: the unique pair is the guard against a second letter."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "vacancy_id"),
        Index("ix_alert_deliveries_subscription_period", "subscription_id", "period_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), nullable=False
    )
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), nullable=False)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_campaigns.id", ondelete="SET NULL"), nullable=True
    )
    # "immediate:<campaign>", "daily:2026-02-02" or "weekly:2026-W06": one message per key.
    period_key: Mapped[str] = mapped_column(String(40), nullable=False)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), nullable=True
    )
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
