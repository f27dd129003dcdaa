"""Sending alerts: an approved campaign's immediate messages and the daily and weekly digests, each vacancy
at most once per subscription, through the notifications outbox."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.alerts.models import (
    APPROVED,
    AWAITING_DIGEST,
    DAILY,
    DELIVERED,
    IMMEDIATE,
    PENDING,
    SENDING,
    SENT,
    SKIPPED_ALREADY_SENT,
    SKIPPED_NO_CONSENT,
    SKIPPED_UNSUBSCRIBED,
    WEEKLY,
    AlertCampaign,
    AlertCampaignRecipient,
    AlertDelivery,
    AlertSubscription,
)
from app.alerts.subscriptions import has_alert_consent, unsubscribe_url
from app.audit.service import record
from app.auth.models import StateBody
from app.candidates.models import Candidate
from app.jobs.queue import JobQueue
from app.notifications.service import notify
from app.notifications.templates import ASTANA_TIME
from app.notifications.templates import render as render_message
from app.settings import Settings
from app.vacancies.models import PUBLISHED, Vacancy

SEND_CAMPAIGN = "alerts.send_campaign"


SEND_DIGESTS = "alerts.send_digests"


def _reasons(explanation: dict[str, Any]) -> dict[str, str]:
    """The one-line 'why you get this' of a recipient, in both languages."""
    named = explanation.get("criteria") or {}
    parts_kk: list[str] = []
    parts_ru: list[str] = []
    labels = {
        "functional_area": ("функционалдық бағыт", "функциональное направление"),
        "region": ("өңір", "регион"),
        "category": ("санат", "категория"),
    }
    for key, (kk, ru) in labels.items():
        if key in named:
            parts_kk.append(f"{kk} — {named[key]}")
            parts_ru.append(f"{ru} — {named[key]}")
    similarity = explanation.get("text_similarity")
    if similarity is not None:
        parts_kk.append(f"сіздің сипаттамаңызға ұқсастығы {similarity:.2f}".replace(".", ","))
        parts_ru.append(f"сходство с Вашим описанием {similarity:.2f}".replace(".", ","))
    profile = explanation.get("profile_score")
    if profile is not None:
        parts_kk.append(f"профиліңізге сәйкестігі {round(100 * profile)}%")
        parts_ru.append(f"соответствие Вашему профилю {round(100 * profile)}%")
    if not parts_kk:
        return {
            "kk": "жазылымыңыз барлық жаңа бос лауазымдарға арналған",
            "ru": "Ваша подписка охватывает все новые вакансии",
        }
    return {"kk": "; ".join(parts_kk), "ru": "; ".join(parts_ru)}


def period_key(frequency: str, now: datetime, campaign_id: int | None = None) -> str:
    """The period one message covers: the campaign (immediate), the Astana day, or the ISO week."""
    if frequency == IMMEDIATE:
        return f"immediate:{campaign_id}"
    local = now.astimezone(ASTANA_TIME).date()
    if frequency == DAILY:
        return f"daily:{local.isoformat()}"
    year, week, _ = local.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def next_digest_slot(now: datetime, hour: int) -> datetime:
    """The next digest time at ``hour`` o'clock Astana time after ``now``."""
    local = now.astimezone(ASTANA_TIME)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot <= local:
        slot += timedelta(days=1)
    return slot


def _vacancy_items(
    session: Session, vacancy_ids: Sequence[int], locale: str, settings: Settings
) -> list[dict[str, Any]]:
    vacancies = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(list(vacancy_ids))))}
    bodies = {
        b.id: b
        for b in session.scalars(
            select(StateBody).where(StateBody.id.in_({v.state_body_id for v in vacancies.values()}))
        )
    }
    base = settings.public_base_url.rstrip("/")
    items = []
    for vacancy_id in vacancy_ids:
        vacancy = vacancies[vacancy_id]
        body = bodies[vacancy.state_body_id]
        items.append(
            {
                "id": vacancy.id,
                "title": vacancy.title_kk if locale == "kk" else vacancy.title_ru,
                "state_body_name": body.name_kk if locale == "kk" else body.name_ru,
                "region": body.region,
                "url": f"{base}/api/v1/vacancies/{vacancy.id}",
            }
        )
    return items


def _still_open(session: Session, vacancy_ids: Sequence[int]) -> list[int]:
    published = set(
        session.scalars(select(Vacancy.id).where(Vacancy.id.in_(list(vacancy_ids)), Vacancy.status == PUBLISHED)).all()
    )
    return [v for v in vacancy_ids if v in published]


def _new_for(session: Session, subscription_id: int, vacancy_ids: Sequence[int]) -> list[int]:
    delivered = set(
        session.scalars(
            select(AlertDelivery.vacancy_id).where(
                AlertDelivery.subscription_id == subscription_id, AlertDelivery.vacancy_id.in_(list(vacancy_ids))
            )
        ).all()
    )
    return [v for v in dict.fromkeys(vacancy_ids) if v not in delivered]


def _deliver(
    session: Session,
    queue: JobQueue,
    *,
    subscription: AlertSubscription,
    candidate: Candidate,
    vacancy_ids: list[int],
    explanation: dict[str, Any],
    campaign_id: int | None,
    period: str,
    settings: Settings,
    now: datetime,
) -> bool:
    """One message (alert or digest) and its delivery rows, together or not at all; False if raced."""
    locale = subscription.locale
    items = _vacancy_items(session, vacancy_ids, locale, settings)
    link = unsubscribe_url(settings, subscription.id, now=now)
    if len(items) == 1:
        item = items[0]
        event = "vacancy_alert"
        reasons = _reasons((explanation.get("vacancies") or {}).get(str(item["id"]), {}))
        context: dict[str, Any] = {
            "vacancy_title": item["title"],
            "state_body_name": item["state_body_name"],
            "region": item["region"],
            "reasons": reasons[locale],
            "vacancy_url": item["url"],
            "unsubscribe_url": link,
        }
    else:
        event = "vacancy_digest"
        context = {"vacancies": items, "count": len(items), "unsubscribe_url": link}
    try:
        with session.begin_nested():
            session.execute(
                insert(AlertDelivery),
                [
                    {
                        "subscription_id": subscription.id,
                        "vacancy_id": vacancy_id,
                        "campaign_id": campaign_id,
                        "period_key": period,
                        "delivered_at": now,
                    }
                    for vacancy_id in vacancy_ids
                ],
            )
            notification = notify(
                session=session,
                queue=queue,
                account_id=candidate.account_id,
                to_address=candidate.account.email,
                event=event,
                context=context,
                locale=locale,
                dedupe_key=f"alerts:{subscription.id}:{period}",
            )
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.subscription_id == subscription.id, AlertDelivery.period_key == period)
                .values(notification_id=notification.id)
            )
    except IntegrityError:
        return False  # another run delivered one of these vacancies first
    return True


def send_campaign(
    *, session: Session, queue: JobQueue, campaign_id: int, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Queue the messages of an approved campaign: immediate subscribers now, the others for their digest."""
    campaign = session.get(AlertCampaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.status not in (APPROVED, SENDING):
        return {"campaign_id": campaign_id, "skipped": True, "status": None if campaign is None else campaign.status}
    campaign.status = SENDING
    open_ids = _still_open(session, campaign.vacancy_ids)
    counts: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(AlertCampaignRecipient, AlertSubscription, Candidate)
        .join(AlertSubscription, AlertSubscription.id == AlertCampaignRecipient.subscription_id)
        .join(Candidate, Candidate.id == AlertSubscription.candidate_id)
        .where(AlertCampaignRecipient.campaign_id == campaign.id, AlertCampaignRecipient.status == PENDING)
        .order_by(AlertCampaignRecipient.id)
    ).all()
    for recipient, subscription, candidate in rows:
        recipient.decided_at = now
        if not subscription.active:
            recipient.status = SKIPPED_UNSUBSCRIBED
        elif not has_alert_consent(session, candidate.id):
            recipient.status = SKIPPED_NO_CONSENT
        else:
            fresh = _new_for(session, subscription.id, [v for v in recipient.vacancy_ids if v in open_ids])
            if not fresh:
                recipient.status = SKIPPED_ALREADY_SENT
            elif subscription.frequency != IMMEDIATE:
                recipient.status = AWAITING_DIGEST
            elif _deliver(
                session,
                queue,
                subscription=subscription,
                candidate=candidate,
                vacancy_ids=fresh,
                explanation=recipient.explanation,
                campaign_id=campaign.id,
                period=period_key(IMMEDIATE, now, campaign.id),
                settings=settings,
                now=now,
            ):
                recipient.status = DELIVERED
            else:
                recipient.status = SKIPPED_ALREADY_SENT
        counts[recipient.status] += 1
    campaign.status, campaign.finished_at = SENT, now
    campaign.outcome = dict(counts)
    record(
        session,
        action="alerts.campaign_sent",
        entity_type="alert_campaign",
        entity_id=str(campaign.id),
        payload={"before": {"status": APPROVED}, "after": {"status": SENT}, "outcome": dict(counts)},
    )
    if counts.get(AWAITING_DIGEST):
        slot = next_digest_slot(now, settings.alerts_digest_hour)
        queue.enqueue(SEND_DIGESTS, {}, dedupe_key=f"{SEND_DIGESTS}:{slot.isoformat()}", session=session, eta=slot)
    return {"campaign_id": campaign.id, "outcome": dict(counts)}


def send_digests(*, session: Session, queue: JobQueue, settings: Settings, now: datetime) -> dict[str, Any]:
    """One digest per daily/weekly subscriber and period with every approved vacancy they have not had yet."""
    waiting = session.execute(
        select(AlertCampaignRecipient, AlertSubscription, Candidate)
        .join(AlertSubscription, AlertSubscription.id == AlertCampaignRecipient.subscription_id)
        .join(Candidate, Candidate.id == AlertSubscription.candidate_id)
        .where(AlertCampaignRecipient.status == AWAITING_DIGEST, AlertSubscription.frequency.in_((DAILY, WEEKLY)))
        .order_by(AlertSubscription.id, AlertCampaignRecipient.id)
    ).all()
    grouped: dict[int, tuple[AlertSubscription, Candidate, list[AlertCampaignRecipient]]] = {}
    for recipient, subscription, candidate in waiting:
        grouped.setdefault(subscription.id, (subscription, candidate, []))[2].append(recipient)
    counts: dict[str, int] = defaultdict(int)
    for subscription, candidate, members in grouped.values():
        period = period_key(subscription.frequency, now)
        already = session.scalars(
            select(AlertDelivery.id)
            .where(AlertDelivery.subscription_id == subscription.id, AlertDelivery.period_key == period)
            .limit(1)
        ).first()
        if already is not None:
            counts["waiting_next_period"] += 1
            continue
        if not subscription.active or not has_alert_consent(session, candidate.id):
            status = SKIPPED_UNSUBSCRIBED if not subscription.active else SKIPPED_NO_CONSENT
            for recipient in members:
                recipient.status, recipient.decided_at = status, now
            counts[status] += 1
            continue
        wanted = [v for recipient in members for v in recipient.vacancy_ids]
        fresh = _new_for(session, subscription.id, _still_open(session, wanted))
        explanation: dict[str, Any] = {"vacancies": {}}
        for recipient in members:
            explanation["vacancies"].update((recipient.explanation or {}).get("vacancies") or {})
        delivered = bool(fresh) and _deliver(
            session,
            queue,
            subscription=subscription,
            candidate=candidate,
            vacancy_ids=fresh,
            explanation=explanation,
            campaign_id=None,
            period=period,
            settings=settings,
            now=now,
        )
        for recipient in members:
            recipient.status, recipient.decided_at = (DELIVERED if delivered else SKIPPED_ALREADY_SENT), now
        counts["digests" if delivered else SKIPPED_ALREADY_SENT] += 1
    if counts.get("waiting_next_period"):
        slot = next_digest_slot(now, settings.alerts_digest_hour)
        queue.enqueue(SEND_DIGESTS, {}, dedupe_key=f"{SEND_DIGESTS}:{slot.isoformat()}", session=session, eta=slot)
    if grouped:
        record(
            session,
            action="alerts.digests_sent",
            entity_type="alert_digest",
            entity_id=now.isoformat(),
            payload={"outcome": dict(counts)},
        )
    return {"outcome": dict(counts)}


def preview(*, session: Session, campaign: AlertCampaign, settings: Settings) -> dict[str, Any]:
    """What a recipient of ``campaign`` would read, in Kazakh and Russian (the top recipient's reasons).

    The same templates and context as ``_deliver``; the unsubscribe link is shown without its token.
    """
    top = session.scalars(
        select(AlertCampaignRecipient)
        .where(AlertCampaignRecipient.campaign_id == campaign.id)
        .order_by(AlertCampaignRecipient.score.desc(), AlertCampaignRecipient.id)
        .limit(1)
    ).first()
    explanation = (top.explanation if top is not None else {}).get("vacancies") or {}
    link = f"{settings.public_base_url.rstrip('/')}/unsubscribe?token=…"
    out: dict[str, Any] = {}
    for locale in ("kk", "ru"):
        items = _vacancy_items(session, list(campaign.vacancy_ids), locale, settings)
        if len(items) == 1:
            item = items[0]
            context: dict[str, Any] = {
                "vacancy_title": item["title"],
                "state_body_name": item["state_body_name"],
                "region": item["region"],
                "reasons": _reasons(explanation.get(str(item["id"]), {}))[locale],
                "vacancy_url": item["url"],
                "unsubscribe_url": link,
            }
            out[locale] = render_message("vacancy_alert", context, locale)
        else:
            context = {"vacancies": items, "count": len(items), "unsubscribe_url": link}
            out[locale] = render_message("vacancy_digest", context, locale)
    return out
