"""Scoring at submission through app.rules: legislation marks, certificates, state language, personal
qualities with the validity scale, reasoning blocks, results recorded for the application, accommodations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.candidates.models import Candidate
from app.exams.reviews import ProctoringReview
from tests.api._assessment import Clocked, build
from tests.api._exam_sessions import (
    answer_sections,
    book,
    booked,
    start,
    started,
    submit,
    testing_world_fixture,  # noqa: F401
)

ACTS = ("constitution", "civil_service", "anti_corruption", "ethics")


def _sit_legislation(world: Clocked, counts: dict[str, int], starts_at: str = "2026-02-03T04:00:00Z") -> dict[str, Any]:
    candidate = world.candidate()
    world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
    session = started(world, candidate, booked(world, candidate, starts_at=starts_at))
    answer_sections(world, candidate, session["id"], counts)
    result: dict[str, Any] = submit(world, candidate, session["id"])["result"]
    return result


def test_legislation_29_fails_30_passes_and_an_act_at_4_fails(world: Clocked) -> None:
    below = _sit_legislation(world, {"constitution": 9, "civil_service": 8, "anti_corruption": 7, "ethics": 5})
    assert below["score"] == {
        "counts": {"constitution": 9, "civil_service": 8, "anti_corruption": 7, "ethics": 5},
        "total": 29,
    }
    assert (below["passed"], below["reason"], below["certificate"]) == (False, "legislation_total_below_minimum", None)
    at_mark = _sit_legislation(world, {"constitution": 10, "civil_service": 8, "anti_corruption": 7, "ethics": 5})
    assert (at_mark["score"]["total"], at_mark["passed"], at_mark["reason"]) == (30, True, None)
    certificate = at_mark["certificate"]
    assert (certificate["programme"], certificate["issued_on"], certificate["valid_until"]) == (
        "legislation",
        "2026-02-03",
        "2027-02-03",
    )
    assert certificate["form_hash"] == at_mark["form_hash"] and certificate["voided"] is False
    weak_act = _sit_legislation(world, {"constitution": 11, "civil_service": 10, "anti_corruption": 5, "ethics": 4})
    assert (weak_act["score"]["total"], weak_act["passed"], weak_act["reason"], weak_act["certificate"]) == (
        30,
        False,
        "legislation_act_below_minimum",
        None,
    )
    check = world.client.get(f"/api/v1/certificates/verify/{certificate['verification_code']}")
    assert check.status_code == 200
    assert (check.json()["valid_on_checked_day"], check.json()["checked_on"]) == (False, "2026-02-02")  # not yet
    world.set_today(datetime(2027, 2, 3).date())
    assert (
        world.client.get(f"/api/v1/certificates/verify/{certificate['verification_code']}").json()[
            "valid_on_checked_day"
        ]
        is True
    )
    world.set_today(datetime(2027, 2, 4).date())
    assert (
        world.client.get(f"/api/v1/certificates/verify/{certificate['verification_code']}").json()[
            "valid_on_checked_day"
        ]
        is False
    )
    assert world.client.get("/api/v1/certificates/verify/NOPE").json()["code"] == "certificate_not_found"
    with world.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.action.in_(("certificate.issued", "test_result.scored", "test_session.started"))
            )
        ).all()
    assert sorted(actions).count("test_result.scored") == 3 and actions.count("certificate.issued") == 1


def test_state_language_has_no_pass_mark_and_a_certificate_of_the_score_valid_to_feb_28(world: Clocked) -> None:
    candidate = world.candidate()
    # 2028-02-29 10:00 in Astana: a leap day; twelve months on, February has no 29th.
    booking = booked(world, candidate, "state_language", starts_at="2028-02-29T05:00:00Z")
    session = started(world, candidate, booking)
    assert (session["minutes"], session["items"], session["pages"]) == (20, 20, 4)
    answer_sections(world, candidate, session["id"], {"kazakh": 13})
    result = submit(world, candidate, session["id"])["result"]
    assert (result["score"], result["passed"], result["reason"]) == ({"correct": 13, "questions": 20}, None, None)
    certificate = result["certificate"]
    assert (certificate["issued_on"], certificate["valid_until"], certificate["score"]) == (
        "2028-02-29",
        "2029-02-28",
        {"correct": 13, "questions": 20},
    )
    mine = world.client.get("/api/v1/certificates/mine", headers=world.headers(candidate)).json()
    assert [c["id"] for c in mine] == [certificate["id"]]


def test_accommodation_extends_the_deadline_exactly_and_is_audited(world: Clocked) -> None:
    candidate = world.candidate()
    hr = world.account("hr_officer")
    _, competition_id = world.published_competition(hr)  # HR accommodates those who applied to their body
    applied = world.client.post(f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(candidate))
    assert applied.status_code == 201, applied.text
    with world.session() as session:
        candidate_id = session.scalars(select(Candidate.id).where(Candidate.account_id == candidate.id)).one()
    body = {
        "candidate_id": candidate_id,
        "programme": "legislation",
        "extra_minutes": 15,
        "reason": "Медициналық анықтама / медицинская справка",
    }
    assert world.client.post("/api/v1/accommodations", json=body, headers=world.headers(candidate)).status_code == 403
    granted = world.client.post("/api/v1/accommodations", json=body, headers=world.headers(hr))
    assert granted.status_code == 201, granted.text
    assert (granted.json()["extra_minutes"], granted.json()["granted_by"]) == (15, hr.id)
    other = world.client.post(
        "/api/v1/accommodations",
        json={**body, "programme": "state_language", "extra_minutes": 40},
        headers=world.headers(hr),
    )
    assert other.status_code == 201
    missing = world.client.post(
        "/api/v1/accommodations", json={**body, "candidate_id": 999_999}, headers=world.headers(hr)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "candidate_not_found")
    session = started(world, candidate, booked(world, candidate))
    assert (session["minutes"], session["extra_minutes"], session["deadline"], session["remaining_seconds"]) == (
        55,
        15,
        "2026-02-03T05:10:00Z",
        70 * 60,
    )
    listed = world.client.get(f"/api/v1/accommodations?candidate_id={candidate_id}", headers=world.headers(hr))
    assert [row["programme"] for row in listed.json()] == ["legislation", "state_language"]
    with world.session() as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "accommodation.granted")).all()
    assert [(e.actor, e.payload["after"]["extra_minutes"]) for e in events] == [(str(hr.id), 15), (str(hr.id), 40)]


def test_personal_qualities_percent_validity_scale_and_the_competition_progress(world: Clocked) -> None:
    setup = build(world, category="C-1")
    reliable_person, unreliable_person = setup.people[0], setup.people[1]
    progress_url = f"/api/v1/competitions/{setup.competition_id}/progress"

    def sit(person: Any, correct: dict[str, int]) -> dict[str, Any]:
        world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
        booking = booked(world, person.account, "personal_qualities", application_id=person.application_id)
        session = started(world, person.account, booking)
        assert (session["minutes"], session["items"]) == (100, 140)
        answer_sections(world, person.account, session["id"], correct)
        return submit(world, person.account, session["id"])

    seven = {
        q: 10
        for q in (
            "stress_resistance",
            "initiative",
            "responsibility",
            "service_orientation",
            "integrity",
            "self_development",
            "promptness",
        )
    }
    reliable = sit(reliable_person, {**seven, "validity": 6})["result"]
    assert reliable["score"]["percent"] == "53.84615384615384615384615385"  # 700/13, as a 28-digit decimal
    assert (
        reliable["score"]["per_quality"]["initiative"] == "100"
        and reliable["score"]["per_quality"]["leadership"] == "0"
    )
    assert (reliable["score"]["validity_hits"], reliable["score"]["reliable"]) == (6, True)
    assert (reliable["passed"], reliable["reason"], reliable["flagged_unreliable"]) == (True, None, False)
    assert reliable["recorded_for_application"] is True
    conclusion = reliable["certificate"]
    assert (conclusion["programme"], conclusion["issued_on"], conclusion["valid_until"]) == (
        "personal_qualities",
        "2026-02-03",
        "2027-02-03",
    )
    unreliable = sit(unreliable_person, {**seven, "validity": 7})
    verdict = unreliable["result"]
    assert (verdict["score"]["validity_hits"], verdict["score"]["reliable"]) == (7, False)
    assert (verdict["passed"], verdict["reason"], verdict["flagged_unreliable"]) == (
        False,
        "personal_qualities_unreliable",
        True,
    )
    assert verdict["certificate"] is None
    with world.session() as session:
        review = session.scalars(select(ProctoringReview)).one()
        assert (review.session_id, review.flags, review.status) == (unreliable["id"], ["unreliable_answers"], "pending")
    outcome = world.client.get(progress_url, headers=world.headers(setup.hr)).json()["outcome"]
    stage = next(s for s in outcome["stages"] if s["stage"] == "personal_qualities")
    assert stage["eliminated"] == {unreliable_person.code: "personal_qualities_unreliable"}
    assert reliable_person.code in stage["advanced"]
    application = world.client.get(
        f"/api/v1/applications/{reliable_person.application_id}", headers=world.headers(setup.hr)
    ).json()
    assert application["stage_results"]["personal_qualities"] == {"percent": 53.84615384615385, "reliable": True}
    world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
    again = book(world, reliable_person.account, "personal_qualities", application_id=reliable_person.application_id)
    assert (again.status_code, again.json()["code"]) == (409, "already_taken")
    foreign = book(world, reliable_person.account, "reasoning", application_id=unreliable_person.application_id)
    assert (foreign.status_code, foreign.json()["code"]) == (404, "application_not_found")


def test_reasoning_is_two_timed_blocks_and_records_text_and_numeric(world: Clocked) -> None:
    setup = build(world, category="C-1")
    person = setup.people[2]
    booking = booked(world, person.account, "reasoning", application_id=person.application_id, language="ru")
    assert booking["second_form_hash"] is not None
    text_block = started(world, person.account, booking)
    assert (text_block["block"], text_block["minutes"], text_block["items"]) == ("text", 25, 25)
    assert (
        world.client.get(f"/api/v1/test-sessions/{text_block['id']}/pages/1", headers=world.headers(person.account))
        .json()["items"][0]["passage"]
        .endswith("(ru).")
    )
    answer_sections(world, person.account, text_block["id"], {"text": 21})
    first = submit(world, person.account, text_block["id"])
    assert first["result"] is None
    numeric_block = start(world, person.account, booking["id"])
    assert numeric_block.status_code == 201, numeric_block.text
    numeric = numeric_block.json()
    assert (numeric["block"], numeric["form_hash"]) == ("numeric", booking["second_form_hash"])
    page = world.client.get(
        f"/api/v1/test-sessions/{numeric['id']}/pages/1", headers=world.headers(person.account)
    ).json()
    assert page["items"][0]["table"] == {"columns": ["x", "y"], "rows": [["1", 2], ["3", 4]], "caption": None}
    answer_sections(world, person.account, numeric["id"], {"numeric": 17})
    result = submit(world, person.account, numeric["id"])["result"]
    assert (result["score"], result["passed"]) == ({"text": 21, "numeric": 17, "total": 38}, None)
    assert (result["form_hash"], result["second_form_hash"]) == (booking["form_hash"], booking["second_form_hash"])
    application = world.client.get(
        f"/api/v1/applications/{person.application_id}", headers=world.headers(setup.hr)
    ).json()
    assert application["stage_results"]["reasoning"] == {"text": 21, "numeric": 17}
