"""Candidate self-registration, the personal file and consents, through HTTP with real tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.audit.models import AuditEvent
from app.auth.crypto import decrypt_iin, iin_lookup_hash
from app.auth.models import Account
from app.auth.security import verify_password
from app.candidates.models import Candidate, CandidateLanguage, Consent, EducationRecord, WorkRecord
from app.candidates.schemas import REGISTRATION_ACCEPTED
from app.candidates.service import find_by_iin
from app.db import transaction
from app.notifications.models import OutboxMessage
from tests.factories.accounts import auth_headers, make_account
from tests.factories.candidates import make_iin

IIN = "900102400019"  # born 1990-01-02, female, valid check digit
OTHER_IIN = "900102400029"
PASSWORD = "correct horse battery"


def registration(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "Aigerim.Nurlanova@Mail.kz",
        "password": PASSWORD,
        "iin": IIN,
        "surname": "Нұрланова",
        "given_name": "Әйгерім",
        "patronymic": "Серікқызы",
        "phone": "+7 701 123 45 67",
        "region": "Almaty",
        "languages": [{"language": "kk", "level": "native"}, {"language": "ru", "level": "C1"}],
        "education": [
            {
                "level": "bachelor",
                "field": "Economics",
                "institution": "KazNU",
                "start_date": "2008-09-01",
                "end_date": "2012-06-30",
            }
        ],
        "work": [
            {
                "employer": "Akimat of Almaty",
                "position": "Economist",
                "start_date": "2012-09-01",
                "end_date": None,
                "functional_area": "budget_planning",
            }
        ],
        "consents": {"selection_rules": True, "personal_data": True, "talent_pool": True},
    }
    data.update(changes)
    return data


def counts(app: FastAPI) -> dict[str, int]:
    with app.state.sessions() as session:
        return {
            model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Account, Candidate, Consent, EducationRecord, WorkRecord, CandidateLanguage, AuditEvent)
        }


def sign_in(client: TestClient, email: str = "aigerim.nurlanova@mail.kz", password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


ACCEPTED = {"status": "accepted", "detail": REGISTRATION_ACCEPTED}


def outbox(app: FastAPI) -> list[tuple[str, str]]:
    with app.state.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.to_address, row.event) for row in rows]


def test_registration_stores_exactly_the_file_with_the_iin_encrypted(app: FastAPI, client: TestClient) -> None:
    before = counts(app)
    response = client.post("/api/v1/candidates/register", json=registration())
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED
    body = client.get("/api/v1/candidates/me", headers=sign_in(client)).json()
    assert body == {
        "id": body["id"],
        "account_id": body["account_id"],
        "email": "aigerim.nurlanova@mail.kz",
        "iin": IIN,
        "birth_date": "1990-01-02",
        "sex": "female",
        "surname": "Нұрланова",
        "given_name": "Әйгерім",
        "patronymic": "Серікқызы",
        "phone": "+7 701 123 45 67",
        "region": "Almaty",
        "locale": "kk",
        "languages": [{"language": "kk", "level": "native"}, {"language": "ru", "level": "C1"}],
        "education": [
            {
                "id": body["education"][0]["id"],
                "level": "bachelor",
                "field": "Economics",
                "institution": "KazNU",
                "start_date": "2008-09-01",
                "end_date": "2012-06-30",
                "diploma_on": None,
                "grant_funded": False,
                "gpa": None,
                "gpa_scale": None,
                "academy": False,
                "best_graduate": False,
            }
        ],
        "work": [
            {
                "id": body["work"][0]["id"],
                "employer": "Akimat of Almaty",
                "position": "Economist",
                "start_date": "2012-09-01",
                "end_date": None,
                "functional_area": "budget_planning",
            }
        ],
        "consents": {"selection_rules": True, "personal_data": True, "talent_pool": True, "vacancy_alerts": False},
    }
    after = counts(app)
    assert {k: after[k] - before[k] for k in after} == {
        "Account": 1,
        "Candidate": 1,
        "Consent": 4,
        "EducationRecord": 1,
        "WorkRecord": 1,
        "CandidateLanguage": 2,
        "AuditEvent": 1,
    }
    assert outbox(app) == []
    secret = app.state.settings.secret_key
    with app.state.sessions() as session:
        account = session.get(Account, body["account_id"])
        assert account is not None
        assert (account.role, account.email, account.display_name, account.state_body_id) == (
            "candidate",
            "aigerim.nurlanova@mail.kz",
            "Әйгерім Нұрланова",
            None,
        )
        assert verify_password(account.password_hash, PASSWORD)
        assert PASSWORD not in account.password_hash
        raw = session.execute(
            text("SELECT iin_encrypted, iin_hash, birth_date, sex FROM candidates WHERE id = :id"), {"id": body["id"]}
        ).one()
        stored = bytes(raw[0])
        assert IIN.encode() not in stored and IIN not in stored.hex() and IIN not in raw[1]
        assert decrypt_iin(stored, secret_key=secret) == IIN
        assert raw[1] == iin_lookup_hash(IIN, secret_key=secret)
        assert str(raw[2]) == "1990-01-02" and raw[3] == "female"
        # Nothing personal reaches the audit trail.
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "candidate.registered"
        assert IIN not in str(event.payload) and "Нұрланова" not in str(event.payload)
        assert event.payload["consents"] == {
            "selection_rules": True,
            "personal_data": True,
            "talent_pool": True,
            "vacancy_alerts": False,
        }
        found = find_by_iin(session, IIN, secret_key=secret)
        assert found is not None and found.id == body["id"]
    me = client.get("/api/v1/candidates/me", headers=sign_in(client))
    assert me.status_code == 200
    assert me.json() == body


INVALID_IINS = {
    "90010240001": "iin_length",
    "9001024000199": "iin_length",
    "90010240001x": "iin_not_digits",
    "900102700015": "iin_century",
    "900230400016": "iin_birth_date",
    "900102400018": "iin_check_digit",
}


def test_an_invalid_iin_is_a_422_problem_naming_the_check(app: FastAPI, client: TestClient) -> None:
    before = counts(app)
    for iin, code in INVALID_IINS.items():
        response = client.post("/api/v1/candidates/register", json=registration(iin=iin))
        assert response.status_code == 422, iin
        body = response.json()
        assert body["code"] == code, iin
        assert body["pointer"] == "#/iin"
        assert body["title"] == "ЖСН дұрыс емес"
        assert body["detail"]
    assert counts(app) == before


def _registration_accounts(app: FastAPI) -> tuple[int, int]:
    found = counts(app)
    return found["Account"], found["Candidate"]


def test_registration_is_no_oracle_the_owner_is_told_by_email(app: FastAPI, client: TestClient) -> None:
    """Issue 13: the answer is the same whether or not the IIN or the e-mail has an account."""
    fresh = client.post("/api/v1/candidates/register", json=registration())
    before = _registration_accounts(app)
    same_iin = client.post("/api/v1/candidates/register", json=registration(email="other@mail.kz"))
    same_email = client.post(
        "/api/v1/candidates/register", json=registration(email=" AIGERIM.NURLANOVA@mail.kz", iin=OTHER_IIN)
    )
    answers = [(r.status_code, r.headers["content-type"], r.json()) for r in (fresh, same_iin, same_email)]
    assert answers == [(202, "application/json", ACCEPTED)] * 3
    assert _registration_accounts(app) == before  # nothing created, nothing half-written
    # The owner hears of both attempts by e-mail; the address that tried gets nothing.
    assert outbox(app) == [
        ("aigerim.nurlanova@mail.kz", "registration_attempt"),
        ("aigerim.nurlanova@mail.kz", "registration_attempt"),
    ]
    with app.state.sessions() as session:
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "candidate.registration_refused").order_by(AuditEvent.id)
        ).all()
        assert [event.payload["matched"] for event in refused] == ["iin", "email"]
        assert all(IIN not in str(event.payload) for event in refused)
    assert (
        client.post("/api/v1/auth/token", data={"username": "other@mail.kz", "password": PASSWORD}).status_code == 401
    )


def test_a_staff_email_cannot_be_taken_by_a_candidate(app: FastAPI, client: TestClient) -> None:
    with transaction(app.state.sessions) as session:
        make_account(session, role="proctor", email="proctor@gov.kz")
    before = _registration_accounts(app)
    response = client.post("/api/v1/candidates/register", json=registration(email="Proctor@gov.kz"))
    assert (response.status_code, response.json()) == (202, ACCEPTED)
    assert _registration_accounts(app) == before
    assert outbox(app) == [("proctor@gov.kz", "registration_attempt")]


def test_common_or_short_passwords_are_refused_at_registration(app: FastAPI, client: TestClient) -> None:
    before = _registration_accounts(app)
    for password in ("1111111111", "qwerty123456", "Password123", "aaaaaaaaaaaaa", "1212121212", "short"):
        response = client.post("/api/v1/candidates/register", json=registration(password=password))
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), password
        assert response.json()["errors"][0]["pointer"] == "#/body/password", password
    assert _registration_accounts(app) == before


def test_the_two_required_consents_must_be_given(app: FastAPI, client: TestClient) -> None:
    before = counts(app)
    for missing in ("selection_rules", "personal_data"):
        consents = {"selection_rules": True, "personal_data": True, missing: False}
        response = client.post("/api/v1/candidates/register", json=registration(consents=consents))
        assert response.status_code == 422
        assert response.json()["code"] == "consent_required"
        assert response.json()["consents"] == [missing]
    response = client.post("/api/v1/candidates/register", json=registration(consents={"talent_pool": True}))
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert counts(app) == before


def test_bad_fields_are_validation_problems(app: FastAPI, client: TestClient) -> None:
    cases = [
        registration(email="not-an-email"),
        registration(password="short"),
        registration(education=[{"level": "phd", "field": "x", "institution": "y", "start_date": "2010-01-01"}]),
        registration(
            work=[
                {
                    "employer": "x",
                    "position": "y",
                    "start_date": "2010-01-01",
                    "end_date": "2009-01-01",
                    "functional_area": "z",
                }
            ]
        ),
        registration(languages=[{"language": "kk", "level": "C1"}, {"language": "kk", "level": "B1"}]),
        registration(languages=[{"language": "de", "level": "C1"}]),
        registration(unexpected="field"),
    ]
    for data in cases:
        response = client.post("/api/v1/candidates/register", json=data)
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), data


def test_the_candidate_replaces_their_file_with_one_put(app: FastAPI, client: TestClient) -> None:
    client.post("/api/v1/candidates/register", json=registration())
    headers = sign_in(client)
    new_file = {
        "surname": "Нұрланова",
        "given_name": "Әйгерім",
        "patronymic": None,
        "phone": "+7 777 000 11 22",
        "region": "Astana",
        "locale": "ru",
        "languages": [{"language": "en", "level": "B2"}],
        "education": [
            {
                "level": "bachelor",
                "field": "Economics",
                "institution": "KazNU",
                "start_date": "2008-09-01",
                "end_date": "2012-06-30",
            },
            {
                "level": "master",
                "field": "Public administration",
                "institution": "Academy of Public Administration",
                "start_date": "2013-09-01",
                "end_date": "2015-06-30",
            },
        ],
        "work": [
            {
                "employer": "Akimat of Almaty",
                "position": "Economist",
                "start_date": "2012-09-01",
                "end_date": "2016-08-31",
                "functional_area": "budget_planning",
            },
            {
                "employer": "Ministry of Finance",
                "position": "Chief expert",
                "start_date": "2016-09-01",
                "end_date": None,
                "functional_area": "public_procurement",
            },
        ],
    }
    response = client.put("/api/v1/candidates/me", headers=headers, json=new_file)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phone"] == "+7 777 000 11 22" and body["region"] == "Astana" and body["locale"] == "ru"
    assert body["patronymic"] is None
    assert body["languages"] == [{"language": "en", "level": "B2"}]
    assert [(e["level"], e["institution"]) for e in body["education"]] == [
        ("bachelor", "KazNU"),
        ("master", "Academy of Public Administration"),
    ]
    assert [(w["employer"], w["end_date"]) for w in body["work"]] == [
        ("Akimat of Almaty", "2016-08-31"),
        ("Ministry of Finance", None),
    ]
    assert body["iin"] == IIN and body["email"] == "aigerim.nurlanova@mail.kz"
    assert client.get("/api/v1/candidates/me", headers=headers).json() == body
    c = counts(app)
    assert (c["EducationRecord"], c["WorkRecord"], c["CandidateLanguage"]) == (2, 2, 1)
    with app.state.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "candidate.file_updated"
        assert event.payload["before"]["education"] == ["bachelor"]
        assert event.payload["after"]["education"] == ["bachelor", "master"]
    # The IIN and e-mail are not part of the file a candidate edits.
    sneaky = client.put("/api/v1/candidates/me", headers=headers, json={**new_file, "iin": OTHER_IIN})
    assert (sneaky.status_code, sneaky.json()["code"]) == (422, "validation_error")


def test_consents_optional_ones_change_required_ones_cannot_be_withdrawn(app: FastAPI, client: TestClient) -> None:
    client.post("/api/v1/candidates/register", json=registration())
    headers = sign_in(client)
    response = client.put(
        "/api/v1/candidates/me/consents", headers=headers, json={"talent_pool": False, "vacancy_alerts": True}
    )
    assert response.status_code == 200
    assert response.json() == {
        "selection_rules": True,
        "personal_data": True,
        "talent_pool": False,
        "vacancy_alerts": True,
    }
    events = counts(app)["AuditEvent"]
    refused = client.put(
        "/api/v1/candidates/me/consents", headers=headers, json={"personal_data": False, "vacancy_alerts": False}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"
    assert refused.json()["consents"] == ["personal_data"]
    unchanged = client.get("/api/v1/candidates/me", headers=headers).json()["consents"]
    assert unchanged == {"selection_rules": True, "personal_data": True, "talent_pool": False, "vacancy_alerts": True}
    # Re-stating what is already so changes nothing and records nothing.
    same = client.put("/api/v1/candidates/me/consents", headers=headers, json={"vacancy_alerts": True})
    assert same.status_code == 200
    assert counts(app)["AuditEvent"] == events


def test_staff_cannot_read_a_candidate_file_through_the_candidate_endpoints(app: FastAPI, client: TestClient) -> None:
    client.post("/api/v1/candidates/register", json=registration())
    for role in ("researcher", "commission_member", "proctor", "hr_officer", "administrator"):
        with transaction(app.state.sessions) as session:
            staff = make_account(session, role=role)
        headers = auth_headers(app, staff)
        for method, path, payload in [
            ("GET", "/api/v1/candidates/me", None),
            ("PUT", "/api/v1/candidates/me/consents", {"talent_pool": False}),
        ]:
            response = client.request(method, path, headers=headers, json=payload)
            assert response.status_code == 403, (role, path)
            assert response.json()["code"] == "forbidden"
            assert IIN not in response.text and "Нұрланова" not in response.text


def test_candidate_endpoints_need_a_token(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/candidates/me"),
        ("PUT", "/api/v1/candidates/me"),
        ("PUT", "/api/v1/candidates/me/consents"),
    ]:
        response = client.request(method, path, json={})
        assert (response.status_code, response.json()["code"]) == (401, "unauthorized"), path


def test_registration_then_sign_in_uses_the_derived_birth_date_for_a_2000s_man(
    app: FastAPI, client: TestClient
) -> None:
    iin = make_iin(date(2001, 2, 28), "male")
    response = client.post("/api/v1/candidates/register", json=registration(iin=iin, email="young@mail.kz"))
    assert response.status_code == 202
    response = client.get("/api/v1/candidates/me", headers=sign_in(client, "young@mail.kz"))
    assert (response.json()["birth_date"], response.json()["sex"]) == ("2001-02-28", "male")
