"""In-app notifications through the HTTP API with real tokens, and what ``notify`` writes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import db
from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, CANDIDATE, HR_OFFICER, Account
from app.jobs.models import Job
from app.notifications.models import Notification, OutboxMessage
from app.notifications.service import notify
from app.notifications.templates import TemplateProblem
from tests.factories.accounts import auth_headers, make_account

RESULTS = {
    "vacancy_title": {"kk": "Бас маман", "ru": "Главный специалист"},
    "state_body_name": {"kk": "Қаржы министрлігі", "ru": "Министерство финансов"},
    "published_on": date(2026, 3, 12),
}


def _account(app: FastAPI, role: str = CANDIDATE) -> Account:
    with db.transaction(app.state.sessions) as session:
        return make_account(session, role=role)


def _notify(
    app: FastAPI,
    account: Account,
    key: str,
    *,
    locale: str = "kk",
    address: str | None = None,
    event: str = "results_published",
    context: dict[str, Any] | None = None,
) -> int:
    with db.transaction(app.state.sessions) as session:
        return notify(
            session=session,
            queue=app.state.queue,
            account_id=account.id,
            to_address=address,
            event=event,
            context=context or RESULTS,
            locale=locale,
            dedupe_key=key,
        ).id


def _count(app: FastAPI, model: Any) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_list_is_the_accounts_own_newest_first_with_the_unread_count(app: FastAPI, client: TestClient) -> None:
    me, other = _account(app), _account(app, HR_OFFICER)
    first = _notify(app, me, "results:1:me", locale="kk")
    second = _notify(app, me, "results:2:me", locale="ru")
    _notify(app, other, "results:1:other")

    response = client.get("/api/v1/notifications", headers=auth_headers(app, me))
    assert response.status_code == 200
    page = response.json()
    assert [item["id"] for item in page["items"]] == [second, first]
    assert (page["total"], page["unread"], page["limit"], page["offset"]) == (2, 2, 20, 0)
    newest = page["items"][0]
    assert newest["subject"] == "Итоги конкурса опубликованы: Главный специалист"
    assert newest["body"] == (
        "Здравствуйте!\n\n12.03.2026 опубликованы итоги конкурса на занятие вакантной "
        "должности «Главный специалист» (Министерство финансов).\n\n"
        "С протоколом и результатами конкурса можно ознакомиться в личном кабинете.\n"
    )
    assert (newest["event"], newest["locale"], newest["read_at"]) == ("results_published", "ru", None)
    assert newest["payload"] == {
        "vacancy_title": {"kk": "Бас маман", "ru": "Главный специалист"},
        "state_body_name": {"kk": "Қаржы министрлігі", "ru": "Министерство финансов"},
        "published_on": "2026-03-12",
    }
    assert page["items"][1]["subject"] == "Конкурс қорытындылары жарияланды: Бас маман"

    paged = client.get("/api/v1/notifications?limit=1&offset=1", headers=auth_headers(app, me)).json()
    assert ([item["id"] for item in paged["items"]], paged["total"]) == ([first], 2)


def test_reading_marks_once_and_another_accounts_notification_is_not_found(app: FastAPI, client: TestClient) -> None:
    me, other = _account(app), _account(app)
    mine = _notify(app, me, "results:mine")
    theirs = _notify(app, other, "results:theirs")
    headers = auth_headers(app, me)

    read = client.post(f"/api/v1/notifications/{mine}/read", headers=headers)
    assert read.status_code == 200
    read_at = read.json()["read_at"]
    assert read_at is not None
    again = client.post(f"/api/v1/notifications/{mine}/read", headers=headers)
    assert (again.status_code, again.json()["read_at"]) == (200, read_at)
    assert client.get("/api/v1/notifications", headers=headers).json()["unread"] == 0

    for missing in (theirs, 999_999):
        response = client.post(f"/api/v1/notifications/{missing}/read", headers=headers)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    with app.state.sessions() as session:
        unread = session.get(Notification, theirs)
        assert unread is not None and unread.read_at is None
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "notification.read")).all()
    assert [(event.entity_id, event.actor, event.actor_role) for event in reads] == [(str(mine), str(me.id), CANDIDATE)]


def test_the_api_needs_a_token_and_the_outbox_needs_an_administrator(app: FastAPI, client: TestClient) -> None:
    assert client.get("/api/v1/notifications").json()["code"] == "unauthorized"
    assert client.get("/api/v1/notifications", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    candidate, admin = _account(app), _account(app, ADMINISTRATOR)
    denied = client.get("/api/v1/admin/outbox", headers=auth_headers(app, candidate))
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")
    assert client.post("/api/v1/admin/outbox/release", headers=auth_headers(app, candidate)).status_code == 403
    decision = {"decision": "mark_sent"}
    refused = client.post("/api/v1/admin/outbox/1/decision", headers=auth_headers(app, candidate), json=decision)
    assert refused.status_code == 403
    missing = client.post("/api/v1/admin/outbox/1/decision", headers=auth_headers(app, admin), json=decision)
    assert (missing.status_code, missing.json()["code"]) == (404, "outbox_message_not_found")
    allowed = client.get("/api/v1/admin/outbox", headers=auth_headers(app, admin))
    assert allowed.status_code == 200
    assert allowed.json() == {
        "counts": {"queued": 0, "sending": 0, "sent": 0, "failed": 0, "unknown": 0},
        "smtp_configured": False,
        "queued_reason": None,
        "recent_failures": [],
        "held": [],
    }


def test_without_an_address_only_the_in_app_notification_is_written(app: FastAPI) -> None:
    account = _account(app)
    _notify(app, account, "results:in-app-only")
    assert [_count(app, model) for model in (Notification, OutboxMessage, Job)] == [1, 0, 0]


def test_an_address_writes_one_outbox_row_and_one_send_job(app: FastAPI) -> None:
    account = _account(app)
    first = _notify(app, account, "results:with-mail", address=account.email)
    again = _notify(app, account, "results:with-mail", address=account.email)
    assert first == again
    with app.state.sessions() as session:
        outbox = session.scalars(select(OutboxMessage)).one()
        job = session.scalars(select(Job)).one()
    assert (outbox.to_address, outbox.status, outbox.notification_id, outbox.dedupe_key) == (
        account.email,
        "queued",
        first,
        "results:with-mail",
    )
    assert outbox.body.endswith(
        "\n--\nҚұрметпен,\n«Іріктеу» жүйесі\nБұл хат автоматты түрде жіберілді, оған жауап берудің қажеті жоқ.\n"
    )
    assert (job.kind, job.payload, job.dedupe_key) == (
        "notifications.send_email",
        {"outbox_id": outbox.id},
        f"notifications.send_email:{outbox.id}",
    )


@pytest.mark.parametrize(
    ("event", "context", "locale", "message"),
    [
        ("no_such_event", RESULTS, "kk", "unknown notification event 'no_such_event'"),
        (
            "results_published",
            {"vacancy_title": "x", "state_body_name": "y"},
            "kk",
            "results_published: missing variable(s) published_on",
        ),
        ("results_published", RESULTS, "en", "unknown locale 'en'; use one of kk, ru"),
        (
            "stage_passed",
            {"anonymous_code": "A-1", "vacancy_title": "x", "stage": "dancing"},
            "ru",
            "unknown stage 'dancing'; known: eligibility, personal_qualities, reasoning, essay, practical, "
            "interview, final",
        ),
    ],
)
def test_a_bad_event_locale_or_context_is_an_error_and_writes_nothing(
    app: FastAPI, event: str, context: dict[str, Any], locale: str, message: str
) -> None:
    account = _account(app)
    with pytest.raises(TemplateProblem) as raised:
        _notify(app, account, "bad", event=event, context=context, locale=locale, address=account.email)
    assert str(raised.value) == message
    assert [_count(app, model) for model in (Notification, OutboxMessage, Job)] == [0, 0, 0]


def test_a_malformed_address_is_refused(app: FastAPI) -> None:
    account = _account(app)
    with pytest.raises(ValueError, match="not an e-mail address"):
        _notify(app, account, "bad-address", address="someone@example.kz\r\nBcc: all@example.kz")
    assert _count(app, Notification) == 0
