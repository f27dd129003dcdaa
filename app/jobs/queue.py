"""The job queue: Huey on SQLite (embedded default) or Redis, carrying job ids only.

A job is a row in ``jobs`` plus one Huey message holding its id. The row says what
is true (queued, running, progress, result); the message only wakes a worker. A
worker that dies mid-job leaves a row in ``running`` whose heartbeat goes stale;
a periodic task puts such jobs back on the queue, so nothing is lost, and a job
that already succeeded is never run again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.db import transaction, utcnow
from app.jobs.models import Job
from app.settings import Settings, get_settings

log = logging.getLogger("irikteu.jobs")
_PENDING_KEY = "irikteu_jobs_to_send"

STALE_AFTER = timedelta(minutes=5)
"""A running job whose heartbeat is older than this is taken as abandoned and queued again
(the default of ``job_stale_after_seconds``)."""


class JobContext:
    """What a job handler gets: its job, a session factory, the settings and a progress reporter."""

    def __init__(
        self,
        job_id: str,
        sessions: sessionmaker[Session],
        settings: Settings | None = None,
        *,
        attempt: int = 1,
        max_retries: int = 0,
        queue: JobQueue | None = None,
    ) -> None:
        self.job_id = job_id
        self.sessions = sessions
        self.settings = settings or get_settings()
        self.attempt = attempt
        self.max_retries = max_retries
        self._queue = queue

    @property
    def queue(self) -> JobQueue:
        """The queue running this job, for a job that queues others (they land on the same storage)."""
        if self._queue is None:
            self._queue = queue_from_settings(self.settings, self.sessions)
        return self._queue

    @property
    def is_final_attempt(self) -> bool:
        """Whether a failure now ends the job (the first try plus ``max_retries`` retries are spent)."""
        return self.attempt > self.max_retries

    def progress(self, percent: float, note: str | None = None) -> None:
        """Record progress (0–100) and beat the heartbeat, in a transaction of its own."""
        bounded = max(0.0, min(100.0, float(percent)))
        with transaction(self.sessions) as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(progress=bounded, progress_note=note, heartbeat_at=utcnow())
            )


JobHandler = Callable[[JobContext, dict[str, Any]], dict[str, Any] | None]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that does the work of jobs of ``kind``."""

    def register(func: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not func:
            raise ValueError(f"job kind {kind!r} registered twice")
        _HANDLERS[kind] = func
        return func

    return register


_PERIODIC: dict[str, dict[str, str]] = {}


def periodic_job(kind: str, **schedule: str) -> None:
    """Enqueue a job of ``kind`` on a Huey ``crontab(**schedule)`` (in UTC), once per slot (a dedupe key);
    call it at import time of the module that registers ``kind``."""
    _PERIODIC[kind] = schedule


def registered_kinds() -> tuple[str, ...]:
    return tuple(sorted(_HANDLERS))


def build_huey(url: str, name: str) -> Huey:
    """A Huey instance for ``sqlite:///PATH``, ``redis://…`` or ``memory://``."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), utc=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, utc=True)
    if url == "memory://":
        return MemoryHuey(name, utc=True)
    raise ValueError(f"unsupported queue URL {url!r}: use sqlite:///PATH, redis://HOST:PORT/DB or memory://")


def queue_from_settings(settings: Settings, sessions: sessionmaker[Session]) -> JobQueue:
    """The queue the settings describe. It runs the kinds registered so far: a process that runs jobs builds
    it with ``app.job_registry.build_queue``, which registers every kind first."""
    return JobQueue(
        build_huey(settings.resolved_queue_url, settings.queue_name),
        sessions,
        max_retries=settings.job_max_retries,
        retry_delay=settings.job_retry_delay_seconds,
        settings=settings,
        stale_after=timedelta(seconds=settings.job_stale_after_seconds),
    )


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """A consumer for a thread inside another server: it leaves the signal handlers to the server."""

    def _set_signal_handlers(self) -> None:
        return None


@dataclass
class JobQueue:
    """The service's view of the queue: enqueue, run, recover; one per process."""

    huey: Huey
    sessions: sessionmaker[Session]
    max_retries: int = 3
    retry_delay: int = 10
    settings: Settings | None = None
    stale_after: timedelta = STALE_AFTER
    _consumer: Consumer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._task = self.huey.task(retries=self.max_retries, retry_delay=self.retry_delay, name="irikteu.run_job")(
            self.execute
        )
        self.huey.periodic_task(crontab(minute="*"), name="irikteu.requeue_stale_jobs")(self.requeue_stale)
        for kind, schedule in _PERIODIC.items():
            self._register_periodic(kind, schedule)

    def _register_periodic(self, kind: str, schedule: dict[str, str]) -> None:
        def enqueue_now() -> str:
            return self.enqueue(kind, {}, dedupe_key=f"periodic:{kind}:{utcnow():%Y-%m-%dT%H:%M}")

        self.huey.periodic_task(crontab(**schedule), name=f"irikteu.periodic.{kind}")(enqueue_now)

    # --- producing -------------------------------------------------------------------------
    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        dedupe_key: str | None = None,
        session: Session | None = None,
        eta: datetime | None = None,
    ) -> str:
        """Create the job row and queue it; with ``dedupe_key`` an existing job is returned instead.

        Given ``session``, the row is written in the caller's transaction and the message is
        sent when that transaction commits, so a rolled-back change never leaves a job behind.
        Given ``eta`` (an aware datetime), the job runs at that moment, not before.
        """
        if kind not in _HANDLERS:
            raise ValueError(f"unknown job kind {kind!r}")
        if eta is not None and eta.tzinfo is None:
            raise ValueError("eta must be an aware datetime")
        if session is not None:
            job_id = self._insert(session, kind, payload or {}, dedupe_key, eta)
            self._send_after_commit(session, job_id, eta)
            return job_id
        try:
            with transaction(self.sessions) as own:
                job_id = self._insert(own, kind, payload or {}, dedupe_key, eta)
        except IntegrityError:
            with self.sessions() as own:
                existing = own.scalars(select(Job.id).where(Job.dedupe_key == dedupe_key)).one()
            return existing
        self._send(job_id, eta)
        return job_id

    def _send(self, job_id: str, eta: datetime | None) -> None:
        if eta is None:
            self._task(job_id)
        else:
            self._task.schedule(args=(job_id,), eta=eta)

    def _send_after_commit(self, session: Session, job_id: str, eta: datetime | None = None) -> None:
        pending: list[tuple[str, datetime | None]] | None = session.info.get(_PENDING_KEY)
        if pending is None:
            pending = session.info[_PENDING_KEY] = []

            def _send(committed: Session) -> None:
                for queued_id, queued_eta in committed.info.pop(_PENDING_KEY, None) or []:
                    self._send(queued_id, queued_eta)

            def _drop(rolled_back: Session) -> None:
                rolled_back.info.pop(_PENDING_KEY, None)

            event.listen(session, "after_commit", _send, once=True)
            event.listen(session, "after_rollback", _drop, once=True)
        pending.append((job_id, eta))

    @staticmethod
    def _insert(
        session: Session, kind: str, payload: dict[str, Any], dedupe_key: str | None, eta: datetime | None = None
    ) -> str:
        if dedupe_key is not None:
            existing = session.scalars(select(Job.id).where(Job.dedupe_key == dedupe_key)).first()
            if existing is not None:
                return existing
        # A scheduled job is not expected to beat before its eta: dating its heartbeat there keeps
        # ``requeue_stale`` from taking the wait for an abandoned job and running it early.
        job = Job(
            id=str(uuid.uuid4()),
            kind=kind,
            status="queued",
            dedupe_key=dedupe_key,
            payload=payload,
            created_at=utcnow(),
            heartbeat_at=eta,
        )
        session.add(job)
        session.flush()
        return job.id

    # --- consuming -------------------------------------------------------------------------
    def execute(self, job_id: str) -> None:
        """Run one job (the Huey task). Succeeded jobs are skipped; failures are retried by Huey."""
        with transaction(self.sessions) as session:
            job = session.get(Job, job_id, with_for_update=True)
            if job is None or job.status in ("succeeded", "failed"):
                return
            beat = job.heartbeat_at
            if job.status == "running" and beat is not None and beat > utcnow() - self.stale_after:
                return  # another worker holds it (a duplicate message after a requeue)
            job.status, job.attempts = "running", job.attempts + 1
            job.started_at = job.started_at or utcnow()
            job.heartbeat_at = utcnow()
            kind, payload, attempt = job.kind, dict(job.payload), job.attempts
        handler = _HANDLERS[kind]
        try:
            context = JobContext(
                job_id, self.sessions, self.settings, attempt=attempt, max_retries=self.max_retries, queue=self
            )
            result = handler(context, payload)
        except Exception as exc:
            final = attempt > self.max_retries
            log.warning(
                "job failed",
                extra={"job_id": job_id, "kind": kind, "attempt": attempt, "final": final, "error": repr(exc)},
            )
            with transaction(self.sessions) as session:
                session.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(
                        status="failed" if final else "retrying",
                        error=repr(exc)[:2000],
                        finished_at=utcnow() if final else None,
                    )
                )
            if final:
                return
            raise
        with transaction(self.sessions) as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(
                    status="succeeded",
                    result=result or {},
                    error=None,
                    progress=100.0,
                    finished_at=utcnow(),
                    heartbeat_at=utcnow(),
                )
            )

    def requeue_stale(self) -> int:
        """Queue again the jobs whose worker stopped beating (killed mid-job); returns how many."""
        cutoff = utcnow() - self.stale_after
        with transaction(self.sessions) as session:
            stale = session.scalars(
                select(Job.id).where(
                    Job.status.in_(("running", "queued", "retrying")),
                    ((Job.heartbeat_at < cutoff) | (Job.heartbeat_at.is_(None) & (Job.created_at < cutoff))),
                )
            ).all()
            for job_id in stale:
                session.execute(update(Job).where(Job.id == job_id).values(status="queued", heartbeat_at=utcnow()))
        for job_id in stale:
            self._task(job_id)
        if stale:
            log.info("requeued stale jobs", extra={"count": len(stale)})
        return len(stale)

    # --- health and in-process consumer ------------------------------------------------------
    def ping(self) -> int:
        """Messages waiting; raises when the queue's storage does not answer."""
        return int(self.huey.pending_count())

    def start_consumer(self, workers: int = 2) -> None:
        with self._lock:
            if self._consumer is not None:
                return
            consumer = _QuietConsumer(
                self.huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=True
            )
            consumer.start()
            self._consumer = consumer

    def stop_consumer(self) -> None:
        with self._lock:
            if self._consumer is not None:
                self._consumer.stop(graceful=True)
                self._consumer = None

    @property
    def consumer_running(self) -> bool:
        return self._consumer is not None

    def run_worker(self, workers: int) -> None:
        """Block running a consumer in this process (``irikteu worker``), signals handled by Huey.

        First it queues again what a killed worker left running (a restart need not wait for the
        periodic sweep); a job another live worker holds has a fresh heartbeat and is left alone.
        """
        self.requeue_stale()
        Consumer(self.huey, workers=workers, worker_type="thread", periodic=True).run()
