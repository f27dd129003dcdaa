"""The protocol endpoints through HTTP with real tokens: read, PDF, HTML, sign, verify, and refusals."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, Account
from app.db import transaction
from app.protocol import service
from app.protocol.document import content_hash
from app.protocol.models import Protocol, ProtocolSignature
from app.protocol.sample import sample_protocol_data
from app.protocol.signing import TestIdentity, make_demo_ca, make_test_certificate
from tests.factories.accounts import auth_headers, make_account
from tests.factories.protocol import CompetitionWithCommission, make_competition_with_commission


@pytest.fixture
def seated(app: FastAPI) -> CompetitionWithCommission:
    with transaction(app.state.sessions) as session:
        return make_competition_with_commission(session)


@pytest.fixture
def protocol(app: FastAPI, seated: CompetitionWithCommission) -> Protocol:
    with transaction(app.state.sessions) as session:
        return service.draw_up(
            session=session, data=sample_protocol_data(competition_id=seated.competition.id), actor=seated.hr_officer
        )


@pytest.fixture(scope="module")
def identities() -> list[TestIdentity]:
    ca = make_demo_ca()
    return [make_test_certificate(f"Member {i}", f"80020240045{i}", issuer=ca) for i in range(4)]


def _account(app: FastAPI, role: str) -> Account:
    with transaction(app.state.sessions) as session:
        return make_account(session, role=role)


def _count(app: FastAPI, model: type) -> int:
    with app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _sign(client: TestClient, app: FastAPI, protocol_id: int, member: Account, signature: bytes) -> Any:
    return client.post(
        f"/api/v1/protocols/{protocol_id}/signatures",
        headers=auth_headers(app, member),
        json={"signature": base64.b64encode(signature).decode()},
    )


def test_metadata_pdf_and_html_for_a_member_of_the_commission(
    app: FastAPI, client: TestClient, seated: CompetitionWithCommission, protocol: Protocol
) -> None:
    headers = auth_headers(app, seated.members[0])
    meta = client.get(f"/api/v1/protocols/{protocol.id}", headers=headers)
    assert meta.status_code == 200
    body = meta.json()
    assert body["competition_id"] == seated.competition.id
    assert (body["version"], body["locales"], body["drawn_up_on"]) == (1, ["kk", "ru"], "2026-03-16")
    assert body["content_hash"] == protocol.content_hash
    assert (body["created_by"], body["signatures"]) == (seated.hr_officer.id, [])

    pdf = client.get(f"/api/v1/protocols/{protocol.id}/pdf", headers=headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["etag"] == f'"{protocol.content_hash}"'
    assert content_hash(pdf.content) == protocol.content_hash

    kk = client.get(f"/api/v1/protocols/{protocol.id}/html", headers=headers)
    ru = client.get(f"/api/v1/protocols/{protocol.id}/html", params={"locale": "ru"}, headers=headers)
    assert kk.headers["content-type"].startswith("text/html")
    assert (kk.headers["content-language"], ru.headers["content-language"]) == ("kk", "ru")
    assert "Конкурстық комиссия отырысының хаттамасы" in kk.text
    assert "Протокол заседания конкурсной комиссии" in ru.text
    assert (
        client.get(f"/api/v1/protocols/{protocol.id}/html", params={"locale": "en"}, headers=headers).json()["code"]
        == "validation_error"
    )


def test_who_may_read(app: FastAPI, client: TestClient, seated: CompetitionWithCommission, protocol: Protocol) -> None:
    url = f"/api/v1/protocols/{protocol.id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth_headers(app, seated.hr_officer)).status_code == 200
    assert client.get(url, headers=auth_headers(app, _account(app, ADMINISTRATOR))).status_code == 200
    for outsider in (_account(app, HR_OFFICER), _account(app, COMMISSION_MEMBER), _account(app, PROCTOR)):
        response = client.get(url, headers=auth_headers(app, outsider))
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    missing = client.get(f"/api/v1/protocols/{protocol.id + 1}", headers=auth_headers(app, seated.hr_officer))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_all_members_sign_and_the_verification_says_every_signature_holds(
    app: FastAPI,
    client: TestClient,
    seated: CompetitionWithCommission,
    protocol: Protocol,
    identities: list[TestIdentity],
) -> None:
    for i, (member, identity) in enumerate(zip(seated.members, identities, strict=True)):
        pdf = client.get(f"/api/v1/protocols/{protocol.id}/pdf", headers=auth_headers(app, member)).content
        response = _sign(client, app, protocol.id, member, identity.signer().sign(pdf))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["signer_account_id"] == member.id
        assert body["signer_subject"] == f"C=KZ,SERIALNUMBER=IIN80020240045{i},CN=Member {i}"
        assert body["certificate_serial"] == format(identity.certificate.serial_number, "x")
    report = client.get(f"/api/v1/protocols/{protocol.id}/verification", headers=auth_headers(app, seated.hr_officer))
    assert report.status_code == 200
    body = report.json()
    assert body["hash_valid"] is True
    assert body["computed_hash"] == body["content_hash"] == protocol.content_hash
    assert (body["signatures_valid"], body["valid"], body["fully_signed"]) == (True, True, True)
    assert [(s["signer_account_id"], s["valid"], s["reason"]) for s in body["signatures"]] == [
        (m.id, True, None) for m in seated.members
    ]
    assert body["unsigned_member_account_ids"] == []
    assert (
        len(
            client.get(f"/api/v1/protocols/{protocol.id}", headers=auth_headers(app, seated.members[0])).json()[
                "signatures"
            ]
        )
        == 4
    )
    with app.state.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "protocol")).all()
    assert list(actions) == ["protocol.drawn_up"] + ["protocol.signed"] * 4


def test_a_signature_over_other_bytes_is_refused_with_nothing_written(
    app: FastAPI,
    client: TestClient,
    seated: CompetitionWithCommission,
    protocol: Protocol,
    identities: list[TestIdentity],
) -> None:
    events = _count(app, AuditEvent)
    response = _sign(client, app, protocol.id, seated.members[1], identities[1].signer().sign(b"another document"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["reason"], body["title"]) == (
        "signature_invalid",
        "message_digest_mismatch",
        "Қолтаңба жарамсыз",
    )
    assert body["detail"] == "the signature does not verify: the signature is over other bytes than this document"
    assert _count(app, ProtocolSignature) == 0
    assert _count(app, AuditEvent) == events
    not_base64 = client.post(
        f"/api/v1/protocols/{protocol.id}/signatures",
        headers={**auth_headers(app, seated.members[1]), "Accept-Language": "ru"},
        json={"signature": "not base64!"},
    )
    assert (not_base64.status_code, not_base64.json()["code"], not_base64.json()["reason"]) == (
        422,
        "signature_invalid",
        "malformed",
    )
    assert not_base64.json()["title"] == "Подпись недействительна"
    assert _count(app, ProtocolSignature) == 0


def test_signing_twice_is_409_and_outsiders_are_403(
    app: FastAPI,
    client: TestClient,
    seated: CompetitionWithCommission,
    protocol: Protocol,
    identities: list[TestIdentity],
) -> None:
    signed = _sign(client, app, protocol.id, seated.members[2], identities[2].signer().sign(protocol.pdf))
    assert signed.status_code == 201
    again = _sign(client, app, protocol.id, seated.members[2], identities[2].signer().sign(protocol.pdf))
    assert (again.status_code, again.json()["code"]) == (409, "already_signed")
    for outsider in (seated.hr_officer, _account(app, COMMISSION_MEMBER)):
        refused = _sign(client, app, protocol.id, outsider, identities[0].signer().sign(protocol.pdf))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert _count(app, ProtocolSignature) == 1


def test_a_tampered_pdf_in_the_database_fails_verification(
    app: FastAPI,
    client: TestClient,
    seated: CompetitionWithCommission,
    protocol: Protocol,
    identities: list[TestIdentity],
) -> None:
    signed = _sign(client, app, protocol.id, seated.members[0], identities[0].signer().sign(protocol.pdf))
    assert signed.status_code == 201
    with transaction(app.state.sessions) as session:
        session.execute(update(Protocol).where(Protocol.id == protocol.id).values(pdf=protocol.pdf + b"% appended\n"))
    body = client.get(
        f"/api/v1/protocols/{protocol.id}/verification", headers=auth_headers(app, seated.members[0])
    ).json()
    assert (body["hash_valid"], body["valid"], body["fully_signed"]) == (False, False, False)
    assert body["content_hash"] == protocol.content_hash
    assert body["computed_hash"] == content_hash(protocol.pdf + b"% appended\n")
    assert [(s["valid"], s["reason"]) for s in body["signatures"]] == [(False, "message_digest_mismatch")]
    assert body["unsigned_member_account_ids"] == [m.id for m in seated.members[1:]]
