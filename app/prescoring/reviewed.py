"""The commission's view of submitted essays, shared by the API and the commission's pages: each essay by
anonymous code with the reader's own score only, the pre-score as the review mode allows, and the flags."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import Account
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.essays import stages
from app.essays.models import Essay
from app.essays.schemas import MemberScoreOut
from app.prescoring.review import discussion_states
from app.prescoring.schemas import DiscussionOut, ReviewedEssayOut
from app.prescoring.views import reader, suggestion_views

STAGE = "essay"


def reviewed_essays(
    session: Session, competition: Competition, account: Account, rows: list[tuple[Essay, Application]]
) -> tuple[bool, list[ReviewedEssayOut]]:
    """``(stage_closed, essays)`` as ``account`` reads them: own score only, the pre-score and flags as the
    review mode allows (blind-first: a voting member sees neither before their own score)."""
    mine = stages.own_scores(session=session, scorer=account, application_ids=[a.id for _e, a in rows], stage=STAGE)
    closed = stages.closure(session=session, competition_id=competition.id, stage=STAGE) is not None
    who = reader(session, competition=competition, account=account, stage_closed=closed)
    scored = {application.id: application.id in mine for _essay, application in rows}
    suggestions = suggestion_views(session, who=who, essays=[essay for essay, _a in rows], scored=scored)
    states = discussion_states(
        session, application_ids=[a.id for _e, a in rows], policy=competitions.policy_of(competition)
    )
    essays = []
    for essay, application in rows:
        assert essay.submitted_at is not None and essay.content_hash is not None
        discussion = states[application.id].public() if who.sees_flags(scored[application.id]) else None
        own = stages.score_out(mine.get(application.id))
        essays.append(
            ReviewedEssayOut(
                anonymous_code=application.anonymous_code,
                language=essay.language,
                text=essay.text,
                word_count=essay.word_count,
                submitted_at=essay.submitted_at,
                content_hash=essay.content_hash,
                my_score=None if own is None else MemberScoreOut(**own),
                suggestion=suggestions[application.id],
                discussion=None if discussion is None else DiscussionOut(**discussion),
            )
        )
    return closed, essays
