"""Competitions through HTTP: commission, essay topic, member scores, the permission matrix and anonymity."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.applications.models import Application
from app.auth.crypto import decrypt_iin
from app.auth.models import Account
from app.candidates.models import Candidate
from app.competitions.models import MemberScore
from app.errors import DomainError, Kind
from app.rules.member_scores import InvalidMemberScoresError
from app.selection import service as selection
from tests.api._workflow import World, world_fixture  # noqa: F401


def _setup(world: World, *, category: str = "C-1") -> tuple[Account, int]:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr, category=category)
    return hr, competition_id


def _seat(world: World, hr: Account, competition_id: int, role: str = "member") -> Account:
    member = world.account("commission_member")
    response = world.client.post(
        f"/api/v1/competitions/{competition_id}/commission",
        json={"account_id": member.id, "role": role},
        headers=world.headers(hr),
    )
    assert response.status_code == 201, response.text
    return member


def _confirmed_application(world: World, hr: Account, competition_id: int, **candidate: Any) -> Application:
    account = world.candidate(**candidate)
    created = world.client.post(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(account))
    application_id = created.json()["id"]
    world.client.post(f"/api/v1/applications/{application_id}/confirm", headers=world.headers(hr))
    with world.session() as session:
        application: Application | None = session.get(Application, application_id)
        assert application is not None
        return application


def test_commission_is_managed_by_the_hr_of_the_body(world: World) -> None:
    hr, competition_id = _setup(world)
    other_hr = world.account("hr_officer")
    chair = _seat(world, hr, competition_id, "chair")
    member = _seat(world, hr, competition_id)
    url = f"/api/v1/competitions/{competition_id}/commission"
    second_chair = world.account("commission_member")
    taken = world.client.post(url, json={"account_id": second_chair.id, "role": "chair"}, headers=world.headers(hr))
    assert (taken.status_code, taken.json()["code"]) == (409, "chair_taken")
    twice = world.client.post(url, json={"account_id": member.id}, headers=world.headers(hr))
    assert (twice.status_code, twice.json()["code"]) == (409, "already_on_commission")
    not_member_role = world.account("proctor")
    wrong = world.client.post(url, json={"account_id": not_member_role.id}, headers=world.headers(hr))
    assert (wrong.status_code, wrong.json()["code"]) == (422, "not_a_commission_member_account")
    foreign = world.client.post(url, json={"account_id": second_chair.id}, headers=world.headers(other_hr))
    assert foreign.status_code == 403

    seen = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(member)).json()
    assert [(s["account_id"], s["role"]) for s in seen["commission"]] == [(chair.id, "chair"), (member.id, "member")]
    removed = world.client.delete(f"{url}/{member.id}", headers=world.headers(hr))
    assert removed.status_code == 204
    gone = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(member))
    assert gone.status_code == 403
    assert [c["id"] for c in world.client.get("/api/v1/competitions", headers=world.headers(chair)).json()] == [
        competition_id
    ]


def test_essay_topic_in_both_languages_for_managerial_competitions_only(world: World) -> None:
    hr, competition_id = _setup(world)
    topic = {"kk": "Мемлекеттік қызметтегі адалдық", "ru": "Честность на государственной службе"}
    response = world.client.put(
        f"/api/v1/competitions/{competition_id}/essay-topic", json=topic, headers=world.headers(hr)
    )
    assert response.status_code == 200
    assert response.json()["essay_topic"] == topic
    _, practical = _setup(world, category="C-4")
    refused = world.client.put(
        f"/api/v1/competitions/{practical}/essay-topic", json=topic, headers=world.headers(world.account("hr_officer"))
    )
    assert refused.status_code == 403  # another body's HR
    hr2 = world.account("hr_officer")
    _, own_practical = world.published_competition(hr2, category="C-4")
    no_essay = world.client.put(
        f"/api/v1/competitions/{own_practical}/essay-topic", json=topic, headers=world.headers(hr2)
    )
    assert (no_essay.status_code, no_essay.json()["code"]) == (409, "no_essay_stage")


def test_member_scores_only_by_voting_members_on_the_policy_scale_and_ml_never_counts(world: World) -> None:
    hr, competition_id = _setup(world)
    member = _seat(world, hr, competition_id)
    secretary = _seat(world, hr, competition_id, "secretary")
    outsider = world.account("commission_member")
    application = _confirmed_application(world, hr, competition_id)
    with world.session() as session:
        for scorer in (outsider, secretary, hr):
            with pytest.raises(DomainError) as refused:
                selection.record_member_score(
                    session=session, application=application, stage="essay", scorer=scorer, score=4
                )
            assert (refused.value.kind, refused.value.code) == (Kind.FORBIDDEN, "not_on_commission")
        with pytest.raises(InvalidMemberScoresError):
            selection.record_member_score(
                session=session, application=application, stage="essay", scorer=member, score=6
            )
        with pytest.raises(DomainError) as wrong_stage:
            selection.record_member_score(
                session=session, application=application, stage="practical", scorer=member, score=4
            )
        assert wrong_stage.value.code == "stage_not_in_plan"
    with world.session() as session:
        selection.record_member_score(
            session=session, application=application, stage="essay", scorer=member, score=4, comment="Жақсы"
        )
        selection.record_member_score(
            session=session, application=application, stage="essay", scorer=None, score=1, score_type="ml_suggestion"
        )
    with world.session() as session:
        with pytest.raises(DomainError) as twice:
            selection.record_member_score(
                session=session, application=application, stage="essay", scorer=member, score=3
            )
        assert twice.value.code == "already_scored"
    with world.session() as session:
        selection.record_member_score(
            session=session, application=application, stage="essay", scorer=member, score=5, replace=True
        )
        assert selection.counting_member_scores(session=session, application_ids=[application.id]) == {
            application.id: {"essay": (5,)}
        }
        assert len(session.scalars(select(MemberScore)).all()) == 2


def test_permission_matrix_for_competition_endpoints(world: World) -> None:
    hr, competition_id = _setup(world)
    member = _seat(world, hr, competition_id)
    roles = {
        "hr": hr,
        "other_hr": world.account("hr_officer"),
        "member": member,
        "outside_member": world.account("commission_member"),
        "proctor": world.account("proctor"),
        "researcher": world.account("researcher"),
        "candidate": world.candidate(),
        "administrator": world.account("administrator"),
    }
    base = f"/api/v1/competitions/{competition_id}"
    expected = {
        base: {
            "hr": 200,
            "other_hr": 403,
            "member": 200,
            "outside_member": 403,
            "proctor": 200,
            "researcher": 403,
            "candidate": 403,
            "administrator": 200,
        },
        f"{base}/applications": {
            "hr": 200,
            "other_hr": 403,
            "member": 200,
            "outside_member": 403,
            "proctor": 200,
            "researcher": 403,
            "candidate": 403,
            "administrator": 200,
        },
        f"{base}/progress": {
            "hr": 200,
            "other_hr": 403,
            "member": 200,
            "outside_member": 403,
            "proctor": 403,
            "researcher": 403,
            "candidate": 403,
            "administrator": 200,
        },
        # experience and education by anonymous code: HR's (and the administrator's) until publication
        f"{base}/replay-input": {
            "hr": 200,
            "other_hr": 403,
            "member": 403,
            "outside_member": 403,
            "proctor": 403,
            "researcher": 403,
            "candidate": 403,
            "administrator": 200,
        },
    }
    for url, by_role in expected.items():
        got = {
            name: world.client.get(url, headers=world.headers(account)).status_code for name, account in roles.items()
        }
        assert got == by_role, url
    assert world.client.get("/api/v1/competitions", headers=world.headers(roles["researcher"])).status_code == 403
    assert world.client.get(base).status_code == 401
    for name in ("other_hr", "member", "proctor", "researcher", "candidate", "administrator"):
        response = world.client.post(f"{base}/publish-results", headers=world.headers(roles[name]))
        assert response.status_code == 403, name


def test_commission_and_proctors_never_see_personal_data_before_publication(world: World) -> None:
    hr, competition_id = _setup(world)
    member = _seat(world, hr, competition_id)
    proctor = world.account("proctor")
    admin = world.account("administrator")
    people = [
        {
            "surname": "Жұмабекова",
            "given_name": "Әйгерім",
            "patronymic": "Серікқызы",
            "birth_date": date(1991, 4, 23),
            "sex": "female",
            "email": "aigerim.zh@example.kz",
        },
        {
            "surname": "Төлегенов",
            "given_name": "Бауыржан",
            "patronymic": "Маратұлы",
            "birth_date": date(1987, 11, 9),
            "sex": "male",
            "email": "baurzhan.t@example.kz",
        },
    ]
    secret_values: list[str] = ["+7 701 000 00 00", "7010000000"]
    for person in people:
        application = _confirmed_application(world, hr, competition_id, **person)
        world.client.post(
            f"/api/v1/applications/{application.id}/stage-results",
            headers=world.headers(hr),
            json={"legislation_certificate_valid": True, "personal_qualities": {"percent": 70, "reliable": True}},
        )
        birth: date = person["birth_date"]  # type: ignore[assignment]
        secret_values += [
            str(person["surname"]),
            str(person["given_name"]),
            str(person["patronymic"]),
            str(person["email"]),
            birth.isoformat(),
            birth.strftime("%d.%m.%Y"),
        ]
    with world.session() as session:
        for candidate in session.scalars(select(Candidate)).all():
            secret_values.append(decrypt_iin(candidate.iin_encrypted, secret_key=world.app.state.settings.secret_key))
    assert len(secret_values) == 16
    hr_view = world.client.get(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(hr)).text
    # the HR of the body may see them, so the scan below would find them
    assert "Жұмабекова" in hr_view and "aigerim.zh@example.kz" in hr_view

    base = f"/api/v1/competitions/{competition_id}"
    urls = [
        "/api/v1/competitions",
        base,
        f"{base}/applications",
        f"{base}/progress",
        f"{base}/replay-input",
        "/api/v1/vacancies",
    ]
    for account in (member, proctor, admin):
        for url in urls:
            response = world.client.get(url, headers=world.headers(account))
            leaked = [value for value in secret_values if value in response.text]
            assert leaked == [], (account.role, url, leaked)
    codes = [
        a["anonymous_code"] for a in world.client.get(f"{base}/applications", headers=world.headers(member)).json()
    ]
    assert len(codes) == 2
    assert all(
        a["full_name"] is None for a in world.client.get(f"{base}/applications", headers=world.headers(member)).json()
    )
