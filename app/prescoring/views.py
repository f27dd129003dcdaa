"""What a reader of the essays sees of the pre-score: by role, review mode and whether they scored already."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Account
from app.competitions.access import CompetitionAccess, competition_access
from app.competitions.models import Competition, MemberScore
from app.essays.models import Essay
from app.mlops.service import is_enabled
from app.prescoring.models import ASSIST, BLIND_FIRST, SUGGESTED, UNAVAILABLE, EssaySuggestion
from app.prescoring.registry import MODULE
from app.prescoring.texts import REASON_NOT_RUN, REASON_PENDING, REASON_SWITCHED_OFF, unavailable_message


@dataclass(frozen=True)
class Reader:
    """Who reads the commission's essay view and what they may see of the pre-scores."""

    account: Account
    voting_member: bool
    stage_closed: bool
    mode: str
    module_on: bool

    def sees_suggestion(self, scored_it: bool) -> bool:
        if self.voting_member:
            return self.stage_closed or self.mode == ASSIST or scored_it
        # the HR service, administrators and the secretary: once the scores are final
        return self.stage_closed

    def sees_flags(self, scored_it: bool) -> bool:
        """Flags tell how far apart the scores are: a voting member sees them after scoring themself."""
        return not self.voting_member or self.stage_closed or scored_it


def reader(
    session: Session,
    *,
    competition: Competition,
    account: Account,
    access: CompetitionAccess | None = None,
    stage_closed: bool,
) -> Reader:
    facts = access or competition_access(session, competition)
    return Reader(
        account=account,
        voting_member=account.id in facts.voting_member_account_ids,
        stage_closed=stage_closed,
        mode=competition.prescoring_mode or BLIND_FIRST,
        module_on=is_enabled(session, MODULE),
    )


def _unavailable(reason: str, model: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"status": UNAVAILABLE, "reason": reason, "message": unavailable_message(reason, model)}


def suggestion_out(row: EssaySuggestion, score: int) -> dict[str, Any]:
    return {
        "status": SUGGESTED,
        "score": score,
        "probabilities": dict(row.probabilities or {}),
        "confidence": row.confidence,
        "top_features": list(row.top_features),
        "model": dict(row.model),
        "suggested_at": row.created_at,
    }


def suggestion_views(
    session: Session, *, who: Reader, essays: Sequence[Essay], scored: Mapping[int, bool]
) -> dict[int, dict[str, Any]]:
    """The ``suggestion`` block of each essay (by application id) as ``who`` may see it.

    ``scored`` says per application whether ``who`` has given their own score.
    """
    views: dict[int, dict[str, Any]] = {}
    if not essays:
        return views
    rows = {
        row.essay_id: row
        for row in session.scalars(
            select(EssaySuggestion).where(EssaySuggestion.essay_id.in_([essay.id for essay in essays]))
        ).all()
    }
    scores = dict(
        session.execute(
            select(MemberScore.id, MemberScore.score).where(
                MemberScore.id.in_([row.member_score_id for row in rows.values() if row.member_score_id is not None])
            )
        ).all()
    )
    for essay in essays:
        row = rows.get(essay.id)
        if not who.module_on:
            views[essay.application_id] = _unavailable(REASON_SWITCHED_OFF)
        elif row is None:
            views[essay.application_id] = _unavailable(REASON_NOT_RUN if who.stage_closed else REASON_PENDING)
        elif row.status == UNAVAILABLE:
            views[essay.application_id] = _unavailable(str(row.reason), row.model)
        elif not who.sees_suggestion(scored.get(essay.application_id, False)):
            views[essay.application_id] = {
                "status": "hidden_until_you_score" if who.voting_member else "hidden_until_stage_closed"
            }
        else:
            assert row.member_score_id is not None
            views[essay.application_id] = suggestion_out(row, scores[row.member_score_id])
    return views


def essay_of_application(session: Session, application_id: int) -> Essay | None:
    return session.scalars(select(Essay).where(Essay.application_id == application_id)).first()
