"""Shared set-up for the essay, practical and interview API tests: a competition whose candidates reached
the scored stages, a commission, and a clock (today and now) the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.auth.models import Account
from app.deps import get_now
from tests.api._workflow import TODAY, World, _world
from tests.factories.candidates import make_iin

NOW = datetime(2026, 2, 2, 5, 0, tzinfo=UTC)  # Monday 10:00 in Astana, the day of tests/api/_workflow.TODAY
TOPIC = {"kk": "Мемлекеттік қызметтегі адалдық", "ru": "Честность на государственной службе"}
PASSING = {"legislation_certificate_valid": True, "personal_qualities": {"percent": 80, "reliable": True}}


@dataclass
class Clocked(World):
    """A world whose ``now`` (essay deadlines, interview slots) the test sets too."""

    now: list[datetime] = field(default_factory=lambda: [NOW])

    def set_now(self, moment: datetime) -> None:
        self.now[0] = moment


def _clocked(database_url: str, tmp_path: Any) -> Iterator[Clocked]:
    now = [NOW]
    for plain in _world(database_url, tmp_path):
        plain.app.dependency_overrides[get_now] = lambda: now[0]
        yield Clocked(app=plain.app, client=plain.client, today=plain.today, now=now)


@pytest.fixture(name="world")
def clocked_world_fixture(sqlite_url: str, tmp_path: Any) -> Iterator[Clocked]:
    """The app on SQLite with today and now pinned (most tests)."""
    yield from _clocked(sqlite_url, tmp_path)


@pytest.fixture(name="world_every_backend")
def clocked_world_every_backend_fixture(database_url: str, tmp_path: Any) -> Iterator[Clocked]:
    """The same on SQLite and, when it answers, PostgreSQL (time comparisons, constraints)."""
    yield from _clocked(database_url, tmp_path)


@dataclass
class Person:
    """A candidate who applied: their account, application, anonymous code and the personal data to hide."""

    account: Account
    application_id: int
    code: str
    personal: dict[str, str]


@dataclass
class Setup:
    competition_id: int
    hr: Account
    members: list[Account]
    secretary: Account
    people: list[Person]


def build(
    world: Clocked,
    *,
    category: str = "C-1",
    reasoning: list[tuple[int, int]] | None = None,
    failing_personal_qualities: int = 0,
    topic: bool = True,
) -> Setup:
    """A published competition with a chair, two members and a secretary, and confirmed candidates.

    ``reasoning`` gives each passing candidate's (text, numeric) correct answers (default three
    candidates); ``failing_personal_qualities`` adds candidates who stop at personal qualities.
    """
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr, category=category)
    members = [world.account("commission_member") for _ in range(3)]
    secretary = world.account("commission_member")
    for member, role in zip([*members, secretary], ("chair", "member", "member", "secretary"), strict=True):
        seated = world.client.post(
            f"/api/v1/competitions/{competition_id}/commission",
            json={"account_id": member.id, "role": role},
            headers=world.headers(hr),
        )
        assert seated.status_code == 201, seated.text
    results = [
        {**PASSING, "reasoning": {"text": text, "numeric": numeric}}
        for text, numeric in (reasoning or [(20, 20), (18, 18), (15, 15)])
    ]
    results += [
        {"legislation_certificate_valid": True, "personal_qualities": {"percent": 40, "reliable": True}}
        for _ in range(failing_personal_qualities)
    ]
    people = []
    for index, recorded in enumerate(results):
        birth = date(1985 + index, 3, 11 + index)
        iin = make_iin(birth, "female")
        surname, given = f"Жұмабекова{chr(0x410 + index)}", f"Әйгерім{chr(0x410 + index)}"
        account = world.candidate(surname=surname, given_name=given, birth_date=birth, sex="female", iin=iin)
        applied = world.client.post(
            f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(account)
        )
        assert applied.status_code == 201, applied.text
        application_id = applied.json()["id"]
        confirmed = world.client.post(f"/api/v1/applications/{application_id}/confirm", headers=world.headers(hr))
        assert confirmed.status_code == 200, confirmed.text
        stored = world.client.post(
            f"/api/v1/applications/{application_id}/stage-results", json=recorded, headers=world.headers(hr)
        )
        assert stored.status_code == 200, stored.text
        personal = {
            "surname": surname,
            "given_name": given,
            "iin": iin,
            "birth_date": birth.isoformat(),
            "birth_date_dotted": birth.strftime("%d.%m.%Y"),
            "email": account.email,
            "phone": "+7 701 000 00 00",
        }
        people.append(
            Person(
                account=account, application_id=application_id, code=applied.json()["anonymous_code"], personal=personal
            )
        )
    if topic:
        set_topic = world.client.put(
            f"/api/v1/competitions/{competition_id}/essay-topic", json=TOPIC, headers=world.headers(hr)
        )
        assert set_topic.status_code == 200, set_topic.text
    assert world.today[0] == TODAY
    return Setup(competition_id=competition_id, hr=hr, members=members, secretary=secretary, people=people)


def score(
    world: World, setup: Setup, stage: str, code: str, member: Account, value: int, comment: str | None = None
) -> Any:
    body: dict[str, Any] = {"score": value}
    if comment is not None:
        body["comment"] = comment
    return world.client.put(
        f"/api/v1/competitions/{setup.competition_id}/stages/{stage}/scores/{code}",
        json=body,
        headers=world.headers(member),
    )


def close(world: World, setup: Setup, stage: str) -> Any:
    return world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/stages/{stage}/close", headers=world.headers(setup.hr)
    )


def write_essay(world: World, person: Person, text: str, language: str = "ru") -> dict[str, Any]:
    base = f"/api/v1/applications/{person.application_id}/essay"
    started = world.client.post(f"{base}/start", json={"language": language}, headers=world.headers(person.account))
    assert started.status_code in (200, 201), started.text
    submitted = world.client.post(f"{base}/submit", json={"text": text}, headers=world.headers(person.account))
    assert submitted.status_code == 200, submitted.text
    result: dict[str, Any] = submitted.json()
    return result


def assert_anonymous(bodies: list[str], people: list[Person]) -> None:
    """No response body holds any candidate's name, IIN, birth date, e-mail or phone."""
    assert bodies
    for body in bodies:
        for person in people:
            for kind, value in person.personal.items():
                assert value not in body, f"{kind} of {person.code} leaked: {body[:200]}"
            assert person.personal["phone"].replace(" ", "") not in body.replace(" ", "")
