"""The commission's review of the pre-scored essays: flags (``app.rules.essay_review``), the chair's recorded
discussion, and the review mode (blind first or assist)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.audit.events import audit
from app.auth.models import Account
from app.auth.permissions import can
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.models import CHAIR, SCORE_MEMBER, CommissionMember, Competition, MemberScore
from app.db import utcnow
from app.errors import FORBIDDEN, NOT_FOUND, VALIDATION_ERROR, DomainError
from app.essays.errors import STAGE_CLOSED
from app.essays.models import Essay
from app.mlops.service import is_enabled
from app.prescoring.errors import (
    ESSAY_DISCUSSION_REQUIRED,
    ESSAY_NOT_FLAGGED,
    NOT_COMMISSION_CHAIR,
    PRESCORING_MODE_LOCKED,
)
from app.prescoring.models import PRESCORING_MODES, SUGGESTED, EssayDiscussion, EssaySuggestion
from app.prescoring.registry import MODULE, STAGE
from app.prescoring.service import stage_closed
from app.rules.essay_review import Flag, essay_flags
from app.rules.policy import SelectionPolicy


@dataclass
class DiscussionState:
    """An essay's flags and the discussions recorded for it."""

    flags: list[Flag] = field(default_factory=list)
    discussions: list[EssayDiscussion] = field(default_factory=list)

    @property
    def discussed_keys(self) -> set[str]:
        return {str(reason.get("key")) for row in self.discussions for reason in row.reasons}

    @property
    def required(self) -> bool:
        """Whether a flag has no discussion yet (the stage cannot close)."""
        covered = self.discussed_keys
        return any(flag.key not in covered for flag in self.flags)

    def public(self) -> dict[str, Any]:
        """What the commission and the HR service see: kinds and gaps, never whose scores."""
        covered = self.discussed_keys
        return {
            "flagged": bool(self.flags),
            "required": self.required,
            "flags": [{"kind": flag.kind, "gap": flag.gap, "discussed": flag.key in covered} for flag in self.flags],
            "discussions": [
                {
                    "note": row.note,
                    "resolved_by": row.resolved_by,
                    "resolved_at": row.resolved_at,
                    "flags": [{"kind": r.get("kind"), "gap": r.get("gap")} for r in row.reasons],
                }
                for row in self.discussions
            ],
        }


def suggested_scores(session: Session, application_ids: Sequence[int]) -> dict[int, int]:
    """The pre-score of each application's essay, where one was suggested."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(EssaySuggestion.application_id, MemberScore.score)
        .join(MemberScore, MemberScore.id == EssaySuggestion.member_score_id)
        .where(EssaySuggestion.application_id.in_(application_ids), EssaySuggestion.status == SUGGESTED)
    ).all()
    return {application_id: score for application_id, score in rows}


def discussion_states(
    session: Session, *, application_ids: Sequence[int], policy: SelectionPolicy
) -> dict[int, DiscussionState]:
    """Flags and discussions of each application's essay (suggestion flags only while the module is on)."""
    states = {application_id: DiscussionState() for application_id in application_ids}
    if not application_ids:
        return states
    scores: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for application_id, scorer, score in session.execute(
        select(MemberScore.application_id, MemberScore.scorer_account_id, MemberScore.score).where(
            MemberScore.application_id.in_(application_ids),
            MemberScore.stage == STAGE,
            MemberScore.score_type == SCORE_MEMBER,
        )
    ).all():
        if scorer is not None:  # a member score always has its scorer (a check constraint)
            scores[application_id].append((scorer, score))
    suggested = suggested_scores(session, application_ids) if is_enabled(session, MODULE) else {}
    for row in session.scalars(
        select(EssayDiscussion).where(EssayDiscussion.application_id.in_(application_ids)).order_by(EssayDiscussion.id)
    ).all():
        states[row.application_id].discussions.append(row)
    for application_id in application_ids:
        states[application_id].flags = essay_flags(scores[application_id], suggested.get(application_id), policy)
    return states


def undiscussed_essays(session: Session, *, competition: Competition) -> list[str]:
    """Anonymous codes of the competition's flagged essays without a discussion of every flag."""
    # An essay no member has scored has no flag (every flag names a member's score): only scored ones are read.
    scored = select(MemberScore.application_id).where(
        MemberScore.stage == STAGE, MemberScore.score_type == SCORE_MEMBER
    )
    rows = session.execute(
        select(Application.id, Application.anonymous_code)
        .join(Essay, Essay.application_id == Application.id)
        .where(Application.competition_id == competition.id, Essay.locked.is_(True), Application.id.in_(scored))
        .order_by(Application.applied_at, Application.id)
    ).all()
    states = discussion_states(
        session,
        application_ids=[application_id for application_id, _c in rows],
        policy=competitions.policy_of(competition),
    )
    return [code for application_id, code in rows if states[application_id].required]


def ensure_discussed(session: Session, *, competition: Competition) -> None:
    """409 ``essay_discussion_required`` naming the flagged essays no discussion settled."""
    pending = undiscussed_essays(session, competition=competition)
    if pending:
        raise DomainError(
            ESSAY_DISCUSSION_REQUIRED,
            f"{len(pending)} flagged essay(s) need the commission's recorded discussion before the essay stage closes",
            anonymous_codes=pending,
        )


def _chair_id(session: Session, competition: Competition) -> int | None:
    return session.scalars(
        select(CommissionMember.account_id).where(
            CommissionMember.competition_id == competition.id, CommissionMember.role == CHAIR
        )
    ).first()


def record_discussion(
    *, session: Session, competition: Competition, anonymous_code: str, actor: Account, note: str
) -> DiscussionState:
    """The chair records the commission's discussion of a flagged essay; it settles the flags raised now."""
    if actor.id != _chair_id(session, competition):
        raise DomainError(NOT_COMMISSION_CHAIR, "only the chair of this competition's commission records a discussion")
    competitions.ensure_results_not_published(competition)
    if stage_closed(session, competition.id):
        raise DomainError(STAGE_CLOSED, "the essay stage of this competition is closed")
    application = session.scalars(
        select(Application).where(
            Application.competition_id == competition.id, Application.anonymous_code == anonymous_code
        )
    ).first()
    essay = (
        None
        if application is None
        else session.scalars(select(Essay).where(Essay.application_id == application.id)).first()
    )
    if application is None or essay is None or not essay.locked:
        raise DomainError(NOT_FOUND, f"no submitted essay {anonymous_code} in this competition")
    state = discussion_states(session, application_ids=[application.id], policy=competitions.policy_of(competition))[
        application.id
    ]
    if not state.flags:
        raise DomainError(ESSAY_NOT_FLAGGED, "this essay is not flagged for discussion")
    row = EssayDiscussion(
        application_id=application.id,
        stage=STAGE,
        reasons=[f.stored() for f in state.flags],
        resolved_by=actor.id,
        note=note,
        resolved_at=utcnow(),
    )
    session.add(row)
    session.flush()
    state.discussions.append(row)
    audit(
        session,
        actor=actor,
        action="essay.discussion_recorded",
        entity_type="application",
        entity_id=application.id,
        after={"flags": row.reasons, "note": note},
    )
    return state


def set_mode(*, session: Session, competition: Competition, mode: str, actor: Account) -> None:
    """Set ``blind_first`` or ``assist`` (HR of the body or the chair) before any member has scored an essay."""
    access = competition_access(session, competition)
    if not (can(actor, "competition.manage", access) or actor.id == _chair_id(session, competition)):
        raise DomainError(FORBIDDEN, "the HR service of the body or the commission's chair sets the review mode")
    if mode not in PRESCORING_MODES:
        raise DomainError(VALIDATION_ERROR, f"mode: one of {', '.join(PRESCORING_MODES)}")
    competitions.ensure_results_not_published(competition)
    if mode == competition.prescoring_mode:
        return
    scored = session.scalars(
        select(MemberScore.id)
        .join(Application, Application.id == MemberScore.application_id)
        .where(
            Application.competition_id == competition.id,
            MemberScore.stage == STAGE,
            MemberScore.score_type == SCORE_MEMBER,
        )
        .limit(1)
    ).first()
    if scored is not None:
        raise DomainError(
            PRESCORING_MODE_LOCKED, "members have started scoring essays; the review mode can no longer change"
        )
    before = competition.prescoring_mode
    competition.prescoring_mode = mode
    audit(
        session,
        actor=actor,
        action="competition.prescoring_mode_set",
        entity_type="competition",
        entity_id=competition.id,
        before={"prescoring_mode": before},
        after={"prescoring_mode": mode},
    )
