"""Faults survived (issue 13): the API process killed with SIGKILL in a burst of test answers, SQLite under
concurrent writers with a busy reader, and a PostgreSQL connection cut in the middle of a request. Each
test is bounded in time; the figures are printed.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text

from app import db
from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.auth.security import issue_access_token
from app.db import transaction, utcnow
from app.exams import service as exams
from app.exams.forms import cached_form
from app.exams.models import TestAnswer, TestSession
from app.main import create_app
from app.rules.policy import SelectionPolicy
from tests.api._exam_sessions import BANK
from tests.conftest import PG_ADMIN_URL, _admin_execute, make_settings, migrated_database
from tests.factories.candidates import make_candidate

ROOT = Path(__file__).parents[2]
SECRET = "fault-tests-" + "s" * 40


def _http(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, Any]]:
    """One request with the standard library: (status, JSON body); ``OSError`` when the server is gone."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={**(headers or {}), **({"Content-Type": "application/json"} if data is not None else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(database_url: str, queue_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IRIKTEU_DATABASE_URL": database_url,
        "IRIKTEU_QUEUE_URL": queue_url,
        "IRIKTEU_SECRET_KEY": SECRET,
        "IRIKTEU_ENVIRONMENT": "test",
        "IRIKTEU_RUN_CONSUMER_IN_PROCESS": "false",
        "IRIKTEU_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if _http("GET", f"http://127.0.0.1:{port}/health", timeout=1)[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not answer within 120 s")


def _running_session(database_url: str, tmp_path: Path) -> tuple[int, str, list[tuple[str, str]]]:
    """A candidate with a running state-language test session: its id, a token, and (item, option) pairs."""
    app = create_app(
        make_settings(database_url, f"sqlite:///{tmp_path / 'setup-q.db'}", secret_key=SECRET), start_consumer=False
    )
    with TestClient(app), transaction(app.state.sessions) as session:
        candidate = make_candidate(session, secret_key=SECRET, email=f"burst-{uuid.uuid4().hex[:6]}@mail.kz")
        now = utcnow()
        booking = exams.book(
            session=session,
            actor=candidate.account,
            bank=BANK,
            policy=SelectionPolicy(),
            today=date(2020, 1, 6),
            now=now - timedelta(minutes=5),
            programme="state_language",
            language="kk",
            starts_at=now - timedelta(minutes=1),
            application_id=None,
            seed=7,
        )
        test_session = exams.start(
            session=session,
            queue=app.state.queue,
            booking_id=booking.id,
            actor=candidate.account,
            now=now,
            settings=app.state.settings,
        )
        form = cached_form(session, test_session.form_hash)
        token = issue_access_token(account_id=candidate.account.id, role="candidate", settings=app.state.settings)
        answers = [(item.id, item.option_ids[n % len(item.option_ids)]) for n, item in enumerate(form.items)]
        return test_session.id, token, answers


def test_sigkill_in_a_burst_of_answers_loses_no_acknowledged_answer_and_stores_none_twice(
    database_url: str, tmp_path: Path
) -> None:
    queue_url = f"sqlite:///{tmp_path / 'q.db'}"
    session_id, token, answers = _running_session(database_url, tmp_path)
    headers = {"Authorization": f"Bearer {token}"}
    port = _free_port()
    log = tmp_path / "server.log"
    server = _serve(database_url, queue_url, port, log)
    base = f"http://127.0.0.1:{port}/api/v1/test-sessions/{session_id}"
    status, first = _http("GET", base, headers=headers)
    first_read = time.monotonic()
    assert status == 200, (first, log.read_text()[-3000:])
    before = first["remaining_seconds"]
    # Every answer three times (changes of mind), each with its own request id.
    requests = [(item, option, f"r{n}-{item}") for n, (item, option) in enumerate(answers * 3)]
    acknowledged: dict[str, dict[str, Any]] = {}
    failed: list[tuple[str, str, str]] = []
    lock = threading.Lock()
    killed = threading.Event()

    def send(request: tuple[str, str, str]) -> None:
        item, option, request_id = request
        try:
            status, answer = _http(
                "PUT",
                f"{base}/answers/{item}",
                headers=headers,
                body={"option": option, "client_request_id": request_id},
            )
        except (OSError, http.client.HTTPException):  # refused, reset or cut off mid-body: not acknowledged
            with lock:
                failed.append(request)
            return
        with lock:
            if status == 200:
                acknowledged[request_id] = answer
            else:
                failed.append(request)
            if len(acknowledged) >= len(requests) // 3 and not killed.is_set():
                killed.set()
                server.send_signal(signal.SIGKILL)  # mid-burst: other answers are in flight

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(send, requests))
    server.wait(timeout=30)
    assert killed.is_set() and server.returncode == -signal.SIGKILL

    server = _serve(database_url, queue_url, port, log)
    try:
        # After the restart the candidate resumes: the remaining time runs from the stored deadline.
        resumed = _http("GET", base, headers=headers)[1]
        elapsed = time.monotonic() - first_read
        assert (resumed["status"], resumed["deadline"]) == ("running", first["deadline"])
        # Counted by the server from the stored deadline: what was left, less the wall time since (±2 s).
        assert abs((before - resumed["remaining_seconds"]) - elapsed) <= 2
        # The client sends again what was not acknowledged, with the same request ids.
        retried = [
            _http(
                "PUT",
                f"{base}/answers/{item}",
                headers=headers,
                body={"option": option, "client_request_id": request_id},
            )
            for item, option, request_id in failed
        ]
        assert all(status == 200 for status, _ in retried), retried
        stored_again = {answer["client_request_id"]: answer["created"] for _, answer in retried}
        page = _http("GET", base, headers=headers)[1]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    engine_app = create_app(make_settings(database_url, queue_url, secret_key=SECRET), start_consumer=False)
    with TestClient(engine_app), engine_app.state.sessions() as session:
        rows = session.scalars(select(TestAnswer).where(TestAnswer.session_id == session_id)).all()
        per_request = Counter(row.client_request_id for row in rows)
        test_session = session.get(TestSession, session_id)
        assert test_session is not None
        deadline = test_session.deadline
    # Every acknowledged answer is stored exactly once, with what the acknowledgement said.
    assert set(acknowledged) <= set(per_request)
    assert all(count == 1 for count in per_request.values())
    stored = {row.client_request_id: row for row in rows}
    assert all(
        stored[rid].option == ack["option"] and stored[rid].item_id == ack["item_id"]
        for rid, ack in acknowledged.items()
    )
    # A request that was in flight at the kill was either committed (the retry finds it: created=False)
    # or not (the retry stores it now); never both.
    assert len(rows) == len(requests)
    # The latest answer of each item counts (every round gave the same option here).
    assert page["answers"] == {item: option for item, option in answers}
    assert abs((deadline - utcnow()).total_seconds() - (before - (time.monotonic() - first_read))) <= 3
    print(
        f"\nSIGKILL burst ({database_url.split(':')[0]}): {len(requests)} answers sent, "
        f"{len(acknowledged)} acknowledged before the kill, "
        f"{len(failed)} cut off and retried ({sum(not c for c in stored_again.values())} of them had been stored), "
        f"{len(rows)} stored, 0 twice; seconds left {before} before, {resumed['remaining_seconds']} after"
    )


def test_sqlite_under_concurrent_writers_and_a_busy_reader_never_says_database_is_locked(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", secret_key=SECRET), start_consumer=False
    )
    writers, changes = 8, 12
    with TestClient(app):
        with transaction(app.state.sessions) as session:
            accounts = [
                make_candidate(session, secret_key=SECRET, email=f"writer{n}@mail.kz").account for n in range(writers)
            ]
            tokens = [
                issue_access_token(account_id=a.id, role="candidate", settings=app.state.settings) for a in accounts
            ]
        path = sqlite_url.removeprefix("sqlite:///")
        stop = threading.Event()
        reads: Counter[str] = Counter()

        def busy_reader() -> None:
            # A reader that keeps a read transaction open across the burst, re-opening it in a loop.
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            while not stop.is_set():
                connection.execute("BEGIN")
                reads["rows"] += connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
                time.sleep(0.3)
                connection.execute("COMMIT")
                reads["transactions"] += 1
            connection.close()

        def outside_writer() -> None:
            # Another process's writer (a backup script, the worker) that holds the write lock a while.
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("UPDATE accounts SET display_name = display_name WHERE id = 1")
                time.sleep(0.5)
                connection.execute("COMMIT")
                reads["outside_writes"] += 1
                time.sleep(0.1)
            connection.close()

        def writer(token: str) -> list[int]:
            client = TestClient(app, raise_server_exceptions=False)
            statuses = []
            for change in range(changes):
                response = client.put(
                    "/api/v1/candidates/me/consents",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"talent_pool": change % 2 == 0, "vacancy_alerts": change % 3 == 0},
                )
                statuses.append(response.status_code)
                if response.status_code != 200:
                    assert "database is locked" not in response.text
            return statuses

        background = [threading.Thread(target=busy_reader), threading.Thread(target=outside_writer)]
        for thread in background:
            thread.start()
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=writers) as pool:
                statuses = [status for result in pool.map(writer, tokens) for status in result]
        finally:
            stop.set()
            for thread in background:
                thread.join(timeout=30)
        took = time.monotonic() - started
        with app.state.sessions() as session:
            changed = session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "candidate.consents_changed")
            )
            chain = verify_chain(session)
    assert Counter(statuses) == {200: writers * changes}
    assert changed == writers * changes and chain.valid
    assert reads["transactions"] > 0 and reads["outside_writes"] > 0
    print(
        f"\nSQLite contention: {writers} writers x {changes} changes = {len(statuses)} requests in {took:.1f} s, "
        f"all 200; {reads['transactions']} read transactions and {reads['outside_writes']} outside write "
        f"transactions meanwhile; 0 'database is locked'"
    )


def test_a_postgresql_connection_cut_mid_request_is_a_clean_problem_and_writes_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``pg_terminate_backend`` on the service's own connection between a request's two writes."""
    with migrated_database("postgres", request, tmp_path) as url:
        app = create_app(make_settings(url, f"sqlite:///{tmp_path / 'q.db'}", secret_key=SECRET), start_consumer=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            with transaction(app.state.sessions) as session:
                candidate = make_candidate(session, secret_key=SECRET, email="cut@mail.kz")
                headers = {
                    "Authorization": "Bearer "
                    + issue_access_token(account_id=candidate.account.id, role="candidate", settings=app.state.settings)
                }
            cut: list[int] = []

            @event.listens_for(app.state.engine, "before_cursor_execute")
            def _terminate(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                # The consents' UPDATE has run in this transaction; the audit event's INSERT is next.
                if not cut and statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
                    pid = conn.connection.dbapi_connection.info.backend_pid
                    cut.append(pid)
                    _admin_execute(f"SELECT pg_terminate_backend({pid})")
                    _wait_until_gone(pid)

            response = client.put("/api/v1/candidates/me/consents", headers=headers, json={"talent_pool": True})
            event.remove(app.state.engine, "before_cursor_execute", _terminate)
            assert cut, "the request never reached its audit event"
            assert (response.status_code, response.headers["content-type"]) == (503, "application/problem+json")
            assert response.json()["code"] == "database_unavailable"
            assert response.headers["retry-after"] == "1"
            # Nothing half-written: the consents are as before and no event recorded the change.
            with app.state.sessions() as session:
                changed = session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == "candidate.consents_changed")
                )
                assert changed == 0 and verify_chain(session).valid
            assert client.get("/api/v1/candidates/me", headers=headers).json()["consents"]["talent_pool"] is False
            # The pool drops the dead connection: the same request again goes through.
            again = client.put("/api/v1/candidates/me/consents", headers=headers, json={"talent_pool": True})
            assert again.status_code == 200 and again.json()["talent_pool"] is True
    print(
        f"\npg_terminate_backend: backend {cut[0]} cut between the UPDATE and the audit INSERT -> 503 "
        "database_unavailable, 0 rows changed, the retry 200"
    )


def _wait_until_gone(pid: int) -> None:
    engine = db.make_engine(PG_ADMIN_URL)
    try:
        for _ in range(100):
            with engine.connect() as connection:
                if connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}) == 0:
                    return
            time.sleep(0.05)
    finally:
        engine.dispose()


pytestmark = pytest.mark.timeout(600)
