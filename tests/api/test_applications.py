"""Applications through HTTP: apply with the qualification check, idempotency, the HR decision, who sees what."""

from __future__ import annotations

import re
from datetime import date

from httpx2 import Response
from sqlalchemy import select

from app.applications.models import Application
from app.audit.models import AuditEvent
from app.auth.models import Account
from app.notifications.models import Notification
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.factories.candidates import make_candidate


def _apply(world: World, candidate: Account, competition_id: int, key: str | None = None) -> Response:
    headers = world.headers(candidate)
    if key is not None:
        headers["Idempotency-Key"] = key
    return world.client.post(f"/api/v1/competitions/{competition_id}/applications", headers=headers)


def test_apply_checks_qualification_per_requirement_and_issues_an_anonymous_code(world: World) -> None:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)
    candidate = world.candidate(experience_years=0, field_name="Economics")  # hired today: 0 months
    response = _apply(world, candidate, competition_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"IR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}", body["anonymous_code"])
    assert body["status"] == "submitted"
    assert body["applied_on"] == "2026-02-02"
    assert body["hr_confirmation_due"] == "2026-02-03"
    assert body["hr_confirmation_overdue"] is False
    assert body["qualified"] is False
    assert body["candidate"] is None
    assert [(r["requirement"], r["met"], r["required"], r["actual"], r["reason"]) for r in body["qualification"]] == [
        ("education_level", True, "bachelor", "bachelor", "education_level_met"),
        ("education_field", False, ["Law"], ["Economics"], "education_field_not_matching"),
        ("experience", False, 12, 0, "experience_below_minimum"),
    ]
    assert body["qualification"][2]["explanation"] == {
        "kk": "Жұмыс өтілі жеткіліксіз: кемінде 12 ай қажет, сізде — 0 ай.",
        "ru": "Недостаточный стаж работы: требуется не менее 12 мес., у вас — 0 мес.",
    }
    assert body["qualification"][0]["explanation"]["ru"] == (
        "Уровень образования соответствует: требуется — высшее образование (бакалавр), "
        "у вас — высшее образование (бакалавр)."
    )
    with world.session() as session:
        events = [(n.account_id, n.event) for n in session.scalars(select(Notification).order_by(Notification.id))]
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "application.submitted")).one()
    assert events == [(hr.id, "application_for_review"), (candidate.id, "application_received")]
    assert audit.payload["after"]["unmet"] == ["education_field", "experience"]


def test_qualified_candidate_and_ongoing_study_does_not_count(world: World) -> None:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr, requirements={"min_education_level": "master"})
    with world.session() as session:
        studying = make_candidate(
            session,
            secret_key=world.app.state.settings.secret_key,
            education=[{"level": "master", "field": "Law", "institution": "ENU", "start_date": date(2025, 9, 1)}],
        ).account
    body = _apply(world, studying, competition_id).json()
    assert body["qualified"] is False
    assert body["qualification"][0]["reason"] == "education_missing"
    ok = _apply(world, world.candidate(level="master"), competition_id).json()
    assert ok["qualified"] is True
    assert ok["experience_months"] == 36
    assert ok["education_level"] == "master"


def test_idempotency_key_returns_the_same_application_and_second_application_is_409(world: World) -> None:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)
    _, other_competition = world.published_competition(hr)
    candidate = world.candidate()
    first = _apply(world, candidate, competition_id, key="k-1")
    retry = _apply(world, candidate, competition_id, key="k-1")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["anonymous_code"] == first.json()["anonymous_code"]
    second = _apply(world, candidate, competition_id)
    assert second.status_code == 409
    assert second.json()["code"] == "already_applied"
    reused = _apply(world, candidate, other_competition, key="k-1")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    with world.session() as session:
        assert len(session.scalars(select(Application)).all()) == 1


def test_closed_competition_refuses_applications(world: World) -> None:
    hr = world.account("hr_officer")
    vacancy_id, competition_id = world.published_competition(hr)
    world.client.post(f"/api/v1/vacancies/{vacancy_id}/close", headers=world.headers(hr))
    response = _apply(world, world.candidate(), competition_id)
    assert response.status_code == 409
    assert response.json()["code"] == "competition_closed"
    _, open_competition = world.published_competition(hr)
    world.set_today(date(2026, 2, 12))  # the day after the window's last day
    late = _apply(world, world.candidate(), open_competition)
    assert late.status_code == 409
    assert late.json()["code"] == "competition_closed"


def test_only_candidates_apply(world: World) -> None:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)
    response = world.client.post(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(hr))
    assert response.status_code == 403


def test_hr_confirms_or_rejects_once_and_overdue_is_flagged(world: World) -> None:
    hr = world.account("hr_officer")
    other_hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)
    first = _apply(world, world.candidate(), competition_id).json()
    second = _apply(world, world.candidate(), competition_id).json()

    denied = world.client.post(f"/api/v1/applications/{first['id']}/confirm", headers=world.headers(other_hr))
    assert denied.status_code == 403

    world.set_today(date(2026, 2, 4))  # the due day (3 February) has passed
    listed = world.client.get(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(hr)).json()
    assert [a["hr_confirmation_overdue"] for a in listed] == [True, True]
    calendar = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(hr)).json()["calendar"]
    assert (calendar["applications_awaiting_confirmation"], calendar["applications_overdue"]) == (2, 2)

    confirmed = world.client.post(f"/api/v1/applications/{first['id']}/confirm", headers=world.headers(hr))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["hr_confirmation_overdue"] is False
    assert confirmed.json()["candidate"]["surname"] == "Сәрсенов"
    assert calendar["documents_review_overdue"] is False
    world.set_today(date(2026, 2, 17))  # documents review ran to 16 February; one application still waits
    late = world.client.get(f"/api/v1/competitions/{competition_id}", headers=world.headers(hr)).json()["calendar"]
    assert (late["documents_review_due"], late["documents_review_overdue"]) == ("2026-02-16", True)
    rejected = world.client.post(
        f"/api/v1/applications/{second['id']}/reject", json={"reason": "Диплом жоқ"}, headers=world.headers(hr)
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Диплом жоқ"
    again = world.client.post(
        f"/api/v1/applications/{first['id']}/reject", json={"reason": "x"}, headers=world.headers(hr)
    )
    assert again.status_code == 409
    assert again.json()["code"] == "application_already_decided"
    with world.session() as session:
        events = session.scalars(select(Notification.event).order_by(Notification.id)).all()
    assert events[-2:] == ["qualification_confirmed", "qualification_rejected"]


def test_candidate_sees_only_own_applications(world: World) -> None:
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)
    alice, bob = world.candidate(), world.candidate()
    alice_app = _apply(world, alice, competition_id).json()
    mine = world.client.get("/api/v1/applications/mine", headers=world.headers(bob))
    assert mine.status_code == 200
    assert mine.json() == []
    assert world.client.get(f"/api/v1/applications/{alice_app['id']}", headers=world.headers(bob)).status_code == 403
    own = world.client.get(f"/api/v1/applications/{alice_app['id']}", headers=world.headers(alice))
    assert own.status_code == 200
    assert [a["id"] for a in world.client.get("/api/v1/applications/mine", headers=world.headers(alice)).json()] == [
        alice_app["id"]
    ]
    listing = world.client.get(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(alice))
    assert listing.status_code == 403


def test_recorded_results_are_validated_with_the_replay_ranges(world: World) -> None:
    hr = world.account("hr_officer")
    admin = world.account("administrator")
    member = world.account("commission_member")
    _, competition_id = world.published_competition(hr)
    application = _apply(world, world.candidate(), competition_id).json()
    url = f"/api/v1/applications/{application['id']}/stage-results"
    pending = world.client.post(url, json={"legislation_certificate_valid": True}, headers=world.headers(hr))
    assert pending.status_code == 409
    assert pending.json()["code"] == "application_not_confirmed"
    world.client.post(f"/api/v1/applications/{application['id']}/confirm", headers=world.headers(hr))

    bad = world.client.post(
        url,
        headers=world.headers(hr),
        json={
            "legislation": {"constitution": 16, "civil_service": 10, "anti_corruption": 9, "ethics": 11},
            "personal_qualities": {"percent": 100.5, "reliable": True},
            "reasoning": {"text": 26, "numeric": 3},
            "violations": ["lunch"],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_stage_results"
    assert bad.json()["errors"] == [
        "legislation.constitution: must be 0..15",
        "legislation.ethics: must be 0..10",
        "personal_qualities.percent: must be 0..100",
        "reasoning.text: must be 0..25",
        "violations[0]: must be one of eligibility, personal_qualities, reasoning, essay, practical, interview",
    ]
    assert (
        world.client.post(url, json={"legislation_certificate_valid": True}, headers=world.headers(member)).status_code
        == 403
    )

    ok = world.client.post(
        url,
        headers=world.headers(hr),
        json={"legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7}},
    )
    assert ok.status_code == 200
    merged = world.client.post(
        url,
        headers=world.headers(admin),
        json={"personal_qualities": {"percent": 62.5, "reliable": True}, "violations": ["reasoning"]},
    )
    assert merged.status_code == 200
    body = merged.json()
    assert body["legislation"] == {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7}
    assert body["personal_qualities"] == {"percent": 62.5, "reliable": True}
    assert body["violations"] == ["reasoning"]
    cleared = world.client.post(url, headers=world.headers(hr), json={"violations": None}).json()
    assert cleared["violations"] == []
    with world.session() as session:
        recorded = session.scalars(select(AuditEvent).where(AuditEvent.action == "stage_results.recorded")).all()
    assert len(recorded) == 3
    assert recorded[1].payload["before"] == {
        "legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7}
    }
