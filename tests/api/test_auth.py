"""Sign-in, bearer tokens, the role gate and the administrator's account endpoints, through HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Account, StateBody
from app.auth.permissions import PERMISSIONS, all_of, allow, can, ensure_can, owner, role_in, same_state_body
from app.auth.security import issue_access_token, read_access_token, verify_password
from app.db import transaction, utcnow
from app.errors import DomainError, Kind
from tests.conftest import make_settings
from tests.factories.accounts import TEST_PASSWORD, auth_headers, make_account, make_state_body


def _account(app: FastAPI, role: str, **kwargs: object) -> Account:
    with transaction(app.state.sessions) as session:
        return make_account(session, role=role, **kwargs)  # type: ignore[arg-type]


def _count(app: FastAPI, model: type) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_password_sign_in_gives_a_bearer_token_for_me(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "commission_member", email="Member.One@Gov.kz", display_name="Member One", locale="ru")
    assert account.email == "member.one@gov.kz"
    response = client.post("/api/v1/auth/token", data={"username": "MEMBER.one@gov.kz ", "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type"}
    assert body["token_type"] == "bearer"
    claims = jwt.decode(body["access_token"], app.state.settings.secret_key, algorithms=["HS256"])
    assert claims["sub"] == str(account.id)
    assert claims["role"] == "commission_member"
    assert claims["exp"] - claims["iat"] == 60 * 60
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": account.id,
        "email": "member.one@gov.kz",
        "role": "commission_member",
        "state_body_id": None,
        "display_name": "Member One",
        "locale": "ru",
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("username", "password"), [("someone@gov.kz", "wrong-password"), ("nobody@gov.kz", TEST_PASSWORD)]
)
def test_a_wrong_password_or_unknown_email_is_the_same_401_problem(
    app: FastAPI, client: TestClient, username: str, password: str
) -> None:
    _account(app, "proctor", email="someone@gov.kz")
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["detail"] == "the e-mail or the password is wrong"
    assert "access_token" not in body


def test_a_switched_off_account_cannot_sign_in_nor_use_an_old_token(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "researcher", is_active=False)
    response = client.post("/api/v1/auth/token", data={"username": account.email, "password": TEST_PASSWORD})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    me = client.get("/api/v1/auth/me", headers=auth_headers(app, account))
    assert me.status_code == 401
    assert me.json()["code"] == "unauthorized"


def test_no_token_a_forged_token_and_an_expired_token_are_401_unauthorized(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "administrator")
    settings = app.state.settings
    forged = jwt.encode(
        {"sub": str(account.id), "role": "administrator", "exp": int((utcnow() + timedelta(hours=1)).timestamp())},
        "another-secret-of-enough-length-0123456789",
        algorithm="HS256",
    )
    expired = issue_access_token(
        account_id=account.id, role="administrator", settings=settings, now=utcnow() - timedelta(minutes=61)
    )
    cases = {
        None: "sign in and send the token as 'Authorization: Bearer <token>'",
        "Bearer not-a-jwt": "the token is not valid",
        f"Bearer {forged}": "the token is not valid",
        f"Bearer {expired}": "the token has expired; sign in again",
    }
    for header, detail in cases.items():
        headers = {"Authorization": header} if header else {}
        response = client.get("/api/v1/auth/me", headers=headers)
        assert response.status_code == 401, header
        assert response.json()["code"] == "unauthorized"
        assert response.json()["detail"] == detail
    # One minute short of the lifetime, the same construction still works.
    fresh = issue_access_token(
        account_id=account.id, role="administrator", settings=settings, now=utcnow() - timedelta(minutes=59)
    )
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_token_lifetime_comes_from_the_setting(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, f"sqlite:///{tmp_path / 'q.db'}", access_token_minutes=5)
    now = utcnow().replace(microsecond=0)
    claims = read_access_token(
        issue_access_token(account_id=7, role="proctor", settings=settings, now=now), settings=settings
    )
    assert (claims.account_id, claims.role, claims.expires_at) == (7, "proctor", now + timedelta(minutes=5))


def test_a_token_whose_role_no_longer_matches_the_account_is_refused(app: FastAPI, client: TestClient) -> None:
    account = _account(app, "proctor")
    headers = auth_headers(app, account)
    with transaction(app.state.sessions) as session:
        session.get(Account, account.id).role = "researcher"  # type: ignore[union-attr]
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "the account's role has changed; sign in again"


def test_administrator_creates_a_state_body_and_an_hr_officer_of_it(app: FastAPI, client: TestClient) -> None:
    admin = auth_headers(app, _account(app, "administrator"))
    events_before = _count(app, AuditEvent)
    response = client.post(
        "/api/v1/admin/state-bodies",
        headers=admin,
        json={
            "code": "MF-RK",
            "name_kk": "ҚР Қаржы министрлігі",
            "name_ru": "Министерство финансов РК",
            "region": "Astana",
        },
    )
    assert response.status_code == 201
    body_id = response.json()["id"]
    assert response.json() == {
        "id": body_id,
        "code": "MF-RK",
        "name_kk": "ҚР Қаржы министрлігі",
        "name_ru": "Министерство финансов РК",
        "region": "Astana",
    }
    response = client.post(
        "/api/v1/admin/accounts",
        headers=admin,
        json={
            "email": "HR@MinFin.gov.kz",
            "password": "a-long-password",
            "role": "hr_officer",
            "state_body_id": body_id,
            "display_name": "Әйгерім Нұрланқызы",
            "locale": "kk",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created == {
        "id": created["id"],
        "email": "hr@minfin.gov.kz",
        "role": "hr_officer",
        "state_body_id": body_id,
        "display_name": "Әйгерім Нұрланқызы",
        "locale": "kk",
        "is_active": True,
    }
    with app.state.sessions() as session:
        stored = session.get(Account, created["id"])
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert verify_password(stored.password_hash, "a-long-password")
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[events_before:]
    assert actions == ["state_body.created", "account.created"]
    token = client.post("/api/v1/auth/token", data={"username": "hr@minfin.gov.kz", "password": "a-long-password"})
    assert token.status_code == 200


def test_account_creation_problems(app: FastAPI, client: TestClient) -> None:
    admin = auth_headers(app, _account(app, "administrator"))
    existing = _account(app, "proctor")
    payload = {"email": "new@gov.kz", "password": "a-long-password", "display_name": "X"}
    cases = [
        ({**payload, "role": "hr_officer"}, 422, "state_body_required"),
        ({**payload, "role": "hr_officer", "state_body_id": 999}, 422, "state_body_not_found"),
        ({**payload, "role": "proctor", "email": existing.email.upper()}, 409, "email_already_registered"),
        ({**payload, "role": "candidate"}, 422, "validation_error"),
    ]
    accounts_before = _count(app, Account)
    for data, status, code in cases:
        response = client.post("/api/v1/admin/accounts", headers=admin, json=data)
        assert (response.status_code, response.json()["code"]) == (status, code), data
    assert _count(app, Account) == accounts_before
    with transaction(app.state.sessions) as session:
        make_state_body(session, code="TAKEN")
    response = client.post(
        "/api/v1/admin/state-bodies",
        headers=admin,
        json={"code": "TAKEN", "name_kk": "a", "name_ru": "b", "region": "c"},
    )
    assert (response.status_code, response.json()["code"]) == (409, "state_body_code_taken")


def test_only_administrators_reach_the_admin_endpoints(app: FastAPI, client: TestClient) -> None:
    roles = ("candidate", "hr_officer", "commission_member", "proctor", "researcher")
    accounts = {role: _account(app, role) for role in roles}
    bodies_before = _count(app, StateBody)
    for role in roles:
        headers = auth_headers(app, accounts[role])
        response = client.post(
            "/api/v1/admin/state-bodies",
            headers=headers,
            json={"code": "X1", "name_kk": "a", "name_ru": "b", "region": "c"},
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert response.json()["detail"] == f"this needs the role administrator; you are {role}"
    assert _count(app, StateBody) == bodies_before
    anonymous = client.post("/api/v1/admin/accounts", json={})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")


def test_hr_officer_helper_gets_a_state_body(app: FastAPI) -> None:
    hr = _account(app, "hr_officer")
    assert hr.state_body_id is not None


def test_object_rules_in_the_permission_table(app: FastAPI) -> None:
    with transaction(app.state.sessions) as session:
        body = make_state_body(session)
        hr = make_account(session, role="hr_officer", state_body_id=body.id)
        other_hr = make_account(session, role="hr_officer")
        researcher = make_account(session, role="researcher")

    class Thing:
        def __init__(self, state_body_id: int, account_id: int) -> None:
            self.state_body_id, self.account_id = state_body_id, account_id

    PERMISSIONS["test.thing.update"] = all_of(role_in("hr_officer"), same_state_body())
    try:
        thing = Thing(body.id, researcher.id)
        assert can(hr, "test.thing.update", thing)
        assert not can(other_hr, "test.thing.update", thing)
        assert not can(researcher, "test.thing.update", thing)
        allow("test.thing.update", owner())
        assert can(researcher, "test.thing.update", thing)
        with pytest.raises(DomainError) as refused:
            ensure_can(other_hr, "test.thing.update", thing)
        assert (refused.value.kind, refused.value.code) == (Kind.FORBIDDEN, "forbidden")
        with pytest.raises(KeyError):
            can(hr, "test.no.such.action", thing)
    finally:
        del PERMISSIONS["test.thing.update"]
