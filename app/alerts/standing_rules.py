"""Standing rules: an HR officer's advance approval of the campaigns the matcher drafts for some vacancies."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import APPROVED, DRAFT, AlertCampaign, AlertStandingRule
from app.alerts.schemas import StandingRuleIn, StandingRuleOut
from app.audit.service import record
from app.auth.models import ADMINISTRATOR, Account
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.logs import current_request_id
from app.matching.errors import CONTRADICTORY_FILTERS
from app.rules.categories import parse_category
from app.rules.errors import RulesError
from app.vacancies.models import Vacancy


def _rule_matches(rule: AlertStandingRule, vacancies: Sequence[Vacancy]) -> bool:
    areas = {a.casefold() for a in rule.criteria.get("functional_areas") or ()}
    categories = set(rule.criteria.get("categories") or ())
    return all(
        (not areas or v.functional_area.casefold() in areas) and (not categories or v.category in categories)
        for v in vacancies
    )


def apply_standing_rule(session: Session, campaign: AlertCampaign, vacancies: Sequence[Vacancy]) -> bool:
    rules = session.scalars(
        select(AlertStandingRule)
        .where(
            AlertStandingRule.state_body_id == campaign.state_body_id,
            AlertStandingRule.active.is_(True),
            AlertStandingRule.auto_approve.is_(True),
        )
        .order_by(AlertStandingRule.id)
    ).all()
    rule = next((r for r in rules if _rule_matches(r, vacancies)), None)
    if rule is None:
        return False
    campaign.status, campaign.approved_at = APPROVED, utcnow()
    campaign.standing_rule_id, campaign.approved_by = rule.id, rule.created_by
    record(
        session,
        action="alerts.campaign_approved",
        entity_type="alert_campaign",
        entity_id=str(campaign.id),
        actor=f"standing_rule:{rule.id}",
        actor_role="standing_rule",
        payload={
            "before": {"status": DRAFT},
            "after": {"status": APPROVED},
            "standing_rule_id": rule.id,
            "rule_set_by": rule.created_by,
            "request_id": current_request_id(),
        },
    )
    return True


def rule_out(rule: AlertStandingRule) -> StandingRuleOut:
    return StandingRuleOut(
        id=rule.id,
        state_body_id=rule.state_body_id,
        criteria=rule.criteria,
        auto_approve=rule.auto_approve,
        active=rule.active,
        created_by=rule.created_by,
        created_at=rule.created_at,
        withdrawn_at=rule.withdrawn_at,
    )


def create_rule(*, session: Session, data: StandingRuleIn, actor: Account) -> AlertStandingRule:
    """A standing rule of the officer's body: campaigns whose vacancies all match it are approved by it."""
    assert actor.state_body_id is not None
    categories: list[str] = []
    for code in data.categories:
        try:
            categories.append(parse_category(code).code)
        except RulesError:
            raise DomainError(
                CONTRADICTORY_FILTERS,
                f"unknown position category {code!r}",
                errors=[f"unknown position category {code!r}"],
            ) from None
    criteria = {
        "functional_areas": sorted({a.strip() for a in data.functional_areas if a.strip()}),
        "categories": sorted(set(categories)),
    }
    rule = AlertStandingRule(
        state_body_id=actor.state_body_id,
        criteria=criteria,
        auto_approve=data.auto_approve,
        active=True,
        created_by=actor.id,
        created_at=utcnow(),
    )
    session.add(rule)
    session.flush()
    record(
        session,
        action="alerts.standing_rule_set",
        entity_type="alert_standing_rule",
        entity_id=str(rule.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={
            "after": {"criteria": criteria, "auto_approve": rule.auto_approve},
            "request_id": current_request_id(),
        },
    )
    return rule


def list_rules(*, session: Session, actor: Account) -> list[AlertStandingRule]:
    query = select(AlertStandingRule).order_by(AlertStandingRule.id)
    if actor.role != ADMINISTRATOR:
        query = query.where(AlertStandingRule.state_body_id == actor.state_body_id)
    return list(session.scalars(query))


def withdraw_rule(*, session: Session, rule_id: int, actor: Account) -> AlertStandingRule:
    rule = session.get(AlertStandingRule, rule_id)
    if rule is None or rule.state_body_id != actor.state_body_id:
        raise DomainError(NOT_FOUND, f"no standing rule {rule_id}")
    if rule.active:
        rule.active, rule.withdrawn_at = False, utcnow()
        record(
            session,
            action="alerts.standing_rule_withdrawn",
            entity_type="alert_standing_rule",
            entity_id=str(rule.id),
            actor=str(actor.id),
            actor_role=actor.role,
            payload={"before": {"active": True}, "after": {"active": False}, "request_id": current_request_id()},
        )
    return rule
