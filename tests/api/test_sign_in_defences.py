"""Sign-in defences (issue 13): throttling, a temporary lock, audit, the password rule, token revocation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.auth.models import Account, SignInThrottle
from app.auth.passwords import password_problem
from app.auth.throttle import ACCOUNT_RULE
from app.db import transaction, utcnow
from app.main import create_app
from tests.conftest import make_settings
from tests.factories.accounts import TEST_PASSWORD, auth_headers, make_account

TOKEN = "/api/v1/auth/token"


def _account(app: FastAPI, role: str = "proctor", **kwargs: object) -> Account:
    with transaction(app.state.sessions) as session:
        return make_account(session, role=role, **kwargs)  # type: ignore[arg-type]


def _actions(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _sign_in(client: TestClient, email: str, password: str) -> tuple[int, str]:
    response = client.post(TOKEN, data={"username": email, "password": password})
    body = response.json()
    return response.status_code, body.get("code", "token" if "access_token" in body else "?")


def test_thirty_wrong_passwords_then_the_right_one_is_locked_and_audited(app: FastAPI, client: TestClient) -> None:
    account = _account(app, email="target@gov.kz")
    answers = [_sign_in(client, "target@gov.kz", f"wrong-guess-{n}") for n in range(30)]
    right = client.post(TOKEN, data={"username": "target@gov.kz", "password": TEST_PASSWORD})
    # The first few are checked and answered 401; then each must wait (a delay that doubles), and at
    # ACCOUNT_RULE.lock_after failures the e-mail is locked: even the right password is refused.
    free = ACCOUNT_RULE.free_failures
    assert answers[:free] == [(401, "invalid_credentials")] * free
    assert answers[free : ACCOUNT_RULE.lock_after] == [(429, "sign_in_throttled")] * (ACCOUNT_RULE.lock_after - free)
    assert answers[ACCOUNT_RULE.lock_after :] == [(429, "sign_in_locked")] * (30 - ACCOUNT_RULE.lock_after)
    assert right.status_code == 429 and right.json()["code"] == "sign_in_locked"
    assert right.headers["content-type"] == "application/problem+json"
    assert 0 < int(right.headers["retry-after"]) <= ACCOUNT_RULE.lock_minutes * 60
    assert right.json()["retry_after"] == int(right.headers["retry-after"])
    assert "access_token" not in right.json()

    failed = _actions(app, "auth.sign_in_failed")
    assert len(failed) == 31  # every failure, the refused right password included
    assert {event.entity_id for event in failed} == {str(account.id)}
    assert all("wrong-guess" not in str(event.payload) and TEST_PASSWORD not in str(event.payload) for event in failed)
    locked = _actions(app, "auth.sign_in_locked")
    assert [(event.entity_id, event.payload["scope"], event.payload["failures"]) for event in locked] == [
        (str(account.id), "account", ACCOUNT_RULE.lock_after)
    ]
    with app.state.sessions() as session:
        assert verify_chain(session).valid

    # Another account from another address is not affected by this e-mail's lock.
    other = _account(app, email="colleague@gov.kz")
    elsewhere = TestClient(app, client=("10.0.0.7", 40000))
    assert _sign_in(elsewhere, other.email, TEST_PASSWORD) == (200, "token")

    # When the lock has run out, the right password signs in and clears the count.
    with transaction(app.state.sessions) as session:
        session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == "target@gov.kz")
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert _sign_in(elsewhere, "target@gov.kz", TEST_PASSWORD) == (200, "token")
    with app.state.sessions() as session:
        row = session.scalars(select(SignInThrottle).where(SignInThrottle.key == "target@gov.kz")).one()
        assert (row.failures, row.locked_until) == (0, None)


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(app: FastAPI) -> None:
    _account(app, email="known@gov.kz")
    known = [
        _sign_in(TestClient(app, client=("10.0.1.1", 1)), "known@gov.kz", "not-the-password")
        for _ in range(ACCOUNT_RULE.lock_after + 2)
    ]
    unknown = [
        _sign_in(TestClient(app, client=("10.0.1.2", 1)), "nobody-here@gov.kz", "not-the-password")
        for _ in range(ACCOUNT_RULE.lock_after + 2)
    ]
    assert known == unknown
    assert known[-1] == (429, "sign_in_locked")


def test_the_address_is_throttled_across_many_emails(app: FastAPI) -> None:
    """Guessing one password against many e-mails from one address meets the address's delay."""
    guesser = TestClient(app, client=("10.9.9.9", 1))
    answers = [_sign_in(guesser, f"person{n}@gov.kz", "Spring2026!") for n in range(25)]
    assert answers[:20] == [(401, "invalid_credentials")] * 20
    assert (429, "sign_in_throttled") in answers[20:]
    account = _account(app, email="someone.else@gov.kz")
    assert _sign_in(guesser, account.email, TEST_PASSWORD)[0] == 429  # the address must wait, even for a good one
    assert _sign_in(TestClient(app, client=("10.9.9.10", 1)), account.email, TEST_PASSWORD) == (200, "token")


def test_the_counts_are_shared_by_every_api_process(database_url: str, tmp_path: Path) -> None:
    """Two app instances on one database (as two API processes): failures in one lock the other."""
    first = create_app(make_settings(database_url, f"sqlite:///{tmp_path / 'q1.db'}"), start_consumer=False)
    second = create_app(make_settings(database_url, f"sqlite:///{tmp_path / 'q2.db'}"), start_consumer=False)
    with TestClient(first) as one, TestClient(second) as two:
        _account(first, email="shared@gov.kz")
        for n in range(ACCOUNT_RULE.lock_after):
            client = one if n % 2 == 0 else two
            _sign_in(client, "shared@gov.kz", f"wrong-{n}")
        assert _sign_in(two, "shared@gov.kz", TEST_PASSWORD) == (429, "sign_in_locked")
        assert _sign_in(one, "shared@gov.kz", TEST_PASSWORD) == (429, "sign_in_locked")


def test_the_password_rule_refuses_short_common_and_monotonous_passwords() -> None:
    for weak in (
        "1111111111",
        "123456789",
        "qwertyuiop",
        "password123",
        "Qwerty12345",
        "abababababab",
        "йцукенгшщз",
        "1q2w3e4r5t",
        "aigerim@mail.kz",
    ):
        assert password_problem(weak, email="aigerim@mail.kz") is not None, weak
    for fine in ("demo-admin-2026", "correct horse battery", TEST_PASSWORD, "Жылқы-көк-аспан-7"):
        assert password_problem(fine) is None, fine


def test_an_administrator_cannot_give_a_staff_account_a_common_password(app: FastAPI, client: TestClient) -> None:
    admin = _account(app, "administrator")
    response = client.post(
        "/api/v1/admin/accounts",
        headers=auth_headers(app, admin),
        json={"email": "new.proctor@gov.kz", "password": "1111111111", "role": "proctor", "display_name": "P"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert response.json()["errors"][0]["pointer"] == "#/body/password"


def test_sign_out_revokes_the_token(app: FastAPI, client: TestClient) -> None:
    account = _account(app, email="leaving@gov.kz")
    token = client.post(TOKEN, data={"username": account.email, "password": TEST_PASSWORD}).json()["access_token"]
    other = client.post(TOKEN, data={"username": account.email, "password": TEST_PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/sign-out", headers=headers).status_code == 204
    for revoked in (token, other):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {revoked}"})
        assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    assert [event.entity_id for event in _actions(app, "auth.signed_out")] == [str(account.id)]
    fresh = client.post(TOKEN, data={"username": account.email, "password": TEST_PASSWORD}).json()["access_token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_password_change_revokes_earlier_tokens_and_checks_the_rule(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "candidate", email="changer@mail.kz")
    old = {
        "Authorization": "Bearer "
        + client.post(TOKEN, data={"username": account.email, "password": TEST_PASSWORD}).json()["access_token"]
    }
    weak = client.put(
        "/api/v1/auth/password", headers=old, json={"current_password": TEST_PASSWORD, "new_password": "1111111111"}
    )
    assert (weak.status_code, weak.json()["code"]) == (422, "validation_error")
    wrong = client.put(
        "/api/v1/auth/password",
        headers=old,
        json={"current_password": "not-my-password", "new_password": "a-fresh-pass-phrase"},
    )
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    changed = client.put(
        "/api/v1/auth/password",
        headers=old,
        json={"current_password": TEST_PASSWORD, "new_password": "a-fresh-pass-phrase"},
    )
    assert changed.status_code == 200
    new = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    assert client.get("/api/v1/auth/me", headers=new).status_code == 200
    assert _sign_in(client, account.email, TEST_PASSWORD) == (401, "invalid_credentials")
    assert _sign_in(client, account.email, "a-fresh-pass-phrase") == (200, "token")
    assert len(_actions(app, "auth.password_changed")) == 1


def test_a_stolen_token_cannot_guess_the_password_through_the_password_change(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "candidate", email="stolen@mail.kz")
    headers = auth_headers(app, account)
    answers = []
    for n in range(ACCOUNT_RULE.lock_after + 1):
        response = client.put(
            "/api/v1/auth/password",
            headers=headers,
            json={"current_password": f"guess-{n}", "new_password": "a-fresh-pass-phrase"},
        )
        answers.append((response.status_code, response.json()["code"]))
    assert answers[0] == (401, "invalid_credentials")
    assert answers[-1] == (429, "sign_in_locked")
    assert len(_actions(app, "auth.password_change_failed")) == ACCOUNT_RULE.lock_after + 1
    # The e-mail is locked for signing in too.
    assert _sign_in(client, account.email, TEST_PASSWORD) == (429, "sign_in_locked")
