"""The competition's protocol endpoint: who draws it up, when, idempotency, deadlines, trust and the signer's IIN."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from app.applications.models import Application
from app.auth.crypto import iin_lookup_hash
from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account
from app.competitions.models import Competition
from app.notifications.models import Notification
from app.protocol.link import protocol_data
from app.protocol.signing import TestIdentity, make_demo_ca, make_test_certificate, make_test_crl
from app.protocol.trust import TrustedRootsError, certificate_iin, revocation_lists
from app.selection import service as selection
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.factories.candidates import make_candidate, make_iin

LEGISLATION = {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7}
# surname -> (recorded results, essay scores, interview scores)
RESULTS = {
    "Әлиев": (
        {
            "legislation": LEGISLATION,
            "personal_qualities": {"percent": 80, "reliable": True},
            "reasoning": {"text": 20, "numeric": 20},
        },
        (4, 5, 4),
        (5, 4, 5),
    ),
    "Бекова": (
        {
            "legislation_certificate_valid": True,
            "personal_qualities": {"percent": 70, "reliable": True},
            "reasoning": {"text": 15, "numeric": 17},
        },
        (3, 4, 3),
        (4, 4, 3),
    ),
}


@dataclass
class Published:
    competition_id: int
    hr: Account
    members: list[Account]
    codes: dict[str, str]


def _published(world: World, *, publish: bool = True) -> Published:
    hr = world.account(HR_OFFICER)
    _vacancy, competition_id = world.published_competition(
        hr, category="C-1", title_kk="Басқарма басшысы", title_ru="Руководитель управления"
    )
    members = [
        world.account(COMMISSION_MEMBER, display_name=name, locale=locale)
        for name, locale in (("Төраға Қайрат", "kk"), ("Мүше Мәдина", "kk"), ("Член Ольга", "ru"))
    ]
    for member, role in zip(members, ("chair", "member", "member"), strict=True):
        assert (
            world.client.post(
                f"/api/v1/competitions/{competition_id}/commission",
                headers=world.headers(hr),
                json={"account_id": member.id, "role": role},
            ).status_code
            == 201
        )
    codes = {}
    for surname, (results, essay, interview) in RESULTS.items():
        applicant = world.candidate(surname=surname)
        applied = world.client.post(
            f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(applicant)
        ).json()
        codes[surname] = applied["anonymous_code"]
        world.client.post(f"/api/v1/applications/{applied['id']}/confirm", headers=world.headers(hr))
        assert (
            world.client.post(
                f"/api/v1/applications/{applied['id']}/stage-results", json=results, headers=world.headers(hr)
            ).status_code
            == 200
        )
        with world.session() as session:
            application = session.get(Application, applied["id"])
            assert application is not None
            for stage, scores in (("essay", essay), ("interview", interview)):
                for member, score in zip(members, scores, strict=True):
                    selection.record_member_score(
                        session=session, application=application, stage=stage, scorer=member, score=score
                    )
            selection.record_member_score(
                session=session,
                application=application,
                stage="essay",
                scorer=None,
                score=1,
                score_type="ml_suggestion",
            )
    if publish:
        world.set_today(date(2026, 2, 20))  # a Friday: the protocol is due on Monday 23 February
        response = world.client.post(
            f"/api/v1/competitions/{competition_id}/publish-results", headers=world.headers(hr)
        )
        assert response.status_code == 200, response.text
    return Published(competition_id, hr, members, codes)


def test_only_after_publication_and_only_the_hr_of_the_body(world: World) -> None:
    setup = _published(world, publish=False)
    url = f"/api/v1/competitions/{setup.competition_id}/protocol"
    early = world.client.post(url, headers=world.headers(setup.hr))
    assert (early.status_code, early.json()["code"], early.json()["title"]) == (
        409,
        "results_not_published",
        "Нәтижелер әлі жарияланған жоқ",
    )
    world.client.post(f"/api/v1/competitions/{setup.competition_id}/publish-results", headers=world.headers(setup.hr))
    for outsider in (world.account(HR_OFFICER), setup.members[0]):
        refused = world.client.post(url, headers=world.headers(outsider))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    missing = world.client.get(url, headers=world.headers(setup.members[0]))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_drawn_up_once_with_the_members_scores_and_the_commission_asked_to_sign(world: World) -> None:
    setup = _published(world)
    url = f"/api/v1/competitions/{setup.competition_id}/protocol"
    first = world.client.post(url, headers=world.headers(setup.hr))
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["created"], body["protocol_due"], body["drawn_up_on"], body["overdue"], body["sign_deadline"]) == (
        True,
        "2026-02-23",
        "2026-02-20",
        False,
        "2026-02-23",
    )
    assert body["notified_account_ids"] == [m.id for m in setup.members]
    protocol_id = body["protocol"]["id"]
    assert body["links"]["pdf"] == f"/api/v1/protocols/{protocol_id}/pdf"

    world.set_today(date(2026, 2, 24))
    second = world.client.post(url, headers=world.headers(setup.hr))
    assert second.status_code == 200
    assert (second.json()["created"], second.json()["protocol"]["id"], second.json()["drawn_up_on"]) == (
        False,
        protocol_id,
        "2026-02-20",
    )
    read = world.client.get(url, headers=world.headers(setup.members[2]))
    assert (read.status_code, read.json()["protocol"]["id"]) == (200, protocol_id)

    with world.session() as session:
        competition = session.get(Competition, setup.competition_id)
        assert competition is not None
        data = protocol_data(session=session, competition=competition, drawn_up_on=date(2026, 2, 20))
        events = session.scalars(
            select(Notification.account_id).where(Notification.event == "protocol_ready_to_sign")
        ).all()
    assert dict(data.member_scores) == {  # members' scores only: the ML suggestion (1) is not there
        "essay": {setup.codes["Әлиев"]: (4, 5, 4), setup.codes["Бекова"]: (3, 4, 3)},
        "interview": {setup.codes["Әлиев"]: (5, 4, 5), setup.codes["Бекова"]: (4, 4, 3)},
    }
    assert [(m.full_name, m.role) for m in data.commission] == [
        ("Төраға Қайрат", "chair"),
        ("Мүше Мәдина", "member"),
        ("Член Ольга", "member"),
    ]
    assert dict(data.finalist_names) == {setup.codes["Әлиев"]: "Әлиев Асқар", setup.codes["Бекова"]: "Бекова Асқар"}
    assert sorted(events) == sorted(m.id for m in setup.members)


def test_a_corrected_member_name_makes_a_new_version_drawn_up_late(world: World) -> None:
    setup = _published(world)
    url = f"/api/v1/competitions/{setup.competition_id}/protocol"
    first = world.client.post(url, headers=world.headers(setup.hr)).json()
    with world.session() as session:
        member = session.get(Account, setup.members[1].id)
        assert member is not None
        member.display_name = "Мүше Мәдина Ғабитқызы"
    world.set_today(date(2026, 2, 25))
    second = world.client.post(url, headers=world.headers(setup.hr))
    assert second.status_code == 201
    body = second.json()
    assert (body["protocol"]["version"], body["drawn_up_on"], body["overdue"], body["sign_deadline"]) == (
        2,
        "2026-02-25",
        True,
        "2026-02-26",
    )
    assert body["protocol"]["content_hash"] != first["protocol"]["content_hash"]


def _sign(world: World, protocol_id: int, member: Account, signature: bytes) -> dict[str, object]:
    response = world.client.post(
        f"/api/v1/protocols/{protocol_id}/signatures",
        headers=world.headers(member),
        json={"signature": base64.b64encode(signature).decode()},
    )
    return {"status": response.status_code, **response.json()}


def _record_iin(world: World, member: Account, iin: str | None = None) -> str:
    """Record a staff member's IIN (its keyed hash) as an administrator's account form does; the IIN."""
    iin = iin or make_iin(date(1979, 1, 1 + member.id % 28), "male")
    with world.session() as session:
        account = session.get(Account, member.id)
        assert account is not None
        account.iin_hash = iin_lookup_hash(iin, secret_key=world.app.state.settings.secret_key)
    return iin


def _trusting(world: World, tmp_path: Path) -> TestIdentity:
    """Configure a demo CA as the only trusted root; the CA."""
    ca = make_demo_ca()
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_trusted_roots = str(bundle)
    return ca


def test_a_member_cannot_sign_with_a_certificate_that_names_another_member(world: World, tmp_path: Path) -> None:
    """Finding: a member signed with a certificate naming another member; it was accepted (``trust: not_checked``).

    The staff IINs are recorded through the administrator's account form; the certificate must carry the
    signing member's own IIN, and a member with no IIN on record cannot sign where roots are trusted.
    """
    ca = _trusting(world, tmp_path)
    admin = world.account("administrator")
    iins = [make_iin(date(1975, 6, 1 + n), "female") for n in range(2)]
    made = [
        world.client.post(
            "/api/v1/admin/accounts",
            headers=world.headers(admin),
            json={
                "email": f"signer{n}@gov.example.kz",
                "password": "signer-password-2026",
                "role": COMMISSION_MEMBER,
                "display_name": f"Signer {n}",
                "iin": iin,
            },
        )
        for n, iin in enumerate(iins)
    ]
    assert [r.status_code for r in made] == [201, 201], made[0].text
    bad = world.client.post(
        "/api/v1/admin/accounts",
        headers=world.headers(admin),
        json={
            "email": "signer9@gov.example.kz",
            "password": "signer-password-2026",
            "role": COMMISSION_MEMBER,
            "display_name": "Signer 9",
            "iin": "123456789012",
        },
    )
    assert bad.status_code == 422 and bad.json()["code"].startswith("iin_"), bad.text
    setup = _published(world, publish=False)
    signers = []
    for response in made:
        with world.session() as session:
            account = session.get(Account, response.json()["id"])
            assert account is not None and account.iin_hash is not None
            session.expunge(account)
        signers.append(account)
        seated = world.client.post(
            f"/api/v1/competitions/{setup.competition_id}/commission",
            headers=world.headers(setup.hr),
            json={"account_id": account.id, "role": "member"},
        )
        assert seated.status_code == 201, seated.text
    world.set_today(date(2026, 2, 20))
    assert (
        world.client.post(
            f"/api/v1/competitions/{setup.competition_id}/publish-results", headers=world.headers(setup.hr)
        ).status_code
        == 200
    )
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(setup.hr)).content
    first, second = signers
    others = make_test_certificate("Signer 1", iins[1], issuer=ca)  # a valid certificate of the trusted CA
    refused = _sign(world, protocol_id, first, others.signer().sign(pdf))
    assert (refused["status"], refused["code"], refused["reason"]) == (422, "signature_invalid", "signer_iin_mismatch")
    unnamed = make_test_certificate("Signer 0", None, issuer=ca)
    assert _sign(world, protocol_id, first, unnamed.signer().sign(pdf))["reason"] == "signer_iin_mismatch"
    # a member whose IIN is not on record cannot be matched to any certificate
    unknown = _sign(
        world, protocol_id, setup.members[0], make_test_certificate("Member", iins[0], issuer=ca).signer().sign(pdf)
    )
    assert (unknown["status"], unknown["reason"]) == (422, "signer_not_identified")
    own = make_test_certificate("Signer 0", iins[0], issuer=ca)
    assert _sign(world, protocol_id, first, own.signer().sign(pdf))["status"] == 201
    assert _sign(world, protocol_id, second, others.signer().sign(pdf))["status"] == 201
    report = world.client.get(f"/api/v1/protocols/{protocol_id}/verification", headers=world.headers(setup.hr)).json()
    assert (report["trust"], report["revocation"], report["valid"]) == ("checked", "not_checked", True)
    assert len(report["signatures"]) == 2


def test_a_certificate_out_of_its_validity_or_not_for_signatures_is_refused(world: World, tmp_path: Path) -> None:
    ca = _trusting(world, tmp_path)
    setup = _published(world)
    member = setup.members[0]
    iin = _record_iin(world, member)
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(setup.hr)).content
    expired = make_test_certificate(
        "Member", iin, issuer=ca, valid_from=datetime.now(UTC) - timedelta(days=10), valid_days=1
    )
    assert (
        _sign(world, protocol_id, member, expired.signer().sign(pdf))["reason"]
        == "certificate_not_valid_at_signing_time"
    )
    not_yet = make_test_certificate("Member", iin, issuer=ca, valid_from=datetime.now(UTC) + timedelta(days=1))
    assert (
        _sign(world, protocol_id, member, not_yet.signer().sign(pdf))["reason"]
        == "certificate_not_valid_at_signing_time"
    )
    encipherment = make_test_certificate("Member", iin, issuer=ca, digital_signature=False)
    assert _sign(world, protocol_id, member, encipherment.signer().sign(pdf))["reason"] == "key_usage_not_signature"
    signed = world.client.get(f"/api/v1/protocols/{protocol_id}", headers=world.headers(setup.hr)).json()
    assert signed["signatures"] == []
    good = make_test_certificate("Member", iin, issuer=ca)
    assert _sign(world, protocol_id, member, good.signer().sign(pdf))["status"] == 201


def test_a_certificate_its_issuers_crl_revokes_cannot_sign_and_the_report_says_revocation_checked(
    world: World, tmp_path: Path
) -> None:
    ca = _trusting(world, tmp_path)
    setup = _published(world)
    first, second = setup.members[:2]
    iins = [_record_iin(world, member) for member in (first, second)]
    revoked = make_test_certificate("Member 0", iins[0], issuer=ca)
    crl = tmp_path / "nca.crl"
    crl.write_bytes(make_test_crl(ca, [revoked.certificate]).public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_revocation_lists = str(crl)
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(setup.hr)).content
    refused = _sign(world, protocol_id, first, revoked.signer().sign(pdf))
    assert (refused["status"], refused["reason"]) == (422, "certificate_revoked")
    renewed = make_test_certificate("Member 0", iins[0], issuer=ca)
    assert _sign(world, protocol_id, first, renewed.signer().sign(pdf))["status"] == 201
    assert (
        _sign(world, protocol_id, second, make_test_certificate("Member 1", iins[1], issuer=ca).signer().sign(pdf))[
            "status"
        ]
        == 201
    )
    report = world.client.get(f"/api/v1/protocols/{protocol_id}/verification", headers=world.headers(setup.hr)).json()
    assert (report["valid"], report["revocation"]) == (True, "checked")
    assert [check["revocation"] for check in report["signatures"]] == ["checked", "checked"]
    # a CRL no trusted root signed is a configuration error (production refuses to start on it), not a pass
    forged = tmp_path / "forged.crl"
    forged.write_bytes(make_test_crl(make_demo_ca(), []).public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_revocation_lists = str(forged)
    with pytest.raises(TrustedRootsError, match="not signed by a trusted root"):
        revocation_lists(world.app.state.settings)


def test_without_trusted_roots_any_certificate_is_taken_and_the_report_says_so(world: World) -> None:
    setup = _published(world)
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(setup.hr)).content
    self_signed = make_test_certificate("Self-signed member")
    assert _sign(world, protocol_id, setup.members[0], self_signed.signer().sign(pdf))["status"] == 201
    report = world.client.get(f"/api/v1/protocols/{protocol_id}/verification", headers=world.headers(setup.hr)).json()
    assert (report["trust"], report["valid"], report["fully_signed"]) == ("not_checked", True, False)
    assert report["revocation"] == "not_checked"
    assert report["unsigned_member_account_ids"] == [m.id for m in setup.members[1:]]


def test_with_trusted_roots_a_certificate_of_another_issuer_is_refused(world: World, tmp_path: Path) -> None:
    ca, other = make_demo_ca(), make_demo_ca("Another authority")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_trusted_roots = str(bundle)
    setup = _published(world)
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(setup.hr)).content
    iin = _record_iin(world, setup.members[0])
    foreign = make_test_certificate("Member", iin, issuer=other)
    assert _sign(world, protocol_id, setup.members[0], foreign.signer().sign(pdf))["reason"] == "untrusted_certificate"
    trusted = make_test_certificate("Member", iin, issuer=ca)
    assert _sign(world, protocol_id, setup.members[0], trusted.signer().sign(pdf))["status"] == 201
    report = world.client.get(f"/api/v1/protocols/{protocol_id}/verification", headers=world.headers(setup.hr)).json()
    assert (report["trust"], report["valid"]) == ("checked", True)


@pytest.mark.parametrize("matching", [True, False])
def test_a_signer_linked_to_an_iin_signs_only_with_a_certificate_naming_it(world: World, matching: bool) -> None:
    setup = _published(world, publish=False)
    iin = make_iin(date(1980, 4, 1), "female")
    with world.session() as session:
        # A person's account (a candidate's file with an IIN) that also sits on the commission.
        linked = make_candidate(
            session, secret_key=world.app.state.settings.secret_key, iin=iin, sex="female", birth_date=date(1980, 4, 1)
        ).account
        linked.role = COMMISSION_MEMBER
    seated = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/commission",
        headers=world.headers(setup.hr),
        json={"account_id": linked.id, "role": "secretary"},
    )
    assert seated.status_code == 201, seated.text
    world.client.post(f"/api/v1/competitions/{setup.competition_id}/publish-results", headers=world.headers(setup.hr))
    protocol_id = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/protocol", headers=world.headers(setup.hr)
    ).json()["protocol"]["id"]
    pdf = world.client.get(f"/api/v1/protocols/{protocol_id}/pdf", headers=world.headers(linked)).content
    named = iin if matching else make_iin(date(1980, 4, 2), "female")
    identity = make_test_certificate("Secretary", named)
    assert certificate_iin(identity.certificate) == named
    result = _sign(world, protocol_id, linked, identity.signer().sign(pdf))
    if matching:
        assert result["status"] == 201
    else:
        assert (result["status"], result["code"], result["reason"]) == (422, "signature_invalid", "signer_iin_mismatch")
        signed = world.client.get(f"/api/v1/protocols/{protocol_id}", headers=world.headers(setup.hr)).json()
        assert signed["signatures"] == []
