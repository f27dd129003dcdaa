"""Alert subscriptions of a candidate: subscribing with criteria, the cabinet's list, unsubscribing (in the cabinet
or by the signed link of every message)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.errors import UNSUBSCRIBE_TOKEN_EXPIRED, UNSUBSCRIBE_TOKEN_INVALID
from app.alerts.models import AlertSubscription
from app.alerts.schemas import SubscriptionIn, SubscriptionOut
from app.alerts.tokens import UnsubscribeTokenExpired, UnsubscribeTokenInvalid, make_token, read_token
from app.audit.service import record
from app.auth.models import Account
from app.candidates.errors import CONSENT_REQUIRED
from app.candidates.models import VACANCY_ALERTS, Candidate, Consent
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.logs import current_request_id
from app.matching.errors import CONTRADICTORY_FILTERS, SEARCH_TEXT_EMPTY, SEARCH_TEXT_TOO_LONG
from app.rules.categories import parse_category
from app.rules.errors import RulesError
from app.settings import Settings
from app.talent.regions import known_region
from ml.embeddings import content_hash


def _subscription_out(subscription: AlertSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.id,
        candidate_id=subscription.candidate_id,
        criteria=subscription.criteria,
        frequency=subscription.frequency,
        locale=subscription.locale,
        active=subscription.active,
        created_at=subscription.created_at,
        unsubscribed_at=subscription.unsubscribed_at,
    )


subscription_out = _subscription_out


def has_alert_consent(session: Session, candidate_id: int) -> bool:
    granted = session.scalars(
        select(Consent.granted).where(Consent.candidate_id == candidate_id, Consent.kind == VACANCY_ALERTS)
    ).first()
    return bool(granted)


def _clean_criteria(data: SubscriptionIn, settings: Settings) -> dict[str, Any]:
    criteria = data.criteria
    problems: list[str] = []
    regions: list[str] = []
    for name in criteria.regions:
        canonical = known_region(name)
        if canonical is None:
            problems.append(f"unknown region {name!r}")
        elif canonical not in regions:
            regions.append(canonical)
    categories: list[str] = []
    for code in criteria.categories:
        try:
            parsed = parse_category(code).code
        except RulesError:
            problems.append(f"unknown position category {code!r}")
            continue
        if parsed not in categories:
            categories.append(parsed)
    areas = sorted({area.strip() for area in criteria.functional_areas if area.strip()})
    if any(not area.strip() for area in criteria.functional_areas):
        problems.append("a functional area is empty")
    if problems:
        raise DomainError(CONTRADICTORY_FILTERS, "; ".join(problems), errors=problems)
    text = criteria.text.strip() if criteria.text is not None else None
    if criteria.text is not None and not text:
        raise DomainError(
            SEARCH_TEXT_EMPTY, "the subscription's text is empty; leave it out to hear of every matching vacancy"
        )
    if text is not None and len(text) > settings.matching_max_query_chars:
        raise DomainError(
            SEARCH_TEXT_TOO_LONG,
            f"the text has {len(text)} characters; at most {settings.matching_max_query_chars}",
            max_chars=settings.matching_max_query_chars,
        )
    return {"functional_areas": areas, "regions": regions, "categories": categories, "text": text}


def subscribe(
    *, session: Session, candidate: Candidate, data: SubscriptionIn, actor: Account, settings: Settings
) -> AlertSubscription:
    """A new subscription; the ``vacancy_alerts`` consent must be given first (422 ``consent_required``)."""
    if not has_alert_consent(session, candidate.id):
        raise DomainError(
            CONSENT_REQUIRED,
            "give the vacancy_alerts consent first (PUT /api/v1/candidates/me/consents)",
            consents=[VACANCY_ALERTS],
        )
    criteria = _clean_criteria(data, settings)
    text_hash = None if criteria["text"] is None else content_hash(criteria["text"], "query")
    subscription = AlertSubscription(
        candidate_id=candidate.id,
        criteria=criteria,
        text_hash=text_hash,
        frequency=data.frequency,
        locale=data.locale or candidate.account.locale,
        active=True,
        created_at=utcnow(),
    )
    session.add(subscription)
    session.flush()
    record(
        session,
        action="alerts.subscribed",
        entity_type="alert_subscription",
        entity_id=str(subscription.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={
            "after": {"criteria": criteria, "frequency": subscription.frequency, "locale": subscription.locale},
            "request_id": current_request_id(),
        },
    )
    return subscription


def subscriptions_of(session: Session, candidate: Candidate) -> list[AlertSubscription]:
    return list(
        session.scalars(
            select(AlertSubscription)
            .where(AlertSubscription.candidate_id == candidate.id)
            .order_by(AlertSubscription.id)
        )
    )


def _deactivate(session: Session, subscription: AlertSubscription, *, actor: str, actor_role: str, via: str) -> None:
    if not subscription.active:
        return  # a second click on the link changes nothing
    subscription.active, subscription.unsubscribed_at = False, utcnow()
    record(
        session,
        action="alerts.unsubscribed",
        entity_type="alert_subscription",
        entity_id=str(subscription.id),
        actor=actor,
        actor_role=actor_role,
        payload={
            "before": {"active": True},
            "after": {"active": False},
            "via": via,
            "request_id": current_request_id(),
        },
    )


def unsubscribe_own(
    *, session: Session, candidate: Candidate, subscription_id: int, actor: Account
) -> AlertSubscription:
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None or subscription.candidate_id != candidate.id:
        raise DomainError(NOT_FOUND, f"no subscription {subscription_id}")
    _deactivate(session, subscription, actor=str(actor.id), actor_role=actor.role, via="cabinet")
    return subscription


def unsubscribe_url(settings: Settings, subscription_id: int, *, now: datetime) -> str:
    token = make_token(subscription_id, secret_key=settings.secret_key, issued_at=now)
    return f"{settings.public_base_url.rstrip('/')}/unsubscribe?token={token}"  # the page (app.web.public)


def unsubscribe_by_token(*, session: Session, token: str, settings: Settings, now: datetime) -> AlertSubscription:
    """Switch a subscription off from the link in a letter, without signing in (idempotent)."""
    try:
        subscription_id = read_token(
            token,
            secret_key=settings.secret_key,
            max_age=timedelta(days=settings.alerts_unsubscribe_max_age_days),
            now=now,
        )
    except UnsubscribeTokenExpired as exc:
        raise DomainError(
            UNSUBSCRIBE_TOKEN_EXPIRED, f"{exc}; unsubscribe in your cabinet or use the link of a newer letter"
        ) from None
    except UnsubscribeTokenInvalid as exc:
        raise DomainError(UNSUBSCRIBE_TOKEN_INVALID, str(exc)) from None
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None:
        raise DomainError(UNSUBSCRIBE_TOKEN_INVALID, "the subscription no longer exists")
    _deactivate(
        session, subscription, actor=f"subscription:{subscription.id}", actor_role="subscriber", via="signed_link"
    )
    return subscription
