"""Alert campaigns: the matcher drafts one when vacancies are published, and a person approves it (an HR
officer of the vacancies' body, or a standing rule one set) or cancels it."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import String, Table, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from app.alerts.delivery import SEND_CAMPAIGN
from app.alerts.errors import CAMPAIGN_NOT_DRAFT
from app.alerts.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    PENDING,
    AlertCampaign,
    AlertCampaignRecipient,
    AlertDelivery,
    AlertSubscription,
)
from app.alerts.schemas import CampaignOut, RecipientOut, RecipientsPage
from app.alerts.scoring import VacancyFacts, build_subscriber_set, match_subscribers
from app.alerts.standing_rules import apply_standing_rule
from app.audit.service import record
from app.auth.models import ADMINISTRATOR, Account, StateBody
from app.auth.permissions import can
from app.candidates.models import VACANCY_ALERTS, Consent
from app.db import utcnow
from app.errors import FORBIDDEN, NOT_FOUND, DomainError
from app.jobs.models import Job
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.matching import service as matching
from app.matching.embedder import get_embedder
from app.matching.models import StoredEmbedding
from app.matching.store import embed_passages, embed_queries
from app.matching.texts import vacancy_text
from app.mlops.service import ensure_enabled, is_enabled
from app.notifications.templates import ASTANA_TIME
from app.settings import Settings, get_settings
from app.vacancies.errors import VACANCY_NOT_PUBLISHED
from app.vacancies.models import PUBLISHED, Vacancy

log = logging.getLogger("irikteu.alerts")


MODULE = "vacancy_alerts"


SYSTEM = "system"


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
        select(
            AlertSubscription.id,
            AlertSubscription.candidate_id,
            type_coerce(AlertSubscription.criteria, String),
            AlertSubscription.text_hash,
            StoredEmbedding.vector,
        )
        .join(Consent, (Consent.candidate_id == AlertSubscription.candidate_id) & (Consent.kind == VACANCY_ALERTS))
        .outerjoin(
            StoredEmbedding,
            (StoredEmbedding.model_id == model_id) & (StoredEmbedding.content_hash == AlertSubscription.text_hash),
        )
        .where(AlertSubscription.active.is_(True), Consent.granted.is_(True))
        .order_by(AlertSubscription.id)
    ).all()
    vectors: dict[int, Any] = {}
    missing: list[int] = []
    for position, row in enumerate(rows):
        if row[3] is not None:
            if row[4] is None:
                missing.append(position)
            else:
                vectors[position] = np.frombuffer(row[4], dtype="<f4")
    return _Subscribers(
        [row[0] for row in rows], [row[1] for row in rows], _decode_all([row[2] for row in rows]), vectors, missing
    )


def _facts(session: Session, vacancies: Sequence[Vacancy], embedder: Any) -> list[VacancyFacts]:
    vectors = embed_passages(session, embedder, [vacancy_text(v) for v in vacancies])
    regions = dict(
        session.execute(
            select(StateBody.id, StateBody.region).where(StateBody.id.in_({v.state_body_id for v in vacancies}))
        ).all()
    )
    facts = [
        VacancyFacts(
            v.id, v.functional_area, regions[v.state_body_id], v.category, np.asarray(vectors[i], dtype=np.float32)
        )
        for i, v in enumerate(vacancies)
    ]
    return facts


def _fill_missing_vectors(session: Session, embedder: Any, subscribers: _Subscribers) -> None:
    """Embed the texts not stored yet (new subscriptions); they are stored for the next draft."""
    if not subscribers.missing:
        return
    texts = [subscribers.criteria[p]["text"] for p in subscribers.missing]
    vectors = embed_queries(session, embedder, texts)
    for index, position in enumerate(subscribers.missing):
        subscribers.vectors[position] = np.asarray(vectors[index], dtype=np.float32)


def draft_campaign(
    *,
    session: Session,
    vacancies: Sequence[Vacancy],
    actor: Account | None,
    settings: Settings,
    on: date,
    embedder: Any = None,
) -> AlertCampaign:
    """Draft one campaign for ``vacancies`` (one state body, all published): the matcher picks the recipients.

    A (subscription, vacancy) pair delivered before is left out. ``embedder`` defaults to the
    process's (the benchmark passes a synthetic one).
    """
    embedder = embedder or get_embedder(settings)
    subscribers = _eligible_subscribers(session, embedder.model_id)
    state_body_id = vacancies[0].state_body_id
    per_subscriber: dict[int, dict[str, Any]] = {}
    model: dict[str, Any] = {}
    if subscribers.ids:
        facts = _facts(session, vacancies, embedder)
        model = embedder.model_info.as_dict()
        _fill_missing_vectors(session, embedder, subscribers)
        columns = build_subscriber_set(
            subscribers.ids, subscribers.candidate_ids, subscribers.criteria, subscribers.vectors, embedder.dim
        )
        delivered = set(
            session.execute(
                select(AlertDelivery.subscription_id, AlertDelivery.vacancy_id).where(
                    AlertDelivery.vacancy_id.in_([v.id for v in vacancies])
                )
            ).all()
        )
        matched: list[tuple[VacancyFacts, Any]] = [
            (fact, match_subscribers(columns, fact, min_text_similarity=settings.alerts_min_text_similarity))
            for fact in facts
        ]
        candidate_ids = {int(columns.candidate_ids[p]) for _, found in matched for p in found.positions}
        profile: dict[tuple[int, int], tuple[float, bool]] = {}
        if candidate_ids:
            ranked = matching.score_candidates_for_vacancies(
                session, vacancies, candidate_ids, on=on, settings=settings
            )
            profile = {(vid, cid): (score, meets) for vid, rows in ranked.items() for cid, score, meets in rows}
        for fact, found in matched:
            for position, similarity in zip(found.positions.tolist(), found.text_similarity.tolist(), strict=True):
                subscription_id, criteria = subscribers.ids[position], subscribers.criteria[position]
                if (subscription_id, fact.vacancy_id) in delivered:
                    continue
                score, meets = profile.get((fact.vacancy_id, subscribers.candidate_ids[position]), (None, None))
                named = {
                    key: value
                    for key, value, kind in (
                        ("functional_area", fact.functional_area, "functional_areas"),
                        ("region", fact.region, "regions"),
                        ("category", fact.category, "categories"),
                    )
                    if criteria.get(kind)
                }
                explanation = {
                    "criteria": named,
                    "text_similarity": None if similarity != similarity else round(similarity, 4),
                    "profile_score": None if score is None else round(float(score), 4),
                    "meets_requirements": meets,
                }
                entry = per_subscriber.setdefault(subscription_id, {"vacancy_ids": [], "score": 0.0, "by_vacancy": {}})
                entry["vacancy_ids"].append(fact.vacancy_id)
                entry["by_vacancy"][str(fact.vacancy_id)] = explanation
                rank = score if score is not None else (similarity if similarity == similarity else 1.0)
                entry["score"] = max(entry["score"], float(rank))
    campaign = AlertCampaign(
        state_body_id=state_body_id,
        vacancy_ids=[v.id for v in vacancies],
        status=DRAFT,
        drafted_at=utcnow(),
        drafted_by=None if actor is None else actor.id,
        recipients_count=len(per_subscriber),
        outcome={},
        model=model,
    )
    session.add(campaign)
    session.flush()
    if per_subscriber:
        # Core insert: the ORM's bulk path costs more per row than the whole match.
        session.execute(
            insert(cast(Table, AlertCampaignRecipient.__table__)),
            [
                {
                    "campaign_id": campaign.id,
                    "subscription_id": sid,
                    "vacancy_ids": entry["vacancy_ids"],
                    "score": round(entry["score"], 6),
                    "explanation": {"vacancies": entry["by_vacancy"]},
                    "status": PENDING,
                }
                for sid, entry in per_subscriber.items()
            ],
        )
    record(
        session,
        action="alerts.campaign_drafted",
        entity_type="alert_campaign",
        entity_id=str(campaign.id),
        actor=SYSTEM if actor is None else str(actor.id),
        actor_role=SYSTEM if actor is None else actor.role,
        payload={
            "vacancy_ids": campaign.vacancy_ids,
            "recipients": campaign.recipients_count,
            "subscribers_considered": len(subscribers.ids),
            "request_id": current_request_id(),
        },
        model_version=None if not model else f"{model['name']}@{model['version']}#{model['weights_sha256'][:12]}",
    )
    return campaign


def _enqueue_without_handle(session: Session, kind: str, payload: dict[str, Any], dedupe_key: str) -> str:
    """A job row with no wake-up message: the queue's recovery sweep runs it within minutes.

    Used where the caller holds no queue (the publication path); the row commits with the decision.
    """
    existing = session.scalars(select(Job.id).where(Job.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing
    job = Job(
        id=str(uuid.uuid4()), kind=kind, status="queued", dedupe_key=dedupe_key, payload=payload, created_at=utcnow()
    )
    session.add(job)
    session.flush()
    return job.id


def vacancy_published(*, session: Session, vacancy: Vacancy, settings: Settings | None = None) -> None:
    """The publication hook: draft a campaign for the new vacancy (never stops the publication).

    Off switch ``vacancy_alerts``: nothing is drafted. No active subscription: nothing to draft.
    A matcher failure is logged and audited; the vacancy is published all the same.
    """
    settings = settings or get_settings()
    if not is_enabled(session, MODULE):
        record(
            session,
            action="alerts.campaign_not_drafted",
            entity_type="vacancy",
            entity_id=str(vacancy.id),
            payload={"reason": "ml_module_disabled", "module": MODULE, "request_id": current_request_id()},
        )
        return
    has_subscribers = session.scalars(
        select(AlertSubscription.id).where(AlertSubscription.active.is_(True)).limit(1)
    ).first()
    if has_subscribers is None:
        return
    try:
        with session.begin_nested():
            campaign = draft_campaign(
                session=session, vacancies=[vacancy], actor=None, settings=settings, on=datetime.now(ASTANA_TIME).date()
            )
            if apply_standing_rule(session, campaign, [vacancy]):
                _enqueue_without_handle(
                    session, SEND_CAMPAIGN, {"campaign_id": campaign.id}, f"{SEND_CAMPAIGN}:{campaign.id}"
                )
    except Exception as exc:  # the publication goes on without its alert campaign
        switched_off = isinstance(exc, DomainError) and exc.code == "ml_module_disabled"
        if not switched_off:
            log.warning("alert campaign not drafted", extra={"vacancy_id": vacancy.id, "error": repr(exc)})
        record(
            session,
            action="alerts.campaign_not_drafted",
            entity_type="vacancy",
            entity_id=str(vacancy.id),
            payload={
                "reason": "ml_module_disabled" if switched_off else "matcher_error",
                "module": exc.extensions.get("module") if isinstance(exc, DomainError) else None,
                "error": repr(exc)[:500],
                "request_id": current_request_id(),
            },
        )


def draft_for_vacancies(
    *, session: Session, vacancy_ids: Sequence[int], actor: Account, settings: Settings, on: date
) -> AlertCampaign:
    """An HR officer drafts a campaign for published vacancies of their body (409 when the switch is off)."""
    ensure_enabled(session, MODULE)
    found = {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(list(vacancy_ids))))}
    ordered: list[Vacancy] = []
    for vacancy_id in dict.fromkeys(vacancy_ids):
        vacancy = found.get(vacancy_id)
        if vacancy is None or not can(actor, "vacancy.manage", vacancy):
            raise DomainError(NOT_FOUND, f"no vacancy {vacancy_id} of your state body")
        if vacancy.status != PUBLISHED:
            raise DomainError(
                VACANCY_NOT_PUBLISHED, f"vacancy {vacancy_id} is {vacancy.status}; alerts are for published vacancies"
            )
        ordered.append(vacancy)
    campaign = draft_campaign(session=session, vacancies=ordered, actor=actor, settings=settings, on=on)
    return campaign


def campaign_out(campaign: AlertCampaign, send_job_id: str | None = None) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        state_body_id=campaign.state_body_id,
        vacancy_ids=list(campaign.vacancy_ids),
        status=campaign.status,
        drafted_at=campaign.drafted_at,
        drafted_by=campaign.drafted_by,
        approved_by=campaign.approved_by,
        approved_at=campaign.approved_at,
        standing_rule_id=campaign.standing_rule_id,
        cancelled_by=campaign.cancelled_by,
        recipients_count=campaign.recipients_count,
        outcome=dict(campaign.outcome),
        model=dict(campaign.model),
        finished_at=campaign.finished_at,
        send_job_id=send_job_id,
    )


def _readable_campaign(session: Session, campaign_id: int, actor: Account) -> AlertCampaign:
    campaign = session.get(AlertCampaign, campaign_id)
    if campaign is None or not (actor.role == ADMINISTRATOR or actor.state_body_id == campaign.state_body_id):
        raise DomainError(NOT_FOUND, f"no campaign {campaign_id}")
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
    rows = session.scalars(
        select(AlertCampaignRecipient)
        .where(mine)
        .order_by(AlertCampaignRecipient.score.desc(), AlertCampaignRecipient.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    total = session.scalar(select(func.count()).select_from(AlertCampaignRecipient).where(mine)) or 0
    return RecipientsPage(
        items=[
            RecipientOut(
                subscription_id=r.subscription_id,
                vacancy_ids=list(r.vacancy_ids),
                score=r.score,
                explanation=r.explanation,
                status=r.status,
            )
            for r in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


def approve(*, session: Session, queue: JobQueue, campaign_id: int, actor: Account) -> tuple[AlertCampaign, str]:
    """An HR officer of the vacancies' body approves a draft; its sending job is queued at commit."""
    campaign = _readable_campaign(session, campaign_id, actor)
    if actor.state_body_id != campaign.state_body_id:
        raise DomainError(FORBIDDEN, "only an HR officer of the vacancies' state body approves a campaign")
    if campaign.status != DRAFT:
        raise DomainError(CAMPAIGN_NOT_DRAFT, f"the campaign is {campaign.status}; only a draft can be approved")
    campaign.status, campaign.approved_by, campaign.approved_at = APPROVED, actor.id, utcnow()
    record(
        session,
        action="alerts.campaign_approved",
        entity_type="alert_campaign",
        entity_id=str(campaign.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={
            "before": {"status": DRAFT},
            "after": {"status": APPROVED},
            "recipients": campaign.recipients_count,
            "request_id": current_request_id(),
        },
    )
    job_id = queue.enqueue(
        SEND_CAMPAIGN, {"campaign_id": campaign.id}, dedupe_key=f"{SEND_CAMPAIGN}:{campaign.id}", session=session
    )
    return campaign, job_id


def cancel(*, session: Session, campaign_id: int, actor: Account) -> AlertCampaign:
    campaign = _readable_campaign(session, campaign_id, actor)
    if actor.state_body_id != campaign.state_body_id:
        raise DomainError(FORBIDDEN, "only an HR officer of the vacancies' state body cancels a campaign")
    if campaign.status not in (DRAFT, APPROVED):
        raise DomainError(CAMPAIGN_NOT_DRAFT, f"the campaign is {campaign.status}; it can no longer be cancelled")
    before = campaign.status
    campaign.status, campaign.cancelled_by, campaign.finished_at = CANCELLED, actor.id, utcnow()
    record(
        session,
        action="alerts.campaign_cancelled",
        entity_type="alert_campaign",
        entity_id=str(campaign.id),
        actor=str(actor.id),
        actor_role=actor.role,
        payload={"before": {"status": before}, "after": {"status": CANCELLED}, "request_id": current_request_id()},
    )
    return campaign
