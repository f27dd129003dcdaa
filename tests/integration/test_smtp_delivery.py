"""E-mail notifications end to end: notify → outbox → queue job → a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import db
from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, CANDIDATE
from app.jobs.models import Job
from app.main import create_app
from app.notifications.jobs import NOT_CONFIGURED
from app.notifications.models import Notification, OutboxMessage
from app.notifications.service import SEND_EMAIL, notify
from tests.conftest import (
    REDIS_UP,
    REDIS_URL,
    make_settings,
    migrated_database,
)
from tests.factories.accounts import auth_headers, make_account
from tests.services import skip_or_fail

MAIL_FROM = "Irikteu <no-reply@irikteu.test>"
CONTEXT: dict[str, Any] = {
    "anonymous_code": "A-7K3Q9M",
    "vacancy_title": {"kk": "Бас маман", "ru": "Главный специалист"},
    "starts_at": datetime(2026, 3, 12, 5, 30, tzinfo=UTC),
}
EXPECTED = {
    "kk": (
        "Әңгімелесуге шақыру: Бас маман",
        "Құрметті үміткер!\n\n"
        "Сізді «Бас маман» бос лауазымына орналасу конкурсы бойынша конкурстық комиссиямен "
        "әңгімелесуге шақырамыз.\n\n"
        "Әңгімелесу уақыты: 12.03.2026 ж., сағат 10:30 (Астана уақытымен).\n"
        "Әңгімелесу бейнебайланыс арқылы өткізіледі, қосылуға арналған сілтеме жеке кабинетте "
        "орналастырылады.\n\n"
        "Дербес сәйкестендіру нөміріңіз: A-7K3Q9M.\n",
        "--\nҚұрметпен,\n«Іріктеу» жүйесі\nБұл хат автоматты түрде жіберілді, оған жауап берудің қажеті жоқ.\n",
    ),
    "ru": (
        "Приглашение на собеседование: Главный специалист",
        "Уважаемый кандидат!\n\n"
        "Приглашаем Вас на собеседование с конкурсной комиссией по конкурсу на занятие вакантной "
        "должности «Главный специалист».\n\n"
        "Дата и время собеседования: 12.03.2026 в 10:30 (по времени Астаны).\n"
        "Собеседование проводится по видеосвязи, ссылка для подключения будет размещена в личном кабинете.\n\n"
        "Ваш персональный идентификационный номер: A-7K3Q9M.\n",
        "--\nС уважением,\nсистема «Іріктеу»\nЭто письмо отправлено автоматически, отвечать на него не нужно.\n",
    ),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every letter and every login it saw."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.login == b"irikteu" and data.password == b"p@ss word")


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate, auth_require_tls=False
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _smtp_url(port: int) -> str:
    return f"smtp://irikteu:p%40ss%20word@127.0.0.1:{port}"


@pytest.fixture(
    params=[
        "sqlite+sqlite-queue",
        pytest.param("sqlite+redis-queue", marks=pytest.mark.redis),
        pytest.param("postgres+sqlite-queue", marks=pytest.mark.postgres),
    ]
)
def backends(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Both queue backends, and PostgreSQL once (four full combinations would double the file's time)."""
    database, queue = request.param.split("+")
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    if queue == "redis-queue":
        if not REDIS_UP:
            skip_or_fail("Redis does not answer on 127.0.0.1:6379; its variant of this test is skipped")
        queue_url = REDIS_URL
    with migrated_database(database, request, tmp_path) as url:
        yield url, queue_url


@pytest.fixture
def make_app(backends: tuple[str, str]) -> Iterator[Any]:
    database_url, queue_url = backends
    clients: list[TestClient] = []

    def build(**overrides: Any) -> tuple[FastAPI, TestClient]:
        settings = make_settings(
            database_url, queue_url, mail_from=MAIL_FROM, job_max_retries=2, smtp_timeout_seconds=5, **overrides
        )
        app = create_app(settings, start_consumer=True)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        app.state.queue.huey.flush()
        return app, client

    yield build
    for client in reversed(clients):
        client.app.state.queue.huey.flush()  # type: ignore[attr-defined]
        client.__exit__(None, None, None)


def _account(app: FastAPI, role: str = CANDIDATE) -> tuple[int, str]:
    with db.transaction(app.state.sessions) as session:
        account = make_account(session, role=role)
        return account.id, account.email


def _notify(app: FastAPI, account_id: int, address: str | None, locale: str, key: str) -> int:
    with db.transaction(app.state.sessions) as session:
        notification = notify(
            session=session,
            queue=app.state.queue,
            account_id=account_id,
            to_address=address,
            event="interview_scheduled",
            context=CONTEXT,
            locale=locale,
            dedupe_key=key,
        )
        return notification.id


def _wait_for_outbox(app: FastAPI, statuses: tuple[str, ...], seconds: float = 20.0) -> OutboxMessage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.state.sessions() as session:
            row: OutboxMessage | None = session.scalars(select(OutboxMessage)).first()
            if row is not None and row.status in statuses:
                return row
        time.sleep(0.05)
    raise AssertionError(f"no outbox message reached {statuses} in {seconds} s")


def _wait_for_jobs_done(app: FastAPI, seconds: float = 20.0) -> list[Job]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.state.sessions() as session:
            jobs = list(session.scalars(select(Job).where(Job.kind == SEND_EMAIL)))
        if jobs and all(job.status in ("succeeded", "failed") for job in jobs):
            return jobs
        time.sleep(0.05)
    raise AssertionError(f"send jobs did not finish in {seconds} s")


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_the_letter_arrives_with_the_exact_text_of_its_language(
    make_app: Any, smtp_server: tuple[Inbox, int], locale: str
) -> None:
    inbox, port = smtp_server
    app, _ = make_app(smtp_url=_smtp_url(port))
    account_id, address = _account(app)
    notification_id = _notify(app, account_id, address, locale, f"interview:1:{locale}")

    row = _wait_for_outbox(app, ("sent", "failed"))
    assert (row.status, row.attempts, row.last_error, row.notification_id) == ("sent", 1, None, notification_id)
    assert row.sent_at is not None and row.message_id is not None

    subject, body, footer = EXPECTED[locale]
    [letter] = inbox.messages
    assert letter["Subject"] == subject
    assert letter.get_content() == body + "\n" + footer
    assert (letter["From"], letter["To"], letter["Content-Language"]) == (MAIL_FROM, address, locale)
    assert (letter["Message-ID"], letter["Auto-Submitted"]) == (row.message_id, "auto-generated")
    assert letter.get_content_charset() == "utf-8"
    assert inbox.recipients == [[address]]
    assert inbox.logins == [("irikteu", "p@ss word")]
    with app.state.sessions() as session:
        notification = session.get(Notification, notification_id)
        assert notification is not None
        assert (notification.subject, notification.body, notification.locale) == (subject, body, locale)
        assert notification.payload == {
            "anonymous_code": "A-7K3Q9M",
            "starts_at": "2026-03-12 05:30:00+00:00",
            "vacancy_title": {"kk": "Бас маман", "ru": "Главный специалист"},
        }
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["notification.created", "outbox.sent"]

    # A sent letter is never sent again, even by an extra job for the same row.
    extra = app.state.queue.enqueue(SEND_EMAIL, {"outbox_id": row.id})
    jobs = _wait_for_jobs_done(app)
    assert {job.id: job.result for job in jobs}[extra] == {"outbox_id": row.id, "status": "sent", "skipped": True}
    assert len(inbox.messages) == 1


def test_a_rolled_back_decision_sends_nothing(make_app: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    app, _ = make_app(smtp_url=_smtp_url(port))
    account_id, address = _account(app)
    with pytest.raises(RuntimeError), db.transaction(app.state.sessions) as session:
        notify(
            session=session,
            queue=app.state.queue,
            account_id=account_id,
            to_address=address,
            event="interview_scheduled",
            context=CONTEXT,
            locale="kk",
            dedupe_key="interview:rolled-back",
        )
        raise RuntimeError("the decision failed after notifying")
    time.sleep(0.5)
    with app.state.sessions() as session:
        for model in (Notification, OutboxMessage, Job):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    assert app.state.queue.huey.pending_count() == 0
    assert inbox.messages == []


def test_the_same_dedupe_key_twice_delivers_once(make_app: Any, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    app, _ = make_app(smtp_url=_smtp_url(port))
    account_id, address = _account(app)
    first = _notify(app, account_id, address, "ru", "interview:7:candidate:3")
    second = _notify(app, account_id, address, "ru", "interview:7:candidate:3")
    assert first == second
    _wait_for_outbox(app, ("sent",))
    _wait_for_jobs_done(app)
    time.sleep(0.3)
    assert [m["Subject"] for m in inbox.messages] == [EXPECTED["ru"][0]]
    with app.state.sessions() as session:
        counts = [session.scalar(select(func.count()).select_from(m)) for m in (Notification, OutboxMessage, Job)]
    assert counts == [1, 1, 1]


def test_a_server_that_does_not_answer_is_retried_then_the_letter_is_failed(make_app: Any) -> None:
    port = _free_port()  # nothing listens there
    app, _ = make_app(smtp_url=f"smtp://127.0.0.1:{port}")
    account_id, address = _account(app)
    _notify(app, account_id, address, "kk", "interview:down")
    row = _wait_for_outbox(app, ("failed",))
    [job] = _wait_for_jobs_done(app)
    assert (row.attempts, job.status, job.attempts) == (3, "failed", 3)  # the first try and 2 retries
    assert row.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert row.sent_at is None
    with app.state.sessions() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.failed")).one()
    assert failed.payload == {"event": "interview_scheduled", "attempts": 3, "error": row.last_error}


def test_without_smtp_url_letters_wait_queued_and_the_outbox_shows_it(
    make_app: Any, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    app, client = make_app(smtp_url="")
    account_id, address = _account(app)
    _notify(app, account_id, address, "kk", "interview:no-smtp")
    [job] = _wait_for_jobs_done(app)
    assert job.result == {"outbox_id": 1, "status": "queued", "reason": "smtp_url_not_set"}
    with app.state.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.attempts, row.last_error) == ("queued", 0, NOT_CONFIGURED)
    with db.transaction(app.state.sessions) as session:
        admin = make_account(session, role=ADMINISTRATOR)
    response = client.get("/api/v1/admin/outbox", headers=auth_headers(app, admin))
    assert response.status_code == 200
    assert response.json() == {
        "counts": {"queued": 1, "sending": 0, "sent": 0, "failed": 0, "unknown": 0},
        "smtp_configured": False,
        "queued_reason": NOT_CONFIGURED,
        "recent_failures": [],
        "held": [],
    }
    assert inbox.messages == []

    # Once SMTP is set, the administrator releases the waiting letters and they go out.
    configured, configured_client = make_app(smtp_url=_smtp_url(port))
    released = configured_client.post("/api/v1/admin/outbox/release", headers=auth_headers(configured, admin))
    assert (released.status_code, released.json()) == (200, {"released": 1})
    sent = _wait_for_outbox(configured, ("sent",))
    assert (sent.attempts, sent.last_error) == (1, None)
    assert [m["Subject"] for m in inbox.messages] == [EXPECTED["kk"][0]]
