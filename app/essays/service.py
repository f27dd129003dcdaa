"""The essay (эссе) of managerial competitions: started, autosaved and submitted online by the candidate.

The deadline is the server's: ``started_at + essay_minutes`` of the competition's policy
snapshot. Word counts are the core's (``count_essay_words``). A submitted essay is locked:
its text never changes and its SHA-256 is kept. The commission reads essays by anonymous
code only; scoring and closing are in ``app.essays.stages``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.errors import APPLICATION_NOT_CONFIRMED
from app.applications.models import CONFIRMED, Application
from app.audit.events import audit
from app.auth.models import Account
from app.candidates.models import Candidate
from app.competitions import service as competitions
from app.competitions.errors import NO_ESSAY_STAGE
from app.competitions.models import Competition
from app.errors import NOT_FOUND, DomainError
from app.essays import stages
from app.essays.errors import (
    ESSAY_EMPTY,
    ESSAY_LOCKED,
    ESSAY_NOT_STARTED,
    ESSAY_OVER_WORD_LIMIT,
    ESSAY_TIME_OVER,
    ESSAY_TOPIC_MISSING,
    STAGE_NOT_REACHED,
)
from app.essays.models import Essay
from app.essays.prescore_queue import enqueue_prescore
from app.essays.queries import essay_of
from app.jobs.queue import JobQueue
from app.rules.member_scores import count_essay_words, essay_within_word_limit

STAGE = "essay"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def own_application(*, session: Session, application_id: int, actor: Account) -> tuple[Application, Competition]:
    """The candidate's own application and its competition (404 for anyone else's: its existence is private)."""
    application = session.get(Application, application_id)
    candidate = None if application is None else session.get(Candidate, application.candidate_id)
    if application is None or candidate is None or candidate.account_id != actor.id:
        raise DomainError(NOT_FOUND, f"no application {application_id} of yours")
    return application, competitions.get_competition(session=session, competition_id=application.competition_id)


def _ensure_may_write(session: Session, application: Application, competition: Competition) -> None:
    competitions.ensure_results_not_published(competition)
    if STAGE not in competition.stage_plan:
        raise DomainError(NO_ESSAY_STAGE, "a non-managerial competition has a practical assessment, not an essay")
    if application.status != CONFIRMED:
        raise DomainError(APPLICATION_NOT_CONFIRMED, "only a confirmed application takes the essay")
    stages.ensure_stage_open(session=session, competition_id=competition.id, stage=STAGE)


def start(*, session: Session, application_id: int, actor: Account, language: str, now: datetime) -> tuple[Essay, bool]:
    """Start the essay and its clock; ``(essay, created)``. A second start returns the same essay and deadline."""
    application, competition = own_application(session=session, application_id=application_id, actor=actor)
    existing = essay_of(session=session, application_id=application.id)
    if existing is not None:
        return existing, False
    _ensure_may_write(session, application, competition)
    if competition.essay_topic_kk is None or competition.essay_topic_ru is None:
        raise DomainError(ESSAY_TOPIC_MISSING, "the HR service has not set the essay topic yet")
    if application.anonymous_code not in stages.stage_entrants(session=session, competition=competition, stage=STAGE):
        raise DomainError(STAGE_NOT_REACHED, "you have not reached the essay stage")
    policy = competitions.policy_of(competition)
    essay = Essay(
        application_id=application.id,
        language=language,
        text="",
        started_at=now,
        deadline_at=now + timedelta(minutes=policy.essay_minutes),
        word_count=0,
        locked=False,
    )
    try:
        with session.begin_nested():
            session.add(essay)
    except IntegrityError:
        # A concurrent first start won (PostgreSQL; SQLite serialises writers at BEGIN).
        raced = essay_of(session=session, application_id=application.id)
        if raced is None:
            raise
        return raced, False
    audit(
        session,
        actor=actor,
        action="essay.started",
        entity_type="essay",
        entity_id=essay.id,
        after={
            "application_id": application.id,
            "language": language,
            "started_at": now.isoformat(),
            "deadline_at": essay.deadline_at.isoformat(),
            "essay_minutes": policy.essay_minutes,
        },
    )
    return essay, True


def _writable(session: Session, application_id: int, actor: Account, now: datetime) -> Essay:
    application, competition = own_application(session=session, application_id=application_id, actor=actor)
    essay = essay_of(session=session, application_id=application.id)
    if essay is None:
        raise DomainError(ESSAY_NOT_STARTED, "start the essay first")
    if essay.locked:
        raise DomainError(ESSAY_LOCKED, "the essay is submitted and locked")
    _ensure_may_write(session, application, competition)
    if now > essay.deadline_at:
        raise DomainError(
            ESSAY_TIME_OVER,
            f"the essay time ended at {essay.deadline_at.isoformat()}",
            deadline_at=essay.deadline_at.isoformat(),
        )
    return essay


def save_draft(
    *, session: Session, application_id: int, actor: Account, text: str, language: str | None, now: datetime
) -> Essay:
    """Autosave: the draft may be over the word limit; only the submission is held to it."""
    essay = _writable(session, application_id, actor, now)
    before = {"language": essay.language, "word_count": essay.word_count, "content_hash": content_hash(essay.text)}
    essay.text, essay.saved_at, essay.word_count = text, now, count_essay_words(text)
    if language is not None:
        essay.language = language
    session.flush()
    audit(
        session,
        actor=actor,
        action="essay.draft_saved",
        entity_type="essay",
        entity_id=essay.id,
        before=before,
        after={"language": essay.language, "word_count": essay.word_count, "content_hash": content_hash(text)},
    )
    return essay


def submit(
    *,
    session: Session,
    application_id: int,
    actor: Account,
    text: str | None,
    language: str | None,
    now: datetime,
    queue: JobQueue | None = None,
) -> Essay:
    """Lock the essay (with ``text`` as its final text when given).

    With ``queue``, the essay's pre-score (``essay_prescore``) is queued in this transaction:
    it is computed by a worker, never in the request. Callers without a queue (the demo seed)
    lock essays that get no pre-score until the HR service re-queues them.

    Submitting again returns the locked essay unless it brings a different text (409
    ``essay_locked``). After the deadline: 409 ``essay_time_over``; over the word limit or
    empty: 422 ``essay_over_word_limit`` / ``essay_empty``, and nothing is saved.
    """
    _application, competition = own_application(session=session, application_id=application_id, actor=actor)
    existing = essay_of(session=session, application_id=application_id)
    if (
        existing is not None
        and existing.locked
        and (text is None or text == existing.text)
        and (language is None or language == existing.language)
    ):
        return existing
    essay = _writable(session, application_id, actor, now)
    final = essay.text if text is None else text
    policy = competitions.policy_of(competition)
    words = count_essay_words(final)
    if not essay_within_word_limit(final, policy):
        raise DomainError(
            ESSAY_OVER_WORD_LIMIT,
            f"the essay has {words} words; the limit is {policy.essay_word_limit}",
            word_count=words,
            word_limit=policy.essay_word_limit,
        )
    if words == 0:
        raise DomainError(ESSAY_EMPTY, "an empty essay cannot be submitted")
    before = {"locked": False, "word_count": essay.word_count}
    essay.text, essay.word_count, essay.content_hash = final, words, content_hash(final)
    if language is not None:
        essay.language = language
    essay.saved_at = essay.submitted_at = now
    essay.locked = True
    session.flush()
    audit(
        session,
        actor=actor,
        action="essay.submitted",
        entity_type="essay",
        entity_id=essay.id,
        before=before,
        after={
            "locked": True,
            "language": essay.language,
            "word_count": words,
            "content_hash": essay.content_hash,
            "submitted_at": now.isoformat(),
        },
    )
    if queue is not None:
        enqueue_prescore(session=session, queue=queue, essay=essay)
    return essay
