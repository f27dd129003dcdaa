"""``online_share``: applications, tests and protocols done fully online, on the fixed history of
``tests.factories.history`` with test results and protocols added here, each counted by hand.

MINFIN's competition of 16.03.2026: five applications with a recorded test result — two whose personal
qualities test was taken in the service (online), one recorded by hand, one whose reasoning was recorded by
hand beside an online personal-qualities test, one whose online result was voided — 2 of 5; and one
application with violations only (no test: not counted). KYZ's competition of 30.04.2026: two reasoning
results, one recorded from the service, one whose service result could not be recorded (typed by hand) —
1 of 2. Protocols: MINFIN's first competition has two seats, its version 1 signed by one, version 2 by both
(online); MINFIN's second has one seat and an unsigned protocol; KYZ's published one has none: MINFIN 1 of 2,
KYZ 0 of 1. Every application is online (no paper intake): MINFIN 15 of 15, KYZ 10 of 10.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, RecordedStageResult
from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, Account
from app.candidates.models import Candidate
from app.competitions.models import CommissionMember, Competition
from app.exams.models import TestBooking, TestResult
from app.items.models import TestForm
from app.protocol.models import Protocol, ProtocolSignature
from app.rules.policy import policy_from_overrides
from tests.api._workflow import World, world_every_backend_fixture  # noqa: F401
from tests.api.test_analytics import PERIOD
from tests.factories.accounts import make_account
from tests.factories.history import History, make_history

FORM = "f" * 64


def _competition(session: Session, body_id: int, published_on: date) -> Competition:
    return session.scalars(
        select(Competition).where(Competition.state_body_id == body_id, Competition.published_on == published_on)
    ).one()


def _applications(session: Session, competition: Competition) -> list[Application]:
    return list(
        session.scalars(
            select(Application).where(Application.competition_id == competition.id).order_by(Application.id)
        )
    )


def _taken(
    session: Session, application: Application, programme: str, *, recorded: bool = True, voided: bool = False
) -> None:
    candidate = session.get(Candidate, application.candidate_id)
    assert candidate is not None
    account_id = candidate.account_id
    booking = TestBooking(
        account_id=account_id,
        candidate_id=application.candidate_id,
        programme=programme,
        language="kk",
        starts_at=datetime(2026, 3, 20, 5, 0, tzinfo=UTC),
        application_id=application.id,
        form_hash=FORM,
        seed=1,
        status="completed",
    )
    session.add(booking)
    session.flush()
    session.add(
        TestResult(
            booking_id=booking.id,
            account_id=account_id,
            programme=programme,
            form_hash=FORM,
            test_date=date(2026, 3, 20),
            score={},
            passed=True,
            recorded_for_application=recorded,
            voided_at=datetime(2026, 3, 21, tzinfo=UTC) if voided else None,
        )
    )


def _recorded(session: Session, application: Application, hr: Account, **values: object) -> None:
    session.add(RecordedStageResult(application_id=application.id, recorded_by=hr.id, violations=[], **values))


def _protocol(session: Session, competition: Competition, version: int, signers: list[Account]) -> None:
    protocol = Protocol(
        competition_id=competition.id,
        version=version,
        locales=["kk", "ru"],
        drawn_up_on=date(2026, 3, 20),
        pdf=b"%PDF",
        html_kk="<p></p>",
        html_ru="<p></p>",
        content_hash="0" * 64,
    )
    session.add(protocol)
    session.flush()
    for signer in signers:
        session.add(
            ProtocolSignature(
                protocol_id=protocol.id,
                signer_account_id=signer.id,
                signature_der=b"0",
                certificate_pem="-",
                signer_subject="CN=member",
                certificate_serial=str(signer.id),
            )
        )


def _seat(session: Session, competition: Competition, hr: Account) -> Account:
    member = make_account(session, role=COMMISSION_MEMBER)
    session.add(CommissionMember(competition_id=competition.id, account_id=member.id, role="member", added_by=hr.id))
    return member


def online_history(world: World) -> History:
    with world.session() as session:
        history = make_history(session, secret_key=world.app.state.settings.secret_key)
        session.add(
            TestForm(form_hash=FORM, programme="personal_qualities", time_limit_minutes=30, sections=[], items=[])
        )
        minfin = _competition(session, history.minfin.id, date(2026, 3, 16))
        minfin_late = _competition(session, history.minfin.id, date(2026, 4, 29))
        kyz = _competition(session, history.kyzylorda.id, date(2026, 4, 30))
        a = _applications(session, minfin)
        for online in a[:2]:
            _recorded(session, online, history.minfin_hr, personal_qualities_percent="62.5")
            _taken(session, online, "personal_qualities")
        _recorded(session, a[2], history.minfin_hr, personal_qualities_percent="50")
        _recorded(session, a[3], history.minfin_hr, personal_qualities_percent="70", reasoning_text=30)
        _taken(session, a[3], "personal_qualities")
        _recorded(session, a[4], history.minfin_hr, personal_qualities_percent="55")
        _taken(session, a[4], "personal_qualities", voided=True)
        session.add(RecordedStageResult(application_id=a[5].id, recorded_by=history.minfin_hr.id, violations=["phone"]))
        b = _applications(session, kyz)
        _recorded(session, b[0], history.kyzylorda_hr, reasoning_text=40, reasoning_numeric=20)
        _taken(session, b[0], "reasoning")
        _recorded(session, b[1], history.kyzylorda_hr, reasoning_text=35, reasoning_numeric=25)
        _taken(session, b[1], "reasoning", recorded=False)
        first, second = _seat(session, minfin, history.minfin_hr), _seat(session, minfin, history.minfin_hr)
        _protocol(session, minfin, 1, [first])
        _protocol(session, minfin, 2, [first, second])
        _seat(session, minfin_late, history.minfin_hr)
        _protocol(session, minfin_late, 1, [])
        return history


def test_the_share_done_fully_online_per_body_and_overall(world_every_backend: World) -> None:
    world = world_every_backend
    online_history(world)
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    admin = world.headers(world.account(ADMINISTRATOR))
    by_body = {
        g["key"]: g["online_share"]
        for g in world.client.get("/api/v1/analytics/figures", params={**PERIOD, "by": "body"}, headers=admin).json()[
            "groups"
        ]
    }
    assert by_body["MINFIN"] == {
        "applications": {"value": 1.0, "n": 15, "suppressed": False},
        "tests": {"value": 0.4, "n": 5, "suppressed": False},
        "protocols": {"value": 0.5, "n": 2, "suppressed": False},
    }
    assert by_body["KYZ"] == {
        "applications": {"value": 1.0, "n": 10, "suppressed": False},
        "tests": {"value": 0.5, "n": 2, "suppressed": False},
        "protocols": {"value": 0.0, "n": 1, "suppressed": False},
    }
    [everything] = world.client.get("/api/v1/analytics/figures", params=PERIOD, headers=admin).json()["groups"]
    assert {kind: figure["value"] for kind, figure in everything["online_share"].items()} == {
        "applications": 1.0,
        "tests": 0.4286,  # 3 / 7
        "protocols": 0.3333,  # 1 / 3
    }
    rows = {
        row["key"]: row
        for row in csv.DictReader(
            io.StringIO(
                world.client.get("/api/v1/analytics/figures.csv", params={**PERIOD, "by": "body"}, headers=admin).text
            )
        )
    }
    assert (rows["MINFIN"]["online_share_tests"], rows["KYZ"]["online_share_protocols"]) == ("0.4", "0.0")
    # by default (10 a cell) the small counts are suppressed
    world.app.state.policy = policy_from_overrides({})
    [suppressed] = world.client.get("/api/v1/analytics/figures", params=PERIOD, headers=admin).json()["groups"]
    assert suppressed["online_share"]["tests"] == {"value": None, "n": 7, "suppressed": True}
    assert suppressed["online_share"]["applications"]["value"] == 1.0
