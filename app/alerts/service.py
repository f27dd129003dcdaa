"""Vacancy alerts (бос лауазымдар туралы хабарландыру): subscriptions, campaigns the matcher drafts, approval by a
person, and sending through the notifications outbox.

The matcher only drafts: a campaign waits as ``draft`` until an HR officer of the vacancies'
body approves it, or a standing rule that an officer set approves it (the rule and its author
are recorded on the campaign). Sending re-checks everything at that moment: the subscription
is still active, the ``vacancy_alerts`` consent is still given (withdrawn: skipped and
recorded), the vacancy is still published, and it was never delivered to that subscription
before (the unique (subscription, vacancy) row in ``alert_deliveries``). Immediate
subscribers get one message per campaign; daily and weekly ones get one digest per period,
built by the ``alerts.send_digests`` job.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import String, Table, func, insert, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.alerts.models import (
    APPROVED,
    AWAITING_DIGEST,
    CANCELLED,
    DAILY,
    DELIVERED,
    DRAFT,
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
    AlertStandingRule,
    AlertSubscription,
)
from app.alerts.schemas import (
    CampaignOut,
    RecipientOut,
    RecipientsPage,
    StandingRuleIn,
    StandingRuleOut,
    SubscriptionIn,
    SubscriptionOut,
)
from app.alerts.scoring import VacancyFacts, build_subscriber_set, match_subscribers
from app.alerts.tokens import UnsubscribeTokenExpired, UnsubscribeTokenInvalid, make_token, read_token
from app.audit.service import record
from app.auth.models import ADMINISTRATOR, Account, StateBody
from app.auth.permissions import can
from app.candidates.models import VACANCY_ALERTS, Candidate, Consent
from app.db import utcnow
from app.jobs.models import Job
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.matching.models import StoredEmbedding
from app.mlops.service import ensure_enabled, is_enabled
from app.notifications.service import notify
from app.notifications.templates import ASTANA_TIME
from app.problems import ProblemError
from app.rules.categories import parse_category
from app.rules.errors import RulesError
from app.settings import Settings
from app.talent.regions import known_region
from app.vacancies.models import PUBLISHED, Vacancy
from ml.embeddings import content_hash

log = logging.getLogger("irikteu.alerts")

SEND_CAMPAIGN = "alerts.send_campaign"
SEND_DIGESTS = "alerts.send_digests"
MODULE = "vacancy_alerts"
SYSTEM = "system"

# --- subscriptions -----------------------------------------------------------------------------


def _subscription_out(subscription: AlertSubscription) -> SubscriptionOut:
    return SubscriptionOut(id=subscription.id, candidate_id=subscription.candidate_id,
                           criteria=subscription.criteria, frequency=subscription.frequency,
                           locale=subscription.locale, active=subscription.active,
                           created_at=subscription.created_at, unsubscribed_at=subscription.unsubscribed_at)


subscription_out = _subscription_out


def has_alert_consent(session: Session, candidate_id: int) -> bool:
    granted = session.scalars(select(Consent.granted).where(
        Consent.candidate_id == candidate_id, Consent.kind == VACANCY_ALERTS)).first()
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
        raise ProblemError("; ".join(problems), status=422, code="contradictory_filters", errors=problems)
    text = criteria.text.strip() if criteria.text is not None else None
    if criteria.text is not None and not text:
        raise ProblemError("the subscription's text is empty; leave it out to hear of every matching vacancy",
                           status=422, code="search_text_empty")
    if text is not None and len(text) > settings.matching_max_query_chars:
        raise ProblemError(f"the text has {len(text)} characters; at most {settings.matching_max_query_chars}",
                           status=422, code="search_text_too_long", max_chars=settings.matching_max_query_chars)
    return {"functional_areas": areas, "regions": regions, "categories": categories, "text": text}


def subscribe(*, session: Session, candidate: Candidate, data: SubscriptionIn, actor: Account,
              settings: Settings) -> AlertSubscription:
    """A new subscription; the ``vacancy_alerts`` consent must be given first (422 ``consent_required``)."""
    if not has_alert_consent(session, candidate.id):
        raise ProblemError("give the vacancy_alerts consent first (PUT /api/v1/candidates/me/consents)",
                           status=422, code="consent_required", consents=[VACANCY_ALERTS])
    criteria = _clean_criteria(data, settings)
    text_hash = None if criteria["text"] is None else content_hash(criteria["text"], "query")
    subscription = AlertSubscription(candidate_id=candidate.id, criteria=criteria, text_hash=text_hash,
                                     frequency=data.frequency,
                                     locale=data.locale or candidate.account.locale, active=True,
                                     created_at=utcnow())
    session.add(subscription)
    session.flush()
    record(session, action="alerts.subscribed", entity_type="alert_subscription", entity_id=str(subscription.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"after": {"criteria": criteria, "frequency": subscription.frequency,
                              "locale": subscription.locale}, "request_id": current_request_id()})
    return subscription


def subscriptions_of(session: Session, candidate: Candidate) -> list[AlertSubscription]:
    return list(session.scalars(select(AlertSubscription).where(AlertSubscription.candidate_id == candidate.id)
                                .order_by(AlertSubscription.id)))


def _deactivate(session: Session, subscription: AlertSubscription, *, actor: str, actor_role: str, via: str) -> None:
    if not subscription.active:
        return  # a second click on the link changes nothing
    subscription.active, subscription.unsubscribed_at = False, utcnow()
    record(session, action="alerts.unsubscribed", entity_type="alert_subscription", entity_id=str(subscription.id),
           actor=actor, actor_role=actor_role,
           payload={"before": {"active": True}, "after": {"active": False}, "via": via,
                    "request_id": current_request_id()})


def unsubscribe_own(*, session: Session, candidate: Candidate, subscription_id: int,
                    actor: Account) -> AlertSubscription:
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None or subscription.candidate_id != candidate.id:
        raise ProblemError(f"no subscription {subscription_id}", status=404, code="not_found")
    _deactivate(session, subscription, actor=str(actor.id), actor_role=actor.role, via="cabinet")
    return subscription


def unsubscribe_url(settings: Settings, subscription_id: int, *, now: datetime) -> str:
    token = make_token(subscription_id, secret_key=settings.secret_key, issued_at=now)
    return f"{settings.public_base_url.rstrip('/')}/unsubscribe?token={token}"  # the page (app.web.public)


def unsubscribe_by_token(*, session: Session, token: str, settings: Settings, now: datetime) -> AlertSubscription:
    """Switch a subscription off from the link in a letter, without signing in (idempotent)."""
    try:
        subscription_id = read_token(token, secret_key=settings.secret_key,
                                     max_age=timedelta(days=settings.alerts_unsubscribe_max_age_days), now=now)
    except UnsubscribeTokenExpired as exc:
        raise ProblemError(f"{exc}; unsubscribe in your cabinet or use the link of a newer letter", status=400,
                           code="unsubscribe_token_expired") from None
    except UnsubscribeTokenInvalid as exc:
        raise ProblemError(str(exc), status=400, code="unsubscribe_token_invalid") from None
    subscription = session.get(AlertSubscription, subscription_id)
    if subscription is None:
        raise ProblemError("the subscription no longer exists", status=400, code="unsubscribe_token_invalid")
    _deactivate(session, subscription, actor=f"subscription:{subscription.id}", actor_role="subscriber",
                via="signed_link")
    return subscription


# --- drafting campaigns ------------------------------------------------------------------------


@dataclass
class _Subscribers:
    """The eligible subscriptions in columns, with the stored vectors of their texts where they exist."""

    ids: list[int]
    candidate_ids: list[int]
    criteria: list[dict[str, Any]]
    vectors: dict[int, Any]
    missing: list[int]


def _decode_all(raws: Sequence[Any]) -> list[dict[str, Any]]:
    """JSON values read raw: one parse for all of them (a parse per row dominates at 100,000 rows)."""
    if all(isinstance(raw, str) for raw in raws):
        decoded: list[dict[str, Any]] = json.loads("[" + ",".join(raws) + "]")
        return decoded
    return [json.loads(raw) if isinstance(raw, str) else raw for raw in raws]


def _eligible_subscribers(session: Session, model_id: str) -> _Subscribers:
    """Active subscriptions whose owner gives the ``vacancy_alerts`` consent now, and their text vectors."""
    rows = session.execute(
        select(AlertSubscription.id, AlertSubscription.candidate_id, type_coerce(AlertSubscription.criteria, String),
               AlertSubscription.text_hash, StoredEmbedding.vector)
        .join(Consent, (Consent.candidate_id == AlertSubscription.candidate_id) & (Consent.kind == VACANCY_ALERTS))
        .outerjoin(StoredEmbedding, (StoredEmbedding.model_id == model_id)
                   & (StoredEmbedding.content_hash == AlertSubscription.text_hash))
        .where(AlertSubscription.active.is_(True), Consent.granted.is_(True))
        .order_by(AlertSubscription.id)).all()
    vectors: dict[int, Any] = {}
    missing: list[int] = []
    for position, row in enumerate(rows):
        if row[3] is not None:
            if row[4] is None:
                missing.append(position)
            else:
                vectors[position] = np.frombuffer(row[4], dtype="<f4")
    return _Subscribers([row[0] for row in rows], [row[1] for row in rows], _decode_all([row[2] for row in rows]),
                        vectors, missing)


def _reasons(explanation: dict[str, Any]) -> dict[str, str]:
    """The one-line 'why you get this' of a recipient, in both languages."""
    named = explanation.get("criteria") or {}
    parts_kk: list[str] = []
    parts_ru: list[str] = []
    labels = {"functional_area": ("функционалдық бағыт", "функциональное направление"),
              "region": ("өңір", "регион"), "category": ("санат", "категория")}
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
        return {"kk": "жазылымыңыз барлық жаңа бос лауазымдарға арналған",
                "ru": "Ваша подписка охватывает все новые вакансии"}
    return {"kk": "; ".join(parts_kk), "ru": "; ".join(parts_ru)}


def _facts(session: Session, vacancies: Sequence[Vacancy], embedder: Any) -> list[VacancyFacts]:
    from app.matching.store import embed_passages
    from app.matching.texts import vacancy_text

    vectors = embed_passages(session, embedder, [vacancy_text(v) for v in vacancies])
    regions = dict(session.execute(select(StateBody.id, StateBody.region).where(
        StateBody.id.in_({v.state_body_id for v in vacancies}))).all())
    facts = [VacancyFacts(v.id, v.functional_area, regions[v.state_body_id], v.category,
                          np.asarray(vectors[i], dtype=np.float32)) for i, v in enumerate(vacancies)]
    return facts


def _fill_missing_vectors(session: Session, embedder: Any, subscribers: _Subscribers) -> None:
    """Embed the texts not stored yet (new subscriptions); they are stored for the next draft."""
    from app.matching.store import embed_queries

    if not subscribers.missing:
        return
    texts = [subscribers.criteria[p]["text"] for p in subscribers.missing]
    vectors = embed_queries(session, embedder, texts)
    for index, position in enumerate(subscribers.missing):
        subscribers.vectors[position] = np.asarray(vectors[index], dtype=np.float32)


def draft_campaign(*, session: Session, vacancies: Sequence[Vacancy], actor: Account | None, settings: Settings,
                   on: date, embedder: Any = None) -> AlertCampaign:
    """Draft one campaign for ``vacancies`` (one state body, all published): the matcher picks the recipients.

    A (subscription, vacancy) pair delivered before is left out. ``embedder`` defaults to the
    process's (the benchmark passes a synthetic one).
    """
    from app.matching import service as matching
    from app.matching.embedder import get_embedder

    embedder = embedder or get_embedder(settings)
    subscribers = _eligible_subscribers(session, embedder.model_id)
    state_body_id = vacancies[0].state_body_id
    per_subscriber: dict[int, dict[str, Any]] = {}
    model: dict[str, Any] = {}
    if subscribers.ids:
        facts = _facts(session, vacancies, embedder)
        model = embedder.model_info.as_dict()
        _fill_missing_vectors(session, embedder, subscribers)
        columns = build_subscriber_set(subscribers.ids, subscribers.candidate_ids, subscribers.criteria,
                                       subscribers.vectors, embedder.dim)
        delivered = set(session.execute(select(AlertDelivery.subscription_id, AlertDelivery.vacancy_id).where(
            AlertDelivery.vacancy_id.in_([v.id for v in vacancies]))).all())
        matched: list[tuple[VacancyFacts, Any]] = [
            (fact, match_subscribers(columns, fact, min_text_similarity=settings.alerts_min_text_similarity))
            for fact in facts]
        candidate_ids = {int(columns.candidate_ids[p]) for _, found in matched for p in found.positions}
        profile: dict[tuple[int, int], tuple[float, bool]] = {}
        if candidate_ids:
            ranked = matching.score_candidates_for_vacancies(session, vacancies, candidate_ids, on=on,
                                                             settings=settings)
            profile = {(vid, cid): (score, meets) for vid, rows in ranked.items() for cid, score, meets in rows}
        for fact, found in matched:
            for position, similarity in zip(found.positions.tolist(), found.text_similarity.tolist(), strict=True):
                subscription_id, criteria = subscribers.ids[position], subscribers.criteria[position]
                if (subscription_id, fact.vacancy_id) in delivered:
                    continue
                score, meets = profile.get((fact.vacancy_id, subscribers.candidate_ids[position]), (None, None))
                named = {key: value for key, value, kind in (
                    ("functional_area", fact.functional_area, "functional_areas"),
                    ("region", fact.region, "regions"), ("category", fact.category, "categories"))
                    if criteria.get(kind)}
                explanation = {"criteria": named,
                               "text_similarity": None if similarity != similarity else round(similarity, 4),
                               "profile_score": None if score is None else round(float(score), 4),
                               "meets_requirements": meets}
                entry = per_subscriber.setdefault(subscription_id, {"vacancy_ids": [], "score": 0.0, "by_vacancy": {}})
                entry["vacancy_ids"].append(fact.vacancy_id)
                entry["by_vacancy"][str(fact.vacancy_id)] = explanation
                rank = score if score is not None else (similarity if similarity == similarity else 1.0)
                entry["score"] = max(entry["score"], float(rank))
    campaign = AlertCampaign(state_body_id=state_body_id, vacancy_ids=[v.id for v in vacancies], status=DRAFT,
                             drafted_at=utcnow(), drafted_by=None if actor is None else actor.id,
                             recipients_count=len(per_subscriber), outcome={}, model=model)
    session.add(campaign)
    session.flush()
    if per_subscriber:
        # Core insert: the ORM's bulk path costs more per row than the whole match.
        session.execute(insert(cast(Table, AlertCampaignRecipient.__table__)), [
            {"campaign_id": campaign.id, "subscription_id": sid, "vacancy_ids": entry["vacancy_ids"],
             "score": round(entry["score"], 6), "explanation": {"vacancies": entry["by_vacancy"]},
             "status": PENDING} for sid, entry in per_subscriber.items()])
    record(session, action="alerts.campaign_drafted", entity_type="alert_campaign", entity_id=str(campaign.id),
           actor=SYSTEM if actor is None else str(actor.id), actor_role=SYSTEM if actor is None else actor.role,
           payload={"vacancy_ids": campaign.vacancy_ids, "recipients": campaign.recipients_count,
                    "subscribers_considered": len(subscribers.ids), "request_id": current_request_id()},
           model_version=None if not model else f"{model['name']}@{model['version']}#{model['weights_sha256'][:12]}")
    return campaign


def _rule_matches(rule: AlertStandingRule, vacancies: Sequence[Vacancy]) -> bool:
    areas = {a.casefold() for a in rule.criteria.get("functional_areas") or ()}
    categories = set(rule.criteria.get("categories") or ())
    return all((not areas or v.functional_area.casefold() in areas) and (not categories or v.category in categories)
               for v in vacancies)


def _apply_standing_rule(session: Session, campaign: AlertCampaign, vacancies: Sequence[Vacancy]) -> bool:
    rules = session.scalars(select(AlertStandingRule).where(
        AlertStandingRule.state_body_id == campaign.state_body_id, AlertStandingRule.active.is_(True),
        AlertStandingRule.auto_approve.is_(True)).order_by(AlertStandingRule.id)).all()
    rule = next((r for r in rules if _rule_matches(r, vacancies)), None)
    if rule is None:
        return False
    campaign.status, campaign.approved_at = APPROVED, utcnow()
    campaign.standing_rule_id, campaign.approved_by = rule.id, rule.created_by
    record(session, action="alerts.campaign_approved", entity_type="alert_campaign", entity_id=str(campaign.id),
           actor=f"standing_rule:{rule.id}", actor_role="standing_rule",
           payload={"before": {"status": DRAFT}, "after": {"status": APPROVED}, "standing_rule_id": rule.id,
                    "rule_set_by": rule.created_by, "request_id": current_request_id()})
    return True


def _enqueue_without_handle(session: Session, kind: str, payload: dict[str, Any], dedupe_key: str) -> str:
    """A job row with no wake-up message: the queue's recovery sweep runs it within minutes.

    Used where the caller holds no queue (the publication path); the row commits with the decision.
    """
    existing = session.scalars(select(Job.id).where(Job.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing
    job = Job(id=str(uuid.uuid4()), kind=kind, status="queued", dedupe_key=dedupe_key, payload=payload,
              created_at=utcnow())
    session.add(job)
    session.flush()
    return job.id


def vacancy_published(*, session: Session, vacancy: Vacancy, settings: Settings | None = None) -> None:
    """The publication hook: draft a campaign for the new vacancy (never stops the publication).

    Off switch ``vacancy_alerts``: nothing is drafted. No active subscription: nothing to draft.
    A matcher failure is logged and audited; the vacancy is published all the same.
    """
    from app.settings import get_settings

    settings = settings or get_settings()
    if not is_enabled(session, MODULE):
        record(session, action="alerts.campaign_not_drafted", entity_type="vacancy", entity_id=str(vacancy.id),
               payload={"reason": "ml_module_disabled", "module": MODULE, "request_id": current_request_id()})
        return
    has_subscribers = session.scalars(select(AlertSubscription.id).where(AlertSubscription.active.is_(True))
                                      .limit(1)).first()
    if has_subscribers is None:
        return
    try:
        with session.begin_nested():
            campaign = draft_campaign(session=session, vacancies=[vacancy], actor=None, settings=settings,
                                      on=datetime.now(ASTANA_TIME).date())
            if _apply_standing_rule(session, campaign, [vacancy]):
                _enqueue_without_handle(session, SEND_CAMPAIGN, {"campaign_id": campaign.id},
                                        f"{SEND_CAMPAIGN}:{campaign.id}")
    except Exception as exc:  # the publication goes on without its alert campaign
        switched_off = isinstance(exc, ProblemError) and exc.code == "ml_module_disabled"
        if not switched_off:
            log.warning("alert campaign not drafted", extra={"vacancy_id": vacancy.id, "error": repr(exc)})
        record(session, action="alerts.campaign_not_drafted", entity_type="vacancy", entity_id=str(vacancy.id),
               payload={"reason": "ml_module_disabled" if switched_off else "matcher_error",
                        "module": exc.extensions.get("module") if isinstance(exc, ProblemError) else None,
                        "error": repr(exc)[:500], "request_id": current_request_id()})


def draft_for_vacancies(*, session: Session, vacancy_ids: Sequence[int], actor: Account, settings: Settings,
                        on: date) -> AlertCampaign:
    """An HR officer drafts a campaign for published vacancies of their body (409 when the switch is off)."""
    ensure_enabled(session, MODULE)
    found = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(list(vacancy_ids))))}
    ordered: list[Vacancy] = []
    for vacancy_id in dict.fromkeys(vacancy_ids):
        vacancy = found.get(vacancy_id)
        if vacancy is None or not can(actor, "vacancy.manage", vacancy):
            raise ProblemError(f"no vacancy {vacancy_id} of your state body", status=404, code="not_found")
        if vacancy.status != PUBLISHED:
            raise ProblemError(f"vacancy {vacancy_id} is {vacancy.status}; alerts are for published vacancies",
                               status=409, code="vacancy_not_published")
        ordered.append(vacancy)
    campaign = draft_campaign(session=session, vacancies=ordered, actor=actor, settings=settings, on=on)
    return campaign


# --- approval and sending ----------------------------------------------------------------------


def campaign_out(campaign: AlertCampaign, send_job_id: str | None = None) -> CampaignOut:
    return CampaignOut(id=campaign.id, state_body_id=campaign.state_body_id, vacancy_ids=list(campaign.vacancy_ids),
                       status=campaign.status, drafted_at=campaign.drafted_at, drafted_by=campaign.drafted_by,
                       approved_by=campaign.approved_by, approved_at=campaign.approved_at,
                       standing_rule_id=campaign.standing_rule_id, cancelled_by=campaign.cancelled_by,
                       recipients_count=campaign.recipients_count, outcome=dict(campaign.outcome),
                       model=dict(campaign.model), finished_at=campaign.finished_at, send_job_id=send_job_id)


def _readable_campaign(session: Session, campaign_id: int, actor: Account) -> AlertCampaign:
    campaign = session.get(AlertCampaign, campaign_id)
    if campaign is None or not (actor.role == ADMINISTRATOR or actor.state_body_id == campaign.state_body_id):
        raise ProblemError(f"no campaign {campaign_id}", status=404, code="not_found")
    return campaign


def get_campaign(*, session: Session, campaign_id: int, actor: Account) -> AlertCampaign:
    return _readable_campaign(session, campaign_id, actor)


def list_campaigns(*, session: Session, actor: Account, status: str | None = None) -> list[AlertCampaign]:
    query = select(AlertCampaign).order_by(AlertCampaign.id.desc())
    if actor.role != ADMINISTRATOR:
        query = query.where(AlertCampaign.state_body_id == actor.state_body_id)
    if status is not None:
        query = query.where(AlertCampaign.status == status)
    return list(session.scalars(query))


def recipients(*, session: Session, campaign_id: int, actor: Account, page: int, page_size: int) -> RecipientsPage:
    campaign = _readable_campaign(session, campaign_id, actor)
    mine = AlertCampaignRecipient.campaign_id == campaign.id
    rows = session.scalars(select(AlertCampaignRecipient).where(mine)
                           .order_by(AlertCampaignRecipient.score.desc(), AlertCampaignRecipient.id)
                           .limit(page_size).offset((page - 1) * page_size)).all()
    total = session.scalar(select(func.count()).select_from(AlertCampaignRecipient).where(mine)) or 0
    return RecipientsPage(items=[RecipientOut(subscription_id=r.subscription_id, vacancy_ids=list(r.vacancy_ids),
                                              score=r.score, explanation=r.explanation, status=r.status)
                                 for r in rows], total=total, page=page, page_size=page_size)


def approve(*, session: Session, queue: JobQueue, campaign_id: int, actor: Account) -> tuple[AlertCampaign, str]:
    """An HR officer of the vacancies' body approves a draft; its sending job is queued at commit."""
    campaign = _readable_campaign(session, campaign_id, actor)
    if actor.state_body_id != campaign.state_body_id:
        raise ProblemError("only an HR officer of the vacancies' state body approves a campaign", status=403,
                           code="forbidden")
    if campaign.status != DRAFT:
        raise ProblemError(f"the campaign is {campaign.status}; only a draft can be approved", status=409,
                           code="campaign_not_draft")
    campaign.status, campaign.approved_by, campaign.approved_at = APPROVED, actor.id, utcnow()
    record(session, action="alerts.campaign_approved", entity_type="alert_campaign", entity_id=str(campaign.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"before": {"status": DRAFT}, "after": {"status": APPROVED},
                    "recipients": campaign.recipients_count, "request_id": current_request_id()})
    job_id = queue.enqueue(SEND_CAMPAIGN, {"campaign_id": campaign.id}, dedupe_key=f"{SEND_CAMPAIGN}:{campaign.id}",
                           session=session)
    return campaign, job_id


def cancel(*, session: Session, campaign_id: int, actor: Account) -> AlertCampaign:
    campaign = _readable_campaign(session, campaign_id, actor)
    if actor.state_body_id != campaign.state_body_id:
        raise ProblemError("only an HR officer of the vacancies' state body cancels a campaign", status=403,
                           code="forbidden")
    if campaign.status not in (DRAFT, APPROVED):
        raise ProblemError(f"the campaign is {campaign.status}; it can no longer be cancelled", status=409,
                           code="campaign_not_draft")
    before = campaign.status
    campaign.status, campaign.cancelled_by, campaign.finished_at = CANCELLED, actor.id, utcnow()
    record(session, action="alerts.campaign_cancelled", entity_type="alert_campaign", entity_id=str(campaign.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"before": {"status": before}, "after": {"status": CANCELLED}, "request_id": current_request_id()})
    return campaign


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


def _vacancy_items(session: Session, vacancy_ids: Sequence[int], locale: str,
                   settings: Settings) -> list[dict[str, Any]]:
    vacancies = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(list(vacancy_ids))))}
    bodies = {b.id: b for b in session.scalars(select(StateBody).where(
        StateBody.id.in_({v.state_body_id for v in vacancies.values()})))}
    base = settings.public_base_url.rstrip("/")
    items = []
    for vacancy_id in vacancy_ids:
        vacancy = vacancies[vacancy_id]
        body = bodies[vacancy.state_body_id]
        items.append({"id": vacancy.id, "title": vacancy.title_kk if locale == "kk" else vacancy.title_ru,
                      "state_body_name": body.name_kk if locale == "kk" else body.name_ru, "region": body.region,
                      "url": f"{base}/api/v1/vacancies/{vacancy.id}"})
    return items


def _still_open(session: Session, vacancy_ids: Sequence[int]) -> list[int]:
    published = set(session.scalars(select(Vacancy.id).where(Vacancy.id.in_(list(vacancy_ids)),
                                                             Vacancy.status == PUBLISHED)).all())
    return [v for v in vacancy_ids if v in published]


def _new_for(session: Session, subscription_id: int, vacancy_ids: Sequence[int]) -> list[int]:
    delivered = set(session.scalars(select(AlertDelivery.vacancy_id).where(
        AlertDelivery.subscription_id == subscription_id, AlertDelivery.vacancy_id.in_(list(vacancy_ids)))).all())
    return [v for v in dict.fromkeys(vacancy_ids) if v not in delivered]


def _deliver(session: Session, queue: JobQueue, *, subscription: AlertSubscription, candidate: Candidate,
             vacancy_ids: list[int], explanation: dict[str, Any], campaign_id: int | None, period: str,
             settings: Settings, now: datetime) -> bool:
    """One message (alert or digest) and its delivery rows, together or not at all; False if raced."""
    locale = subscription.locale
    items = _vacancy_items(session, vacancy_ids, locale, settings)
    link = unsubscribe_url(settings, subscription.id, now=now)
    if len(items) == 1:
        item = items[0]
        event = "vacancy_alert"
        reasons = _reasons((explanation.get("vacancies") or {}).get(str(item["id"]), {}))
        context: dict[str, Any] = {"vacancy_title": item["title"], "state_body_name": item["state_body_name"],
                                   "region": item["region"], "reasons": reasons[locale], "vacancy_url": item["url"],
                                   "unsubscribe_url": link}
    else:
        event = "vacancy_digest"
        context = {"vacancies": items, "count": len(items), "unsubscribe_url": link}
    try:
        with session.begin_nested():
            session.execute(insert(AlertDelivery), [
                {"subscription_id": subscription.id, "vacancy_id": vacancy_id, "campaign_id": campaign_id,
                 "period_key": period, "delivered_at": now} for vacancy_id in vacancy_ids])
            notification = notify(session=session, queue=queue, account_id=candidate.account_id,
                                  to_address=candidate.account.email, event=event, context=context, locale=locale,
                                  dedupe_key=f"alerts:{subscription.id}:{period}")
            session.execute(update(AlertDelivery).where(
                AlertDelivery.subscription_id == subscription.id, AlertDelivery.period_key == period)
                .values(notification_id=notification.id))
    except IntegrityError:
        return False  # another run delivered one of these vacancies first
    return True


def send_campaign(*, session: Session, queue: JobQueue, campaign_id: int, settings: Settings,
                  now: datetime) -> dict[str, Any]:
    """Queue the messages of an approved campaign: immediate subscribers now, the others for their digest."""
    campaign = session.get(AlertCampaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.status not in (APPROVED, SENDING):
        return {"campaign_id": campaign_id, "skipped": True,
                "status": None if campaign is None else campaign.status}
    campaign.status = SENDING
    open_ids = _still_open(session, campaign.vacancy_ids)
    counts: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(AlertCampaignRecipient, AlertSubscription, Candidate)
        .join(AlertSubscription, AlertSubscription.id == AlertCampaignRecipient.subscription_id)
        .join(Candidate, Candidate.id == AlertSubscription.candidate_id)
        .where(AlertCampaignRecipient.campaign_id == campaign.id, AlertCampaignRecipient.status == PENDING)
        .order_by(AlertCampaignRecipient.id)).all()
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
            elif _deliver(session, queue, subscription=subscription, candidate=candidate, vacancy_ids=fresh,
                          explanation=recipient.explanation, campaign_id=campaign.id,
                          period=period_key(IMMEDIATE, now, campaign.id), settings=settings, now=now):
                recipient.status = DELIVERED
            else:
                recipient.status = SKIPPED_ALREADY_SENT
        counts[recipient.status] += 1
    campaign.status, campaign.finished_at = SENT, now
    campaign.outcome = dict(counts)
    record(session, action="alerts.campaign_sent", entity_type="alert_campaign", entity_id=str(campaign.id),
           payload={"before": {"status": APPROVED}, "after": {"status": SENT}, "outcome": dict(counts)})
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
        .order_by(AlertSubscription.id, AlertCampaignRecipient.id)).all()
    grouped: dict[int, tuple[AlertSubscription, Candidate, list[AlertCampaignRecipient]]] = {}
    for recipient, subscription, candidate in waiting:
        grouped.setdefault(subscription.id, (subscription, candidate, []))[2].append(recipient)
    counts: dict[str, int] = defaultdict(int)
    for subscription, candidate, members in grouped.values():
        period = period_key(subscription.frequency, now)
        already = session.scalars(select(AlertDelivery.id).where(
            AlertDelivery.subscription_id == subscription.id, AlertDelivery.period_key == period).limit(1)).first()
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
        delivered = bool(fresh) and _deliver(session, queue, subscription=subscription, candidate=candidate,
                                             vacancy_ids=fresh, explanation=explanation, campaign_id=None,
                                             period=period, settings=settings, now=now)
        for recipient in members:
            recipient.status, recipient.decided_at = (DELIVERED if delivered else SKIPPED_ALREADY_SENT), now
        counts["digests" if delivered else SKIPPED_ALREADY_SENT] += 1
    if counts.get("waiting_next_period"):
        slot = next_digest_slot(now, settings.alerts_digest_hour)
        queue.enqueue(SEND_DIGESTS, {}, dedupe_key=f"{SEND_DIGESTS}:{slot.isoformat()}", session=session, eta=slot)
    if grouped:
        record(session, action="alerts.digests_sent", entity_type="alert_digest", entity_id=now.isoformat(),
               payload={"outcome": dict(counts)})
    return {"outcome": dict(counts)}


# --- standing rules ----------------------------------------------------------------------------


def rule_out(rule: AlertStandingRule) -> StandingRuleOut:
    return StandingRuleOut(id=rule.id, state_body_id=rule.state_body_id, criteria=rule.criteria,
                           auto_approve=rule.auto_approve, active=rule.active, created_by=rule.created_by,
                           created_at=rule.created_at, withdrawn_at=rule.withdrawn_at)


def create_rule(*, session: Session, data: StandingRuleIn, actor: Account) -> AlertStandingRule:
    """A standing rule of the officer's body: campaigns whose vacancies all match it are approved by it."""
    assert actor.state_body_id is not None
    categories: list[str] = []
    for code in data.categories:
        try:
            categories.append(parse_category(code).code)
        except RulesError:
            raise ProblemError(f"unknown position category {code!r}", status=422, code="contradictory_filters",
                               errors=[f"unknown position category {code!r}"]) from None
    criteria = {"functional_areas": sorted({a.strip() for a in data.functional_areas if a.strip()}),
                "categories": sorted(set(categories))}
    rule = AlertStandingRule(state_body_id=actor.state_body_id, criteria=criteria, auto_approve=data.auto_approve,
                             active=True, created_by=actor.id, created_at=utcnow())
    session.add(rule)
    session.flush()
    record(session, action="alerts.standing_rule_set", entity_type="alert_standing_rule", entity_id=str(rule.id),
           actor=str(actor.id), actor_role=actor.role,
           payload={"after": {"criteria": criteria, "auto_approve": rule.auto_approve},
                    "request_id": current_request_id()})
    return rule


def list_rules(*, session: Session, actor: Account) -> list[AlertStandingRule]:
    query = select(AlertStandingRule).order_by(AlertStandingRule.id)
    if actor.role != ADMINISTRATOR:
        query = query.where(AlertStandingRule.state_body_id == actor.state_body_id)
    return list(session.scalars(query))


def withdraw_rule(*, session: Session, rule_id: int, actor: Account) -> AlertStandingRule:
    rule = session.get(AlertStandingRule, rule_id)
    if rule is None or rule.state_body_id != actor.state_body_id:
        raise ProblemError(f"no standing rule {rule_id}", status=404, code="not_found")
    if rule.active:
        rule.active, rule.withdrawn_at = False, utcnow()
        record(session, action="alerts.standing_rule_withdrawn", entity_type="alert_standing_rule",
               entity_id=str(rule.id), actor=str(actor.id), actor_role=actor.role,
               payload={"before": {"active": True}, "after": {"active": False}, "request_id": current_request_id()})
    return rule
