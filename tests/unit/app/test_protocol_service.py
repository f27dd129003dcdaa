"""The protocol service on a real database: draw up, sign (verified before stored), verify, and tampering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import db
from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.auth.models import COMMISSION_MEMBER
from app.errors import DomainError, Kind
from app.protocol import service
from app.protocol.document import content_hash, render_pdf
from app.protocol.models import Protocol, ProtocolSignature
from app.protocol.sample import sample_protocol_data
from app.protocol.signing import TestIdentity, make_demo_ca, make_test_certificate
from tests.factories.accounts import make_account
from tests.factories.protocol import CompetitionWithCommission, make_competition_with_commission


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(database_url)
    yield db.make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def seated(sessions: sessionmaker[Session]) -> CompetitionWithCommission:
    with db.transaction(sessions) as session:
        return make_competition_with_commission(session)


@pytest.fixture(scope="module")
def identities() -> list[TestIdentity]:
    ca = make_demo_ca()
    return [make_test_certificate(f"Member {i}", f"75010130012{i}", issuer=ca) for i in range(4)]


def _draw_up(sessions: sessionmaker[Session], seated: CompetitionWithCommission) -> Protocol:
    with db.transaction(sessions) as session:
        return service.draw_up(
            session=session, data=sample_protocol_data(competition_id=seated.competition.id), actor=seated.hr_officer
        )


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_draw_up_stores_the_pdf_both_htmls_and_the_hash_and_audits(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission
) -> None:
    protocol = _draw_up(sessions, seated)
    expected_pdf = render_pdf(sample_protocol_data(competition_id=seated.competition.id))
    assert protocol.version == 1
    assert protocol.pdf == expected_pdf
    assert protocol.content_hash == content_hash(expected_pdf)
    assert protocol.locales == ["kk", "ru"]
    assert "Конкурстық комиссия отырысының хаттамасы" in protocol.html_kk
    assert "Протокол заседания конкурсной комиссии" in protocol.html_ru
    assert protocol.created_by == seated.hr_officer.id
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "protocol.drawn_up")).one()
        assert event.entity_id == str(protocol.id)
        assert event.actor == f"account:{seated.hr_officer.id}"
        assert event.payload == {
            "competition_id": seated.competition.id,
            "version": 1,
            "content_hash": protocol.content_hash,
            "locales": ["kk", "ru"],
            "request_id": None,
        }


def test_drawing_up_again_makes_version_two_with_its_own_hash(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission
) -> None:
    first = _draw_up(sessions, seated)
    second = _draw_up(sessions, seated)
    assert (first.version, second.version) == (1, 2)
    assert second.content_hash != first.content_hash
    assert f"Хаттама № {seated.competition.id}-2" in second.html_kk


def test_every_member_signs_and_verification_reports_each_signature_valid(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission, identities: list[TestIdentity]
) -> None:
    protocol = _draw_up(sessions, seated)
    for member, identity in zip(seated.members[:3], identities, strict=False):
        with db.transaction(sessions) as session:
            stored = service.add_signature(
                session=session,
                protocol_id=protocol.id,
                account=member,
                signature_der=identity.signer().sign(protocol.pdf),
            )
            assert stored.signer_account_id == member.id
            assert stored.signer_subject.startswith("C=KZ,SERIALNUMBER=IIN75010130012")
    with sessions() as session:
        report = service.verify(session=session, protocol_id=protocol.id)
    assert report.hash_valid is True
    assert report.computed_hash == report.content_hash == protocol.content_hash
    assert [(c.signer_account_id, c.valid, c.reason) for c in report.signatures] == [
        (m.id, True, None) for m in seated.members[:3]
    ]
    assert report.valid is True
    assert report.unsigned_member_account_ids == (seated.members[3].id,)
    assert report.fully_signed is False
    with db.transaction(sessions) as session:
        service.add_signature(
            session=session,
            protocol_id=protocol.id,
            account=seated.members[3],
            signature_der=identities[3].signer().sign(protocol.pdf),
        )
    with sessions() as session:
        assert service.verify(session=session, protocol_id=protocol.id).fully_signed is True
        assert verify_chain(session).valid is True
    assert _count(sessions, ProtocolSignature) == 4


def test_a_signature_over_other_bytes_is_refused_and_nothing_is_stored(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission, identities: list[TestIdentity]
) -> None:
    protocol = _draw_up(sessions, seated)
    events = _count(sessions, AuditEvent)
    with pytest.raises(DomainError) as caught, db.transaction(sessions) as session:
        service.add_signature(
            session=session,
            protocol_id=protocol.id,
            account=seated.members[0],
            signature_der=identities[0].signer().sign(protocol.pdf + b"\n"),
        )
    assert (caught.value.kind, caught.value.code) == (Kind.INVALID, "signature_invalid")
    assert caught.value.extensions == {"reason": "message_digest_mismatch"}
    assert caught.value.detail == "the signature does not verify: the signature is over other bytes than this document"
    assert _count(sessions, ProtocolSignature) == 0
    assert _count(sessions, AuditEvent) == events


def test_a_second_signature_by_the_same_member_is_409(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission, identities: list[TestIdentity]
) -> None:
    protocol = _draw_up(sessions, seated)
    signature = identities[0].signer().sign(protocol.pdf)
    with db.transaction(sessions) as session:
        service.add_signature(
            session=session, protocol_id=protocol.id, account=seated.members[0], signature_der=signature
        )
    with pytest.raises(DomainError) as caught, db.transaction(sessions) as session:
        service.add_signature(
            session=session,
            protocol_id=protocol.id,
            account=seated.members[0],
            signature_der=identities[0].signer().sign(protocol.pdf),
        )
    assert (caught.value.kind, caught.value.code) == (Kind.CONFLICT, "already_signed")
    assert _count(sessions, ProtocolSignature) == 1


def test_only_a_member_of_this_commission_signs(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission, identities: list[TestIdentity]
) -> None:
    protocol = _draw_up(sessions, seated)
    with db.transaction(sessions) as session:
        outsider = make_account(session, role=COMMISSION_MEMBER)
    for account in (outsider, seated.hr_officer):
        with pytest.raises(DomainError) as caught, db.transaction(sessions) as session:
            service.add_signature(
                session=session,
                protocol_id=protocol.id,
                account=account,
                signature_der=identities[0].signer().sign(protocol.pdf),
            )
        assert (caught.value.kind, caught.value.code) == (Kind.FORBIDDEN, "forbidden")
    with pytest.raises(DomainError) as missing, db.transaction(sessions) as session:
        service.add_signature(
            session=session, protocol_id=protocol.id + 100, account=seated.members[0], signature_der=b""
        )
    assert (missing.value.kind, missing.value.code) == (Kind.NOT_FOUND, "not_found")
    assert _count(sessions, ProtocolSignature) == 0


def test_a_tampered_pdf_shows_as_a_hash_mismatch_and_broken_signatures(
    sessions: sessionmaker[Session], seated: CompetitionWithCommission, identities: list[TestIdentity]
) -> None:
    protocol = _draw_up(sessions, seated)
    with db.transaction(sessions) as session:
        service.add_signature(
            session=session,
            protocol_id=protocol.id,
            account=seated.members[0],
            signature_der=identities[0].signer().sign(protocol.pdf),
        )
    tampered = protocol.pdf.replace(b"/Count 4", b"/Count 3")
    assert tampered != protocol.pdf
    with db.transaction(sessions) as session:
        session.execute(update(Protocol).where(Protocol.id == protocol.id).values(pdf=tampered))
    with sessions() as session:
        report = service.verify(session=session, protocol_id=protocol.id)
    assert report.hash_valid is False
    assert report.computed_hash == content_hash(tampered)
    assert report.content_hash == protocol.content_hash
    assert [(c.valid, c.reason) for c in report.signatures] == [(False, "message_digest_mismatch")]
    assert report.valid is False
