"""The essay (эссе) of managerial competitions: started, autosaved and submitted online by the candidate.

The deadline is the server's: ``started_at + essay_minutes`` of the competition's policy
snapshot. Word counts are the core's (``count_essay_words``). A submitted essay is locked:
its text never changes and its SHA-256 is kept. The commission reads essays by anonymous
code only; scoring and closing are in ``app.essays.stages``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.auth.models import Account
from app.candidates.models import Candidate
from app.competitions import service as competitions
from app.competitions.events import audit
from app.competitions.models import Competition
from app.essays import stages
from app.essays.models import Essay
from app.jobs.queue import JobQueue
from app.prescoring import service as prescoring
from app.problems import ProblemError
from app.rules.member_scores import count_essay_words, essay_within_word_limit

STAGE = "essay"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def own_application(*, session: Session, application_id: int, actor: Account) -> tuple[Application, Competition]:
    """The candidate's own application and its competition (404 for anyone else's: its existence is private)."""
    application = session.get(Application, application_id)
    candidate = None if application is None else session.get(Candidate, application.candidate_id)
    if application is None or candidate is None or candidate.account_id != actor.id:
        raise ProblemError(f"no application {application_id} of yours", status=404, code="not_found")
    return application, competitions.get_competition(session=session, competition_id=application.competition_id)


def essay_of(*, session: Session, application_id: int) -> Essay | None:
    return session.scalars(select(Essay).where(Essay.application_id == application_id)).first()


def _ensure_may_write(session: Session, application: Application, competition: Competition) -> None:
    competitions.ensure_results_not_published(competition)
    if STAGE not in competition.stage_plan:
        raise ProblemError("a non-managerial competition has a practical assessment, not an essay",
                           status=409, code="no_essay_stage")
    if application.status != CONFIRMED:
        raise ProblemError("only a confirmed application takes the essay", status=409,
                           code="application_not_confirmed")
    stages.ensure_stage_open(session=session, competition_id=competition.id, stage=STAGE)


def start(*, session: Session, application_id: int, actor: Account, language: str,
          now: datetime) -> tuple[Essay, bool]:
    """Start the essay and its clock; ``(essay, created)``. A second start returns the same essay and deadline."""
    application, competition = own_application(session=session, application_id=application_id, actor=actor)
    existing = essay_of(session=session, application_id=application.id)
    if existing is not None:
        return existing, False
    _ensure_may_write(session, application, competition)
    if competition.essay_topic_kk is None or competition.essay_topic_ru is None:
        raise ProblemError("the HR service has not set the essay topic yet", status=409, code="essay_topic_missing")
    if application.anonymous_code not in stages.stage_entrants(session=session, competition=competition,
                                                               stage=STAGE):
        raise ProblemError("you have not reached the essay stage", status=409, code="stage_not_reached")
    policy = competitions.policy_of(competition)
    essay = Essay(application_id=application.id, language=language, text="", started_at=now,
                  deadline_at=now + timedelta(minutes=policy.essay_minutes), word_count=0, locked=False)
    try:
        with session.begin_nested():
            session.add(essay)
    except IntegrityError:
        # A concurrent first start won (PostgreSQL; SQLite serialises writers at BEGIN).
        raced = essay_of(session=session, application_id=application.id)
        if raced is None:
            raise
        return raced, False
    audit(session, actor=actor, action="essay.started", entity_type="essay", entity_id=essay.id,
          after={"application_id": application.id, "language": language, "started_at": now.isoformat(),
                 "deadline_at": essay.deadline_at.isoformat(), "essay_minutes": policy.essay_minutes})
    return essay, True


def _writable(session: Session, application_id: int, actor: Account, now: datetime) -> Essay:
    application, competition = own_application(session=session, application_id=application_id, actor=actor)
    essay = essay_of(session=session, application_id=application.id)
    if essay is None:
        raise ProblemError("start the essay first", status=409, code="essay_not_started")
    if essay.locked:
        raise ProblemError("the essay is submitted and locked", status=409, code="essay_locked")
    _ensure_may_write(session, application, competition)
    if now > essay.deadline_at:
        raise ProblemError(f"the essay time ended at {essay.deadline_at.isoformat()}", status=409,
                           code="essay_time_over", deadline_at=essay.deadline_at.isoformat())
    return essay


def save_draft(*, session: Session, application_id: int, actor: Account, text: str, language: str | None,
               now: datetime) -> Essay:
    """Autosave: the draft may be over the word limit; only the submission is held to it."""
    essay = _writable(session, application_id, actor, now)
    before = {"language": essay.language, "word_count": essay.word_count, "content_hash": content_hash(essay.text)}
    essay.text, essay.saved_at, essay.word_count = text, now, count_essay_words(text)
    if language is not None:
        essay.language = language
    session.flush()
    audit(session, actor=actor, action="essay.draft_saved", entity_type="essay", entity_id=essay.id, before=before,
          after={"language": essay.language, "word_count": essay.word_count, "content_hash": content_hash(text)})
    return essay


def submit(*, session: Session, application_id: int, actor: Account, text: str | None, language: str | None,
           now: datetime, queue: JobQueue | None = None) -> Essay:
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
    if existing is not None and existing.locked and (text is None or text == existing.text) \
            and (language is None or language == existing.language):
        return existing
    essay = _writable(session, application_id, actor, now)
    final = essay.text if text is None else text
    policy = competitions.policy_of(competition)
    words = count_essay_words(final)
    if not essay_within_word_limit(final, policy):
        raise ProblemError(f"the essay has {words} words; the limit is {policy.essay_word_limit}", status=422,
                           code="essay_over_word_limit", word_count=words, word_limit=policy.essay_word_limit)
    if words == 0:
        raise ProblemError("an empty essay cannot be submitted", status=422, code="essay_empty")
    before = {"locked": False, "word_count": essay.word_count}
    essay.text, essay.word_count, essay.content_hash = final, words, content_hash(final)
    if language is not None:
        essay.language = language
    essay.saved_at = essay.submitted_at = now
    essay.locked = True
    session.flush()
    audit(session, actor=actor, action="essay.submitted", entity_type="essay", entity_id=essay.id, before=before,
          after={"locked": True, "language": essay.language, "word_count": words,
                 "content_hash": essay.content_hash, "submitted_at": now.isoformat()})
    if queue is not None:
        prescoring.enqueue_prescore(session=session, queue=queue, essay=essay)
    return essay


def submitted_essays(*, session: Session, competition: Competition) -> Sequence[tuple[Essay, Application]]:
    """The locked essays of the competition with their applications, in application order."""
    rows = session.execute(
        select(Essay, Application).join(Application, Application.id == Essay.application_id)
        .where(Application.competition_id == competition.id, Essay.locked.is_(True))
        .order_by(Application.applied_at, Application.id)).all()
    return [(essay, application) for essay, application in rows]
