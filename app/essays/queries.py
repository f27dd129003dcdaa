"""Reading essays: one application's essay and a competition's submitted ones (for the essays domain and
the services beside it, such as the pre-scoring gate, that read essays without their workflow)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.competitions.models import Competition
from app.essays.models import Essay


def essay_of(*, session: Session, application_id: int) -> Essay | None:
    return session.scalars(select(Essay).where(Essay.application_id == application_id)).first()


def submitted_essays(
    *, session: Session, competition: Competition, offset: int = 0, limit: int | None = None
) -> Sequence[tuple[Essay, Application]]:
    """The locked essays of the competition with their applications, in application order (``limit`` of
    them from ``offset`` when given: one page of a list)."""
    query = (
        select(Essay, Application)
        .join(Application, Application.id == Essay.application_id)
        .where(Application.competition_id == competition.id, Essay.locked.is_(True))
        .order_by(Application.applied_at, Application.id)
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return [(essay, application) for essay, application in session.execute(query).all()]


def submitted_essay_count(*, session: Session, competition: Competition) -> int:
    """How many essays of the competition are submitted (locked)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Essay)
            .join(Application, Application.id == Essay.application_id)
            .where(Application.competition_id == competition.id, Essay.locked.is_(True))
        )
        or 0
    )
