"""A whole competition through the API, from the administrator's first state body to the signed protocol.

SQLite, the in-process queue consumer and a real SMTP server (aiosmtpd): accounts, a C-1
vacancy, seven candidates who register and fill their files, the qualification check, recorded
test results, essays written by the candidates and scored by three members, the interview
shortlist scheduled and scored, publication, the protocol drawn up and signed by the three
members against a trusted CA, its verification, the audit chain, the letters that arrived — and
the published outcome equals ``irikteu replay`` on the exported replay-input document.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import select

from app import db
from app.applications.models import Application
from app.audit.service import verify_chain
from app.auth.models import ADMINISTRATOR
from app.deps import get_now, get_today
from app.main import create_app
from app.notifications.models import Notification, OutboxMessage
from app.protocol.signing import TestIdentity, make_demo_ca, make_test_certificate
from app.rules.replay import replay
from app.selection import service as selection
from tests.conftest import make_settings
from tests.factories.accounts import make_account
from tests.factories.candidates import make_iin

PASSWORD = "a-long-test-password"
LEGISLATION_PASS = {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7}


@dataclass(frozen=True)
class Person:
    """A candidate of the scenario: file, recorded results and what the members give them."""

    login: str
    surname: str
    given_name: str
    sex: str
    born: date
    locale: str
    experience_years: int
    results: dict[str, Any] = field(default_factory=dict)
    essay: tuple[int, ...] = ()
    interview: tuple[int, ...] = ()


PEOPLE: tuple[Person, ...] = (
    Person(
        "aigerim",
        "Нұрланова",
        "Әйгерім",
        "female",
        date(1990, 3, 14),
        "kk",
        8,
        {
            "legislation": LEGISLATION_PASS,
            "personal_qualities": {"percent": 80, "reliable": True},
            "reasoning": {"text": 20, "numeric": 20},
        },
        (4, 4, 5),
        (5, 5, 4),
    ),
    Person(
        "sergey",
        "Иванов",
        "Сергей",
        "male",
        date(1986, 7, 2),
        "ru",
        12,
        {
            "legislation_certificate_valid": True,
            "personal_qualities": {"percent": 70, "reliable": True},
            "reasoning": {"text": 18, "numeric": 18},
        },
        (4, 4, 4),
        (4, 4, 4),
    ),
    Person(
        "dauren",
        "Оспанов",
        "Дәурен",
        "male",
        date(1992, 1, 20),
        "kk",
        5,
        {"legislation": {"constitution": 15, "civil_service": 15, "anti_corruption": 4, "ethics": 10}},
    ),
    Person(
        "anna",
        "Петрова",
        "Анна",
        "female",
        date(1988, 11, 5),
        "ru",
        6,
        {"legislation_certificate_valid": True, "personal_qualities": {"percent": 45, "reliable": True}},
    ),
    Person(
        "madina",
        "Ахметова",
        "Мадина",
        "female",
        date(1995, 5, 30),
        "kk",
        4,
        {
            "legislation_certificate_valid": True,
            "personal_qualities": {"percent": 60, "reliable": True},
            "reasoning": {"text": 10, "numeric": 10},
        },
    ),
    Person(
        "erlan",
        "Сейітов",
        "Ерлан",
        "male",
        date(1991, 9, 9),
        "kk",
        7,
        {
            "legislation_certificate_valid": True,
            "personal_qualities": {"percent": 65.5, "reliable": True},
            "reasoning": {"text": 15, "numeric": 15},
        },
        (2, 3, 2),
    ),
)
"""Who leaves where: dauren at eligibility, anna at personal qualities, madina at reasoning
(half of four is two, at least three go on), erlan at the essay (mean 7/3 < 3); aigerim and
sergey are interviewed and ranked."""
NOT_QUALIFIED = Person("timur", "Қасымов", "Тимур", "male", date(2000, 2, 2), "ru", 1)

ESSAY_TEXT = {
    "kk": "Мемлекеттік қызметтің ашықтығы азаматтардың сеніміне негізделеді.",
    "ru": "Открытость государственной службы основана на доверии граждан.",
}


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Scenario:
    client: TestClient
    today: list[date]
    now: list[datetime]

    def at(self, moment: datetime) -> None:
        self.now[0] = moment
        self.today[0] = moment.astimezone(UTC).date()

    def sign_in(self, email_address: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/token", data={"username": email_address, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def ok(self, method: str, url: str, headers: dict[str, str], expected: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, url, headers=headers, **kwargs)
        assert response.status_code == expected, f"{method} {url}: {response.status_code} {response.text}"
        return response.json() if response.content and "json" in response.headers["content-type"] else response


def _file(person: Person) -> dict[str, Any]:
    start = date(2026 - person.experience_years, 2, 1)
    return {
        "surname": person.surname,
        "given_name": person.given_name,
        "patronymic": None,
        "phone": "+7 701 555 00 00",
        "region": "Astana",
        "locale": person.locale,
        "languages": [{"language": "kk", "level": "native"}, {"language": "ru", "level": "C1"}],
        "education": [
            {
                "level": "master",
                "field": "Law",
                "institution": "ENU",
                "start_date": "2008-09-01",
                "end_date": "2014-06-30",
            }
        ],
        "work": [
            {
                "employer": "Ministry of Justice",
                "position": "Chief expert",
                "start_date": start.isoformat(),
                "end_date": None,
                "functional_area": "legal",
            }
        ],
    }


def _irikteu_replay(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "recorded-competition.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "app", "replay", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


def _wait_for_letters(app: Any, inbox: Inbox, expected: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.state.sessions() as session:
            statuses = session.scalars(select(OutboxMessage.status)).all()
        if len(statuses) == expected and all(s == "sent" for s in statuses) and len(inbox.messages) == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"{len(inbox.messages)} of {expected} letters arrived; outbox: {Counter(statuses)}")


def test_a_whole_competition_from_state_body_to_signed_protocol_and_letters(
    sqlite_url: str, tmp_path: Path, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    ca = make_demo_ca("Irikteu test certification authority")
    roots = tmp_path / "trusted-roots.pem"
    roots.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    settings = make_settings(
        sqlite_url,
        f"sqlite:///{tmp_path / 'queue.db'}",
        smtp_url=f"smtp://127.0.0.1:{port}",
        mail_from="Irikteu <no-reply@irikteu.test>",
        protocol_trusted_roots=str(roots),
    )
    app = create_app(settings, start_consumer=True)
    today = [date(2026, 2, 2)]
    now = [datetime(2026, 2, 2, 4, 0, tzinfo=UTC)]
    app.dependency_overrides[get_today] = lambda: today[0]
    app.dependency_overrides[get_now] = lambda: now[0]
    with TestClient(app) as client:
        run = Scenario(client, today, now)
        _the_competition(run, app, inbox, ca, tmp_path)
        app.state.queue.huey.flush()


def _the_competition(run: Scenario, app: Any, inbox: Inbox, ca: TestIdentity, tmp_path: Path) -> None:
    # --- the administrator: a state body, its HR officer and a commission of three -----------------------
    with db.transaction(app.state.sessions) as session:
        make_account(session, role=ADMINISTRATOR, email="root@irikteu.test", password=PASSWORD)
    admin = run.sign_in("root@irikteu.test")
    body = run.ok(
        "POST",
        "/api/v1/admin/state-bodies",
        admin,
        201,
        json={
            "code": "E2E-MINJUST",
            "name_kk": "ҚР Әділет министрлігі",
            "name_ru": "Министерство юстиции РК",
            "region": "Astana",
        },
    )
    staff = {
        "hr": ("hr_officer", "Гүлнар Ахметова", "kk"),
        "chair": ("commission_member", "Ерлан Жұмабаев", "kk"),
        "member2": ("commission_member", "Сәуле Омарова", "kk"),
        "member3": ("commission_member", "Андрей Ситников", "ru"),
    }
    # the members' IINs on record: their signing certificates must carry them
    iins = {
        key: make_iin(date(1975, 1, 1 + serial), "male") for serial, key in enumerate(("chair", "member2", "member3"))
    }
    accounts: dict[str, Any] = {}
    for key, (role, name, locale) in staff.items():
        accounts[key] = run.ok(
            "POST",
            "/api/v1/admin/accounts",
            admin,
            201,
            json={
                "email": f"{key}@irikteu.test",
                "password": PASSWORD,
                "role": role,
                "display_name": name,
                "locale": locale,
                "state_body_id": body["id"] if role == "hr_officer" else None,
                "iin": iins.get(key),
            },
        )
    hr = run.sign_in("hr@irikteu.test")
    members = {key: run.sign_in(f"{key}@irikteu.test") for key in ("chair", "member2", "member3")}

    # --- HR: a managerial vacancy with qualification requirements, published; the commission seated -----
    vacancy = run.ok(
        "POST",
        "/api/v1/vacancies",
        hr,
        201,
        json={
            "category": "C-1",
            "functional_area": "legal",
            "title_kk": "Басқарма басшысы",
            "title_ru": "Руководитель управления",
            "duties_kk": "Құқықтық басқарманы басқару.",
            "duties_ru": "Руководство правовым управлением.",
            "requirements": {
                "min_education_level": "bachelor",
                "education_fields": ["Law"],
                "min_experience_months": 24,
                "min_functional_area_months": 12,
            },
        },
    )
    competition_id = run.ok("POST", f"/api/v1/vacancies/{vacancy['id']}/publish", hr)["competition_id"]
    base = f"/api/v1/competitions/{competition_id}"
    for key, role in (("chair", "chair"), ("member2", "member"), ("member3", "member")):
        run.ok("POST", f"{base}/commission", hr, 201, json={"account_id": accounts[key]["id"], "role": role})
    run.ok(
        "PUT",
        f"{base}/essay-topic",
        hr,
        json={"kk": "Мемлекеттік қызметтегі ашықтық", "ru": "Открытость на государственной службе"},
    )

    # --- candidates register, fill their files and apply ----------------------------------------------------
    tokens: dict[str, dict[str, str]] = {}
    applications: dict[str, dict[str, Any]] = {}
    for serial, person in enumerate((*PEOPLE, NOT_QUALIFIED), start=1):
        address = f"{person.login}@candidates.irikteu.test"
        minimal = {key: value for key, value in _file(person).items() if key not in ("education", "work")}
        run.ok(
            "POST",
            "/api/v1/candidates/register",
            {},
            202,
            json={
                **minimal,
                "email": address,
                "password": PASSWORD,
                "iin": make_iin(person.born, person.sex, 700 + serial),
                "consents": {"selection_rules": True, "personal_data": True},
            },
        )
        tokens[person.login] = run.sign_in(address)
        filled = _file(person)
        if person is NOT_QUALIFIED:
            filled["work"][0]["start_date"] = "2025-02-01"  # one year: short of the 24 months required
        run.ok("PUT", "/api/v1/candidates/me", tokens[person.login], json=filled)
        applications[person.login] = run.ok(
            "POST", f"{base}/applications", {**tokens[person.login], "Idempotency-Key": f"apply-{person.login}"}, 201
        )
    assert [applications[p.login]["qualified"] for p in PEOPLE] == [True] * len(PEOPLE)
    rejected = applications[NOT_QUALIFIED.login]
    assert rejected["qualified"] is False
    assert {r["requirement"]: r["met"] for r in rejected["qualification"]} == {
        "education_level": True,
        "education_field": True,
        "experience": False,
        "functional_area_experience": True,
    }
    codes = {login: application["anonymous_code"] for login, application in applications.items()}
    by_code = {code: login for login, code in codes.items()}

    # --- HR: the qualification decision within the working day, then the recorded test results ------------
    run.ok(
        "POST",
        f"/api/v1/applications/{rejected['id']}/reject",
        hr,
        json={"reason": "Жұмыс өтілі 24 айдан кем / Стаж менее 24 месяцев"},
    )
    for person in PEOPLE:
        assert (
            run.ok("POST", f"/api/v1/applications/{applications[person.login]['id']}/confirm", hr)["status"]
            == "confirmed"
        )
    run.at(datetime(2026, 2, 16, 4, 0, tzinfo=UTC))
    for person in PEOPLE:
        run.ok(
            "POST", f"/api/v1/applications/{applications[person.login]['id']}/stage-results", hr, json=person.results
        )

    # --- the essay: written by those who reached it, scored by the three members, the stage closed ----------
    run.at(datetime(2026, 2, 17, 5, 0, tzinfo=UTC))
    essayists = [p for p in PEOPLE if p.essay]
    for person in essayists:
        url = f"/api/v1/applications/{applications[person.login]['id']}/essay"
        started = run.ok("POST", f"{url}/start", tokens[person.login], 201, json={"language": person.locale})
        assert started["seconds_left"] == 45 * 60
        run.ok("PUT", url, tokens[person.login], json={"text": ESSAY_TEXT[person.locale][:20]})
        assert (
            run.ok("POST", f"{url}/submit", tokens[person.login], json={"text": ESSAY_TEXT[person.locale]})["locked"]
            is True
        )
    for person in PEOPLE[2:5]:
        refused = run.client.post(
            f"/api/v1/applications/{applications[person.login]['id']}/essay/start",
            headers=tokens[person.login],
            json={"language": "kk"},
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "stage_not_reached")
    run.at(datetime(2026, 2, 17, 9, 0, tzinfo=UTC))
    essays = run.ok("GET", f"{base}/essays", members["chair"])
    assert sorted(e["anonymous_code"] for e in essays["essays"]) == sorted(codes[p.login] for p in essayists)
    assert all("Нұрланова" not in json.dumps(e, ensure_ascii=False) for e in essays["essays"])
    for person in essayists:
        for member, score in zip(members.values(), person.essay, strict=True):
            run.ok("PUT", f"{base}/stages/essay/scores/{codes[person.login]}", member, json={"score": score})
    with db.transaction(app.state.sessions) as session:  # an ML pre-score beside them: it never counts
        first = session.get(Application, applications[PEOPLE[0].login]["id"])
        assert first is not None
        selection.record_member_score(
            session=session, application=first, stage="essay", scorer=None, score=1, score_type="ml_suggestion"
        )
    run.ok("POST", f"{base}/stages/essay/close", hr)

    # --- the interview: the shortlist scheduled, held and scored; the stage closed --------------------------
    shortlist = run.ok("GET", f"{base}/interviews", hr)["shortlist"]
    assert [by_code[code] for code in shortlist] == ["aigerim", "sergey"]
    interviews = {}
    for offset, code in enumerate(shortlist):
        starts = datetime(2026, 2, 19, 10, 0, tzinfo=UTC) + timedelta(minutes=20 * offset)
        interviews[code] = run.ok(
            "POST", f"{base}/interviews", hr, 201, json={"anonymous_code": code, "starts_at": starts.isoformat()}
        )
    run.at(datetime(2026, 2, 19, 11, 0, tzinfo=UTC))
    for code, interview in interviews.items():
        run.ok("POST", f"/api/v1/interviews/{interview['id']}/status", hr, json={"status": "held"})
        person = next(p for p in PEOPLE if p.login == by_code[code])
        for member, score in zip(members.values(), person.interview, strict=True):
            run.ok("PUT", f"{base}/stages/interview/scores/{code}", member, json={"score": score})
    run.ok("POST", f"{base}/stages/interview/close", hr)

    # --- publication: before it there is no protocol; then the outcome, the names, the replay ------------
    early = run.client.post(f"{base}/protocol", headers=hr)
    assert (early.status_code, early.json()["code"]) == (409, "results_not_published")
    run.at(datetime(2026, 2, 20, 4, 0, tzinfo=UTC))
    published = run.ok("POST", f"{base}/publish-results", hr)
    outcome = published["outcome"]
    stages = {stage["stage"]: stage for stage in outcome["stages"]}
    assert {by_code[c]: reason for c, reason in stages["eligibility"]["eliminated"].items()} == {
        "dauren": "legislation_act_below_minimum"
    }
    assert {by_code[c]: reason for c, reason in stages["personal_qualities"]["eliminated"].items()} == {
        "anna": "personal_qualities_below_minimum"
    }
    assert {by_code[c]: reason for c, reason in stages["reasoning"]["eliminated"].items()} == {
        "madina": "reasoning_below_cutoff"
    }
    assert {by_code[c]: reason for c, reason in stages["essay"]["eliminated"].items()} == {
        "erlan": "essay_below_minimum"
    }
    assert [(by_code[row["ref"]], row["rank"], row["total"]) for row in outcome["ranking"]] == [
        ("aigerim", 1, 3.4),
        ("sergey", 2, 3.02),
    ]
    assert outcome["winner"] == codes["aigerim"]
    assert outcome["deadlines"] == {
        "appointment_from": "2026-03-02",
        "appointment_until": "2026-03-06",
        "documents_due": "2026-03-02",
    }
    assert published["names"] == {codes["aigerim"]: "Нұрланова Әйгерім", codes["sergey"]: "Иванов Сергей"}
    document = run.ok("GET", f"{base}/replay-input", hr)
    assert document["candidates"][0]["essay"] == [4, 4, 5]  # the ML pre-score is not among them
    assert replay(document) == outcome
    assert _irikteu_replay(document, tmp_path) == outcome

    # --- the protocol: drawn up once, due one working day after publication -----------------------------------
    drawn = run.ok("POST", f"{base}/protocol", hr, 201)
    assert (drawn["created"], drawn["results_published_on"], drawn["drawn_up_on"]) == (True, "2026-02-20", "2026-02-20")
    assert (drawn["protocol_due"], drawn["overdue"], drawn["sign_deadline"]) == ("2026-02-23", False, "2026-02-23")
    assert drawn["notified_account_ids"] == [accounts[k]["id"] for k in ("chair", "member2", "member3")]
    protocol_id = drawn["protocol"]["id"]
    again = run.ok("POST", f"{base}/protocol", hr)
    assert (again["created"], again["protocol"]["id"], again["notified_account_ids"]) == (False, protocol_id, [])
    html_kk = run.ok("GET", f"/api/v1/protocols/{protocol_id}/html", members["chair"]).text
    assert "Нұрланова Әйгерім" in html_kk and "Петрова" not in html_kk  # names of the ranked only
    assert "4, 4, 5" in html_kk and "4, 4, 5, 1" not in html_kk

    # --- three members sign the PDF bytes they fetched; the verification holds ------------------------------
    stranger = make_test_certificate("Self-signed stranger")
    pdf = run.ok("GET", f"/api/v1/protocols/{protocol_id}/pdf", members["chair"]).content
    untrusted = run.client.post(
        f"/api/v1/protocols/{protocol_id}/signatures",
        headers=members["chair"],
        json={"signature": base64.b64encode(stranger.signer().sign(pdf)).decode()},
    )
    assert (untrusted.status_code, untrusted.json()["code"], untrusted.json()["reason"]) == (
        422,
        "signature_invalid",
        "untrusted_certificate",
    )
    for key in ("chair", "member2", "member3"):
        identity = make_test_certificate(staff[key][1], iins[key], issuer=ca)
        pdf = run.ok("GET", f"/api/v1/protocols/{protocol_id}/pdf", members[key]).content
        run.ok(
            "POST",
            f"/api/v1/protocols/{protocol_id}/signatures",
            members[key],
            201,
            json={"signature": base64.b64encode(identity.signer().sign(pdf)).decode()},
        )
    verification = run.ok("GET", f"/api/v1/protocols/{protocol_id}/verification", hr)
    assert (verification["hash_valid"], verification["valid"], verification["fully_signed"], verification["trust"]) == (
        True,
        True,
        True,
        "checked",
    )
    assert [check["valid"] for check in verification["signatures"]] == [True, True, True]
    assert verification["unsigned_member_account_ids"] == []

    # --- the audit chain holds; every letter arrived at the SMTP server ---------------------------------------
    with app.state.sessions() as session:
        chain = verify_chain(session)
        assert chain.valid and chain.first_bad_id is None
        notifications = Counter(session.scalars(select(Notification.event)).all())
    expected = {
        "application_received": 7,
        "application_for_review": 7,
        "qualification_confirmed": 6,
        "qualification_rejected": 1,
        "interview_scheduled": 2,
        "results_published": 7,
        "protocol_ready_to_sign": 3,
    }
    assert dict(notifications) == expected
    _wait_for_letters(app, inbox, sum(expected.values()))
    assert {
        key: sum(1 for m in inbox.messages if m["Subject"].startswith(prefix))
        for key, prefix in (
            ("protocol_ready_to_sign", "Конкурс хаттамасы қол қоюға дайын"),
            ("protocol_ready_to_sign_ru", "Протокол конкурса готов к подписанию"),
        )
    } == {"protocol_ready_to_sign": 2, "protocol_ready_to_sign_ru": 1}
    to_member3 = [m for m in inbox.messages if m["To"] == "member3@irikteu.test"]
    assert [m["Subject"] for m in to_member3] == ["Протокол конкурса готов к подписанию: Руководитель управления"]
    assert "23.02.2026" in to_member3[0].get_content()
    to_chair = [m for m in inbox.messages if m["To"] == "chair@irikteu.test"]
    assert [m["Subject"] for m in to_chair] == ["Конкурс хаттамасы қол қоюға дайын: Басқарма басшысы"]
