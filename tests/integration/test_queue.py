"""The job queue on every queue backend that answers (Huey on SQLite, on Redis), end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import db
from app.auth.models import ADMINISTRATOR, HR_OFFICER
from app.job_registry import build_queue
from app.jobs.models import Job
from app.jobs.queue import STALE_AFTER, JobContext, JobQueue, build_huey, job_handler
from app.main import create_app
from tests.conftest import make_settings
from tests.factories.accounts import auth_headers, make_account

_calls: dict[str, int] = {}


@job_handler("test.flaky")
def _flaky(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    key = payload["key"]
    _calls[key] = _calls.get(key, 0) + 1
    context.progress(50, "half way")
    if _calls[key] <= payload["fail_times"]:
        raise RuntimeError(f"attempt {_calls[key]} fails")
    return {"calls": _calls[key]}


def _wait_for(sessions: Any, job_id: str, statuses: tuple[str, ...], seconds: float = 20.0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sessions() as session:
            job: Job | None = session.get(Job, job_id)
            if job is not None and job.status in statuses:
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {statuses} in {seconds} s")


@pytest.fixture
def running_queue(sqlite_url: str, queue_url: str) -> Any:
    settings = make_settings(sqlite_url, queue_url, job_max_retries=2)
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    queue.huey.flush()
    queue.start_consumer(workers=2)
    yield queue, sessions
    queue.stop_consumer()
    queue.huey.flush()
    engine.dispose()


def test_a_job_runs_and_records_its_result(running_queue: Any) -> None:
    queue, sessions = running_queue
    job_id = queue.enqueue("audit.verify_chain")
    job = _wait_for(sessions, job_id, ("succeeded",))
    assert job.result == {"events": 0, "valid": True, "first_bad_id": None, "reason": None}
    assert (job.progress, job.attempts) == (100.0, 1)


def test_a_failing_job_is_retried_without_counting_twice(running_queue: Any, request: Any) -> None:
    queue, sessions = running_queue
    key = request.node.name
    job_id = queue.enqueue("test.flaky", {"key": key, "fail_times": 1})
    job = _wait_for(sessions, job_id, ("succeeded", "failed"))
    assert (job.status, job.attempts, job.result) == ("succeeded", 2, {"calls": 2})
    assert _calls[key] == 2


def test_a_job_that_keeps_failing_ends_failed_after_its_retries(running_queue: Any, request: Any) -> None:
    queue, sessions = running_queue
    key = request.node.name
    job_id = queue.enqueue("test.flaky", {"key": key, "fail_times": 99})
    job = _wait_for(sessions, job_id, ("failed",))
    assert job.attempts == 3  # the first try and max_retries=2 more
    assert job.error == "RuntimeError('attempt 3 fails')"
    time.sleep(0.3)
    assert _calls[key] == 3


def test_the_same_dedupe_key_gives_the_same_job(running_queue: Any, request: Any) -> None:
    queue, sessions = running_queue
    key = request.node.name
    first = queue.enqueue("test.flaky", {"key": key, "fail_times": 0}, dedupe_key=f"once-{key}")
    second = queue.enqueue("test.flaky", {"key": key, "fail_times": 0}, dedupe_key=f"once-{key}")
    assert first == second
    _wait_for(sessions, first, ("succeeded",))
    time.sleep(0.3)
    assert _calls[key] == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.dedupe_key == f"once-{key}")) == 1


def test_a_job_enqueued_in_a_rolled_back_transaction_never_exists(sqlite_url: str, queue_url: str) -> None:
    settings = make_settings(sqlite_url, queue_url)
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    with pytest.raises(RuntimeError), db.transaction(sessions) as session:
        queue.enqueue("audit.verify_chain", session=session)
        raise RuntimeError("the surrounding change failed")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert queue.huey.pending_count() == 0
    with db.transaction(sessions) as session:
        job_id = queue.enqueue("audit.verify_chain", session=session)
        assert queue.huey.pending_count() == 0  # sent only at commit
    assert queue.huey.pending_count() == 1
    queue.huey.flush()
    assert job_id
    engine.dispose()


def test_a_job_abandoned_by_a_killed_worker_is_run_again(sqlite_url: str, queue_url: str, request: Any) -> None:
    settings = make_settings(sqlite_url, queue_url)
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    key = request.node.name
    job_id = queue.enqueue("test.flaky", {"key": key, "fail_times": 0})
    queue.huey.flush()  # the worker took the message and died: only the row is left
    with db.transaction(sessions) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.attempts = "running", 1
        job.heartbeat_at = db.utcnow() - STALE_AFTER - timedelta(seconds=1)
    assert queue.requeue_stale() == 1
    assert queue.requeue_stale() == 0
    queue.start_consumer(workers=1)
    try:
        job = _wait_for(sessions, job_id, ("succeeded",))
    finally:
        queue.stop_consumer()
    assert (job.attempts, job.result) == (2, {"calls": 1})
    engine.dispose()


def test_a_job_with_an_eta_runs_then_and_is_not_requeued_before(sqlite_url: str, queue_url: str, request: Any) -> None:
    settings = make_settings(sqlite_url, queue_url)
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    key = request.node.name
    later = queue.enqueue("test.flaky", {"key": key + "-later", "fail_times": 0}, eta=db.utcnow() + timedelta(hours=1))
    with db.transaction(sessions) as session:
        soon = queue.enqueue(
            "test.flaky", {"key": key, "fail_times": 0}, session=session, eta=db.utcnow() + timedelta(seconds=1)
        )
        assert queue.huey.pending_count() == 1  # the second is sent only at commit
    assert queue.huey.pending_count() == 2
    with db.transaction(sessions) as session:  # a scheduled job waiting for its eta is not abandoned
        session.get(Job, later).created_at = db.utcnow() - STALE_AFTER - timedelta(minutes=1)  # type: ignore[union-attr]
    assert queue.requeue_stale() == 0
    with pytest.raises(ValueError, match="aware"):
        queue.enqueue("test.flaky", {"key": key}, eta=db.utcnow().replace(tzinfo=None))
    queue.start_consumer(workers=1)
    try:
        job = _wait_for(sessions, soon, ("succeeded",))
        with sessions() as session:
            waiting = session.get(Job, later)
            assert waiting is not None and waiting.status == "queued"
    finally:
        queue.stop_consumer()
        queue.huey.flush()
    assert job.finished_at is not None and job.finished_at >= job.created_at + timedelta(seconds=1)
    assert _calls[key] == 1 and key + "-later" not in _calls
    engine.dispose()


def test_job_progress_and_result_are_readable_over_http(sqlite_url: str, queue_url: str) -> None:
    app = create_app(make_settings(sqlite_url, queue_url), start_consumer=True)
    with TestClient(app) as client:
        queue: JobQueue = app.state.queue
        job_id = queue.enqueue("audit.verify_chain")
        _wait_for(app.state.sessions, job_id, ("succeeded",))
        with db.transaction(app.state.sessions) as session:
            admin = auth_headers(app, make_account(session, role=ADMINISTRATOR))
            hr = auth_headers(app, make_account(session, role=HR_OFFICER))
        body = client.get(f"/api/v1/jobs/{job_id}", headers=admin).json()
        missing = client.get("/api/v1/jobs/nope", headers=admin)
        # a job that works on no object of theirs: nobody else reads it, and nobody without signing in
        refused = {
            "hr": client.get(f"/api/v1/jobs/{job_id}", headers=hr).status_code,
            "anonymous": client.get(f"/api/v1/jobs/{job_id}").status_code,
        }
        queue.huey.flush()
    assert refused == {"hr": 404, "anonymous": 401}
    assert (body["status"], body["progress"], body["kind"]) == ("succeeded", 100.0, "audit.verify_chain")
    assert body["result"]["valid"] is True
    assert missing.status_code == 404 and missing.json()["code"] == "job_not_found"


def test_a_worker_in_another_process_runs_the_jobs(sqlite_url: str, queue_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, queue_url)
    engine = db.make_engine(sqlite_url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    queue.huey.flush()
    job_id = queue.enqueue("audit.verify_chain")
    env = dict(
        os.environ,
        IRIKTEU_DATABASE_URL=sqlite_url,
        IRIKTEU_QUEUE_URL=queue_url,
        IRIKTEU_QUEUE_NAME=settings.queue_name,
        IRIKTEU_ENVIRONMENT="test",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "app", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path.cwd(),
    )
    try:
        job = _wait_for(sessions, job_id, ("succeeded",), seconds=120)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        queue.huey.flush()
    assert job.result is not None and job.result["valid"] is True
    engine.dispose()


def test_unknown_queue_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported queue URL"):
        build_huey("amqp://127.0.0.1", "x")
