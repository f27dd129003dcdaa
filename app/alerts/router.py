"""Vacancy alerts over HTTP: the candidate's subscriptions, the signed unsubscribe link, HR's campaigns and rules.

``GET`` and ``POST /api/v1/alerts/unsubscribe?token=…`` need no session: the token is the
proof. Both switch the subscription off and are idempotent (a mail client that opens the link
ahead of the reader does what the reader would).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from app.alerts import campaigns, standing_rules, subscriptions
from app.alerts.schemas import (
    CampaignIn,
    CampaignOut,
    RecipientsPage,
    StandingRuleIn,
    StandingRuleOut,
    SubscriptionIn,
    SubscriptionOut,
    UnsubscribedOut,
)
from app.auth.deps import CandidateAccount, HROfficerAccount, require_roles
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account
from app.bounds import MAX_COUNT, Id
from app.candidates.service import candidate_of_account
from app.db import utcnow
from app.deps import QueueDep, SessionDep, SettingsDep, TodayDep

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
HRorAdmin = Annotated[Account, Depends(require_roles(HR_OFFICER, ADMINISTRATOR))]


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED)
def subscribe(
    data: SubscriptionIn, account: CandidateAccount, session: SessionDep, settings: SettingsDep
) -> SubscriptionOut:
    """Subscribe to vacancy alerts (needs the ``vacancy_alerts`` consent: 422 ``consent_required``)."""
    with session.begin():
        candidate = candidate_of_account(session, account)
        return subscriptions.subscription_out(
            subscriptions.subscribe(session=session, candidate=candidate, data=data, actor=account, settings=settings)
        )


@router.get("/subscriptions")
def list_subscriptions(account: CandidateAccount, session: SessionDep) -> list[SubscriptionOut]:
    with session.begin():
        candidate = candidate_of_account(session, account)
        return [subscriptions.subscription_out(s) for s in subscriptions.subscriptions_of(session, candidate)]


@router.delete("/subscriptions/{subscription_id}")
def unsubscribe_own(subscription_id: Id, account: CandidateAccount, session: SessionDep) -> SubscriptionOut:
    with session.begin():
        candidate = candidate_of_account(session, account)
        return subscriptions.subscription_out(
            subscriptions.unsubscribe_own(
                session=session, candidate=candidate, subscription_id=subscription_id, actor=account
            )
        )


def _unsubscribe(token: str, session: SessionDep, settings: SettingsDep) -> UnsubscribedOut:
    with session.begin():
        subscription = subscriptions.unsubscribe_by_token(session=session, token=token, settings=settings, now=utcnow())
        return UnsubscribedOut(
            subscription_id=subscription.id, active=subscription.active, unsubscribed_at=subscription.unsubscribed_at
        )


@router.get("/unsubscribe")
def unsubscribe_link(
    token: Annotated[str, Query(max_length=512)], session: SessionDep, settings: SettingsDep
) -> UnsubscribedOut:
    """The link in every alert: no sign-in; forged 400 ``unsubscribe_token_invalid``, old 400 ``…_expired``."""
    return _unsubscribe(token, session, settings)


@router.post("/unsubscribe")
def unsubscribe_one_click(
    token: Annotated[str, Query(max_length=512)], session: SessionDep, settings: SettingsDep
) -> UnsubscribedOut:
    """The same as a POST (one-click unsubscribe from a mail client)."""
    return _unsubscribe(token, session, settings)


@router.get("/campaigns")
def list_campaigns(
    account: HRorAdmin,
    session: SessionDep,
    status: Literal["draft", "approved", "sending", "sent", "cancelled"] | None = None,
) -> list[CampaignOut]:
    """Campaigns of your state body (an administrator sees all), newest first."""
    with session.begin():
        return [
            campaigns.campaign_out(c) for c in campaigns.list_campaigns(session=session, actor=account, status=status)
        ]


@router.post("/campaigns", status_code=status.HTTP_201_CREATED)
def draft_campaign(
    data: CampaignIn, account: HROfficerAccount, session: SessionDep, settings: SettingsDep, today: TodayDep
) -> CampaignOut:
    """Draft a campaign for published vacancies of your body (vacancies already told to someone are left out)."""
    with session.begin():
        return campaigns.campaign_out(
            campaigns.draft_for_vacancies(
                session=session, vacancy_ids=data.vacancy_ids, actor=account, settings=settings, on=today
            )
        )


@router.get("/campaigns/{campaign_id}")
def read_campaign(campaign_id: Id, account: HRorAdmin, session: SessionDep) -> CampaignOut:
    with session.begin():
        return campaigns.campaign_out(campaigns.get_campaign(session=session, campaign_id=campaign_id, actor=account))


@router.get("/campaigns/{campaign_id}/recipients")
def campaign_recipients(
    campaign_id: Id,
    account: HRorAdmin,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecipientsPage:
    """The drafted recipients with score and explanation (subscriptions, never names)."""
    with session.begin():
        return campaigns.recipients(
            session=session, campaign_id=campaign_id, actor=account, page=page, page_size=page_size
        )


@router.post("/campaigns/{campaign_id}/approve")
def approve_campaign(campaign_id: Id, account: HROfficerAccount, session: SessionDep, queue: QueueDep) -> CampaignOut:
    """Approve a draft: its messages are queued by the ``alerts.send_campaign`` job (``send_job_id``)."""
    with session.begin():
        campaign, job_id = campaigns.approve(session=session, queue=queue, campaign_id=campaign_id, actor=account)
        return campaigns.campaign_out(campaign, send_job_id=job_id)


@router.post("/campaigns/{campaign_id}/cancel")
def cancel_campaign(campaign_id: Id, account: HROfficerAccount, session: SessionDep) -> CampaignOut:
    with session.begin():
        return campaigns.campaign_out(campaigns.cancel(session=session, campaign_id=campaign_id, actor=account))


@router.post("/standing-rules", status_code=status.HTTP_201_CREATED)
def create_rule(data: StandingRuleIn, account: HROfficerAccount, session: SessionDep) -> StandingRuleOut:
    """A rule of your body: campaigns whose vacancies all match it are approved by it (you are recorded)."""
    with session.begin():
        return standing_rules.rule_out(standing_rules.create_rule(session=session, data=data, actor=account))


@router.get("/standing-rules")
def list_rules(account: HRorAdmin, session: SessionDep) -> list[StandingRuleOut]:
    with session.begin():
        return [standing_rules.rule_out(r) for r in standing_rules.list_rules(session=session, actor=account)]


@router.delete("/standing-rules/{rule_id}")
def withdraw_rule(rule_id: Id, account: HROfficerAccount, session: SessionDep) -> StandingRuleOut:
    with session.begin():
        return standing_rules.rule_out(standing_rules.withdraw_rule(session=session, rule_id=rule_id, actor=account))
