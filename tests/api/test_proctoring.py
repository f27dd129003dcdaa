"""Proctoring through HTTP: events, the anonymous review queue, decisions, the deadline and their consequences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.api._assessment import Clocked, assert_anonymous, build
from tests.api._exam_sessions import (
    answer_sections,
    booked,
    started,
    submit,
    testing_world_fixture,  # noqa: F401
)


def _event(world: Clocked, account: Any, session_id: int, kind: str, at: datetime, evidence: str | None = None) -> Any:
    body: dict[str, Any] = {"kind": kind, "occurred_at": at.isoformat()}
    if evidence is not None:
        body["evidence_ref"] = evidence
    return world.client.post(
        f"/api/v1/test-sessions/{session_id}/proctoring-events", json=body, headers=world.headers(account)
    )


def test_a_confirmed_violation_removes_the_candidate_from_the_stage_and_the_queue_is_anonymous(world: Clocked) -> None:
    setup = build(world, category="C-1")
    watched, calm = setup.people[0], setup.people[1]
    proctor = world.account("proctor")
    sessions = {}
    for person in (watched, calm):
        world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
        booking = booked(world, person.account, "reasoning", application_id=person.application_id)
        sessions[person.code] = started(world, person.account, booking)
    moment = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    paper = _event(world, calm.account, sessions[calm.code]["id"], "paper_materials", moment)
    assert (paper.status_code, paper.json()["flagged"]) == (201, False)  # allowed in reasoning (§5)
    left = _event(world, watched.account, sessions[watched.code]["id"], "left_seat", moment, "rec/42.webm#t=300")
    assert (left.status_code, left.json()["flagged"], left.json()["evidence_ref"]) == (201, True, "rec/42.webm#t=300")
    by_proctor = _event(world, proctor, sessions[watched.code]["id"], "looked_away", moment + timedelta(minutes=1))
    assert by_proctor.status_code == 201
    foreign = _event(world, calm.account, sessions[watched.code]["id"], "left_seat", moment)
    assert (foreign.status_code, foreign.json()["code"]) == (404, "test_session_not_found")
    member = setup.members[0]
    assert _event(world, member, sessions[watched.code]["id"], "left_seat", moment).status_code == 403
    outside = _event(world, watched.account, sessions[watched.code]["id"], "left_seat", moment - timedelta(hours=1))
    assert (outside.status_code, outside.json()["code"]) == (422, "event_outside_session")
    unknown_kind = _event(world, watched.account, sessions[watched.code]["id"], "sneezed", moment)
    assert unknown_kind.status_code == 422

    assert world.client.get("/api/v1/proctoring/reviews", headers=world.headers(watched.account)).status_code == 403
    queue = world.client.get("/api/v1/proctoring/reviews", headers=world.headers(proctor))
    assert queue.status_code == 200
    reviews = queue.json()
    assert len(reviews) == 1
    review = reviews[0]
    assert (review["code"], review["programme"], review["block"], review["status"], review["flags"]) == (
        watched.code,
        "reasoning",
        "text",
        "pending",
        ["left_seat", "looked_away"],
    )
    assert [e["kind"] for e in review["events"]] == ["left_seat", "looked_away"]
    assert (review["session_ends_at"], review["review_due_on"], review["overdue"]) == (
        "2026-02-03T04:25:00Z",
        "2026-02-04",
        False,
    )
    bodies = [
        queue.text,
        world.client.get(f"/api/v1/proctoring/reviews/{review['id']}", headers=world.headers(proctor)).text,
    ]

    for person in (watched, calm):
        answer_sections(world, person.account, sessions[person.code]["id"], {"text": 20})
        submit(world, person.account, sessions[person.code]["id"])
    decided = world.client.post(
        f"/api/v1/proctoring/reviews/{review['id']}/decision",
        json={"decision": "confirm", "reason": "Орнынан 5 минутқа кетті"},
        headers=world.headers(proctor),
    )
    assert decided.status_code == 200, decided.text
    bodies.append(decided.text)
    assert (decided.json()["status"], decided.json()["decision_reason"]) == ("confirmed", "Орнынан 5 минутқа кетті")
    assert_anonymous(bodies, setup.people)
    twice = world.client.post(
        f"/api/v1/proctoring/reviews/{review['id']}/decision",
        json={"decision": "dismiss", "reason": "x"},
        headers=world.headers(proctor),
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "review_already_decided")

    application = world.client.get(
        f"/api/v1/applications/{watched.application_id}", headers=world.headers(setup.hr)
    ).json()
    assert application["stage_results"]["violations"] == ["reasoning"]
    outcome = world.client.get(
        f"/api/v1/competitions/{setup.competition_id}/progress", headers=world.headers(setup.hr)
    ).json()["outcome"]
    reasoning = next(s for s in outcome["stages"] if s["stage"] == "reasoning")
    assert reasoning["eliminated"].get(watched.code) == "proctor_violation"
    assert watched.code not in reasoning["advanced"] and calm.code in reasoning["advanced"]
    with world.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "proctoring_review.confirmed")).one()
    assert (
        audit.actor,
        audit.payload["after"]["violation_stage"],
        audit.payload["after"]["recorded_for_application"],
    ) == (str(proctor.id), "reasoning", True)


def test_a_confirmed_violation_voids_the_certificate_and_the_session_code_stands_for_the_name(world: Clocked) -> None:
    candidate = world.candidate(surname="Тестова", given_name="Алма")
    proctor = world.account("proctor")
    session = started(world, candidate, booked(world, candidate))
    answer_sections(
        world,
        candidate,
        session["id"],
        {act: 10 for act in ("constitution", "civil_service", "anti_corruption", "ethics")},
    )
    at = datetime(2026, 2, 3, 4, 10, tzinfo=UTC)
    assert _event(world, candidate, session["id"], "other_person_in_room", at).status_code == 201
    result = submit(world, candidate, session["id"])["result"]
    code = result["certificate"]["verification_code"]
    assert world.client.get(f"/api/v1/certificates/verify/{code}").json()["voided"] is False
    review = world.client.get("/api/v1/proctoring/reviews?status=pending", headers=world.headers(proctor)).json()[0]
    assert review["code"].startswith("TS-") and review["programme"] == "legislation"
    assert "Тестова" not in str(review) and candidate.email not in str(review)
    confirmed = world.client.post(
        f"/api/v1/proctoring/reviews/{review['id']}/decision",
        json={"decision": "confirm", "reason": "Бөлмеде бөгде адам"},
        headers=world.headers(proctor),
    )
    assert confirmed.status_code == 200
    check = world.client.get(f"/api/v1/certificates/verify/{code}").json()
    assert (check["voided"], check["valid_on_checked_day"]) == (True, False)
    read = world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(candidate)).json()
    assert (read["result"]["voided"], read["result"]["certificate"]["voided"]) == (True, True)
    assert read["result"]["void_reason"] == "proctoring violation confirmed: Бөлмеде бөгде адам"
    assert world.client.get("/api/v1/proctoring/reviews?status=pending", headers=world.headers(proctor)).json() == []


def test_the_review_deadline_is_one_working_day_after_the_session_across_a_weekend(world: Clocked) -> None:
    candidate = world.candidate()
    proctor = world.account("proctor")
    # Friday 2026-02-06, 15:00 in Astana.
    session = started(world, candidate, booked(world, candidate, "state_language", starts_at="2026-02-06T10:00:00Z"))
    assert (
        _event(
            world, candidate, session["id"], "camera_covered_or_disconnected", datetime(2026, 2, 6, 10, 3, tzinfo=UTC)
        ).status_code
        == 201
    )
    world.set_now(datetime(2026, 2, 6, 10, 12, tzinfo=UTC))
    submit(world, candidate, session["id"])

    def due() -> dict[str, Any]:
        reviews = world.client.get("/api/v1/proctoring/reviews", headers=world.headers(proctor)).json()
        assert len(reviews) == 1
        result: dict[str, Any] = reviews[0]
        return result

    world.set_today(date(2026, 2, 9))  # Monday
    assert (due()["session_ends_at"], due()["review_due_on"], due()["overdue"]) == (
        "2026-02-06T10:12:00Z",
        "2026-02-09",
        False,
    )
    world.set_today(date(2026, 2, 10))
    assert due()["overdue"] is True
    dismissed = world.client.post(
        f"/api/v1/proctoring/reviews/{due()['id']}/decision",
        json={"decision": "dismiss", "reason": "Камера бір сәтке өшті"},
        headers=world.headers(proctor),
    )
    assert (dismissed.json()["status"], dismissed.json()["overdue"]) == ("dismissed", False)
    reopened = _event(world, proctor, session["id"], "person_swapped", datetime(2026, 2, 6, 10, 5, tzinfo=UTC))
    assert reopened.status_code == 201
    again = due()
    assert (again["status"], again["flags"], again["decision_reason"]) == (
        "pending",
        ["camera_covered_or_disconnected", "person_swapped"],
        None,
    )
