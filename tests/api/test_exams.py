"""Test bookings and timed sessions through HTTP: booking rules, start, pages, answers, deadline, resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.exams import jobs as testing_jobs
from app.exams.models import TestAnswer, TestSession
from app.jobs.models import Job
from tests.api._assessment import Clocked
from tests.api._exam_sessions import (
    book,
    booked,
    form_of,
    put_answer,
    start,
    started,
    submit,
    testing_world_fixture,  # noqa: F401
)

STARTS = datetime(2026, 2, 3, 4, 0, tzinfo=UTC)  # Tuesday 09:00 in Astana, the day after TODAY


def _count(world: Clocked, model: Any, **where: Any) -> int:
    with world.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def test_booking_too_soon_is_422_and_the_boundary_is_the_next_day_in_kazakhstan(world: Clocked) -> None:
    candidate = world.candidate()
    today_noon = book(world, candidate, starts_at="2026-02-02T07:00:00Z")
    assert (today_noon.status_code, today_noon.json()["code"]) == (422, "booking_too_soon")
    assert today_noon.json()["earliest_date"] == "2026-02-03"
    # 18:59 UTC is 23:59 in Astana on the 2nd: still too soon; 19:00 UTC is 00:00 on the 3rd.
    late_evening = book(world, candidate, "state_language", starts_at="2026-02-02T18:59:00Z")
    assert (late_evening.status_code, late_evening.json()["code"]) == (422, "booking_too_soon")
    midnight = booked(world, candidate, "state_language", starts_at="2026-02-02T19:00:00Z", language="ru")
    assert (midnight["programme"], midnight["language"], midnight["status"]) == ("state_language", "ru", "booked")
    assert len(midnight["form_hash"]) == 64 and midnight["second_form_hash"] is None
    past = book(world, candidate, starts_at="2026-02-01T04:00:00Z")
    assert (past.status_code, past.json()["code"]) == (422, "booking_in_past")
    stage_without_application = book(world, candidate, "personal_qualities")
    assert (stage_without_application.status_code, stage_without_application.json()["code"]) == (
        422,
        "application_required",
    )
    first = booked(world, candidate)
    second = book(world, candidate)
    assert (second.status_code, second.json()["code"], second.json()["booking_id"]) == (
        409,
        "already_booked",
        first["id"],
    )
    cancelled = world.client.post(f"/api/v1/test-bookings/{first['id']}/cancel", headers=world.headers(candidate))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = booked(world, candidate)
    assert again["id"] != first["id"]
    hr = world.account("hr_officer")
    assert book(world, hr).status_code == 403
    mine = world.client.get("/api/v1/test-bookings", headers=world.headers(candidate)).json()
    assert [b["status"] for b in mine] == ["booked", "cancelled", "booked"]


def test_start_opens_at_the_grace_time_and_a_second_start_is_409_with_nothing_new(world: Clocked) -> None:
    candidate, other = world.candidate(), world.candidate()
    booking = booked(world, candidate)
    world.set_now(STARTS - timedelta(minutes=10, seconds=1))
    early = start(world, candidate, booking["id"])
    assert (early.status_code, early.json()["code"]) == (409, "session_not_open")
    assert start(world, other, booking["id"]).json()["code"] == "booking_not_found"
    assert start(world, candidate, 999_999).status_code == 404
    world.set_now(STARTS - timedelta(minutes=10))
    first = start(world, candidate, booking["id"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["block"], body["minutes"], body["extra_minutes"]) == ("running", "main", 55, 0)
    assert body["deadline"] == "2026-02-03T04:45:00Z"
    assert (body["remaining_seconds"], body["items"], body["page_size"], body["pages"]) == (3300, 55, 5, 11)
    assert body["form_hash"] == booking["form_hash"]
    second = start(world, candidate, booking["id"])
    assert (second.status_code, second.json()["code"], second.json()["session_id"]) == (
        409,
        "session_already_started",
        body["id"],
    )
    assert _count(world, TestSession) == 1
    assert _count(world, Job, kind="testing.auto_submit") == 1
    not_cancellable = world.client.post(
        f"/api/v1/test-bookings/{booking['id']}/cancel", headers=world.headers(candidate)
    )
    assert (not_cancellable.status_code, not_cancellable.json()["code"]) == (409, "booking_not_cancellable")


def test_a_missed_booking_cannot_start_and_a_cancelled_one_neither(world: Clocked) -> None:
    candidate = world.candidate()
    booking = booked(world, candidate)
    world.set_now(STARTS + timedelta(minutes=61))
    missed = start(world, candidate, booking["id"])
    assert (missed.status_code, missed.json()["code"]) == (409, "booking_missed")
    world.set_now(datetime(2026, 2, 2, 6, 0, tzinfo=UTC))
    other = booked(world, candidate, "state_language", starts_at="2026-02-04T04:00:00Z")
    world.client.post(f"/api/v1/test-bookings/{other['id']}/cancel", headers=world.headers(candidate))
    world.set_now(datetime(2026, 2, 4, 4, 0, tzinfo=UTC))
    refused = start(world, candidate, other["id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "booking_cancelled")
    assert _count(world, TestSession) == 0


def test_pages_are_in_the_candidates_language_and_never_hold_the_key(world: Clocked) -> None:
    kazakh, russian = world.candidate(), world.candidate()
    kk = started(world, kazakh, booked(world, kazakh, language="kk"))
    world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
    ru = started(world, russian, booked(world, russian, language="ru"))
    pages = {}
    for account, session in ((kazakh, kk), (russian, ru)):
        for number in (1, 11):
            response = world.client.get(
                f"/api/v1/test-sessions/{session['id']}/pages/{number}", headers=world.headers(account)
            )
            assert response.status_code == 200, response.text
            assert '"key"' not in response.text
            pages[(session["language"], number)] = response.json()
    first_kk, first_ru = pages[("kk", 1)], pages[("ru", 1)]
    assert [i["number"] for i in first_kk["items"]] == [1, 2, 3, 4, 5]
    assert [i["number"] for i in pages[("kk", 11)]["items"]] == [51, 52, 53, 54, 55]
    form = form_of(world, kk["id"])
    item = first_kk["items"][0]
    assert item["item_id"] == form.items[0].id
    assert item["stem"] == form.items[0].kk.stem and item["stem"].endswith("(kk)")
    assert [o["id"] for o in item["options"]] == ["a", "b", "c", "d"]
    assert item["options"][1]["text"] == "b (kk)" and item["answer"] is None
    assert all(i["stem"].endswith("(ru)") and i["options"][0]["text"] == "a (ru)" for i in first_ru["items"])
    assert first_kk["items"][0]["item_id"].startswith("leg-constitution")  # the acts in the order of §2
    beyond = world.client.get(f"/api/v1/test-sessions/{kk['id']}/pages/12", headers=world.headers(kazakh))
    assert (beyond.status_code, beyond.json()["code"]) == (404, "page_not_found")
    foreign = world.client.get(f"/api/v1/test-sessions/{kk['id']}/pages/1", headers=world.headers(russian))
    assert (foreign.status_code, foreign.json()["code"]) == (404, "test_session_not_found")


def test_answers_are_idempotent_by_request_id_and_a_change_overwrites(world: Clocked) -> None:
    candidate, other = world.candidate(), world.candidate()
    session = started(world, candidate, booked(world, candidate))
    item_id = form_of(world, session["id"]).items[0].id
    first = put_answer(world, candidate, session["id"], item_id, "b", "r-1")
    retry = put_answer(world, candidate, session["id"], item_id, "b", "r-1")
    assert (first.status_code, first.json()["created"]) == (200, True)
    assert (retry.status_code, retry.json()["created"]) == (200, False)
    assert retry.json()["answered_at"] == first.json()["answered_at"]
    assert _count(world, TestAnswer, session_id=session["id"]) == 1
    reused = put_answer(world, candidate, session["id"], item_id, "c", "r-1")
    assert (reused.status_code, reused.json()["code"]) == (409, "client_request_id_reused")
    world.set_now(world.now[0] + timedelta(seconds=30))
    changed = put_answer(world, candidate, session["id"], item_id, "c", "r-2")
    assert changed.json()["created"] is True
    with world.session() as db:
        history = db.execute(
            select(TestAnswer.option, TestAnswer.client_request_id)
            .where(TestAnswer.session_id == session["id"])
            .order_by(TestAnswer.id)
        ).all()
    assert [tuple(row) for row in history] == [("b", "r-1"), ("c", "r-2")]
    read = world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(candidate)).json()
    assert read["answers"] == {item_id: "c"}
    page = world.client.get(f"/api/v1/test-sessions/{session['id']}/pages/1", headers=world.headers(candidate))
    assert page.json()["items"][0]["answer"] == "c"
    unknown = put_answer(world, candidate, session["id"], "no-such-item", "a")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_item")
    bad_option = put_answer(world, candidate, session["id"], item_id, "z")
    assert (bad_option.status_code, bad_option.json()["code"]) == (422, "unknown_option")
    foreign = put_answer(world, other, session["id"], item_id, "a")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "test_session_not_found")
    assert world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(other)).status_code == 404
    assert _count(world, TestAnswer, session_id=session["id"]) == 2


def test_resume_gives_the_exact_remaining_time_and_answers_after_the_deadline_are_refused(world: Clocked) -> None:
    candidate = world.candidate()
    session = started(world, candidate, booked(world, candidate))
    item_id = form_of(world, session["id"]).items[3].id
    assert put_answer(world, candidate, session["id"], item_id, "a", "before").status_code == 200
    world.set_now(STARTS + timedelta(minutes=20, seconds=30, microseconds=500_000))  # the connection dropped
    resumed = world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(candidate)).json()
    assert (resumed["remaining_seconds"], resumed["status"], resumed["time_over"]) == (2069, "running", False)
    assert resumed["answers"] == {item_id: "a"}
    world.set_now(STARTS + timedelta(minutes=55) - timedelta(microseconds=1))
    assert put_answer(world, candidate, session["id"], item_id, "b", "last-moment").status_code == 200
    world.set_now(STARTS + timedelta(minutes=55))
    late = put_answer(world, candidate, session["id"], item_id, "c", "too-late")
    assert (late.status_code, late.json()["code"]) == (409, "session_time_over")
    # A retry of an answer acknowledged in time still gets its stored answer.
    assert put_answer(world, candidate, session["id"], item_id, "b", "last-moment").json()["created"] is False
    over = world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(candidate)).json()
    assert (over["status"], over["time_over"], over["remaining_seconds"], over["result"]) == ("running", True, 0, None)
    assert _count(world, TestAnswer, session_id=session["id"]) == 2


def test_the_deadline_job_submits_and_scores_when_the_candidate_never_returns(
    world: Clocked, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = world.candidate()
    booking = booked(world, candidate)
    session = started(world, candidate, booking)
    item = form_of(world, session["id"]).items[0]
    put_answer(world, candidate, session["id"], item.id, "a")
    queue = world.app.state.queue
    with world.session() as db:
        row = db.get(TestSession, session["id"])
        assert row is not None and row.auto_submit_job_id is not None
        job = db.get(Job, row.auto_submit_job_id)
        assert job is not None and (job.status, job.heartbeat_at) == ("queued", row.deadline)
        job_id = job.id
    assert queue.huey.pending_count() == 1  # the Huey message, scheduled for the deadline
    deadline = datetime(2026, 2, 3, 4, 55, tzinfo=UTC)
    monkeypatch.setattr(testing_jobs, "utcnow", lambda: deadline - timedelta(seconds=1))
    with pytest.raises(testing_jobs.NotDueYet):  # too early (clock skew): Huey retries it later
        queue.execute(job_id)
    with world.session() as db:
        assert db.get(Job, job_id).status == "retrying"
        assert db.get(TestSession, session["id"]).status == "running"
    monkeypatch.setattr(testing_jobs, "utcnow", lambda: deadline)
    queue.execute(job_id)
    with world.session() as db:
        job = db.get(Job, job_id)
        assert job is not None and (job.status, job.result) == (
            "succeeded",
            {"session_id": session["id"], "status": "submitted", "by": "deadline"},
        )
    world.set_now(deadline + timedelta(minutes=5))
    read = world.client.get(f"/api/v1/test-sessions/{session['id']}", headers=world.headers(candidate)).json()
    assert (read["status"], read["submitted_by"], read["submitted_at"]) == (
        "submitted",
        "deadline",
        "2026-02-03T04:55:00Z",
    )
    result = read["result"]
    assert result["score"] == {
        "counts": {"constitution": 1, "civil_service": 0, "anti_corruption": 0, "ethics": 0},
        "total": 1,
    }
    assert (result["passed"], result["reason"], result["certificate"]) == (
        False,
        "legislation_total_below_minimum",
        None,
    )
    assert result["form_hash"] == booking["form_hash"]
    again = submit(world, candidate, session["id"])  # the candidate comes back: idempotent
    assert (again["submitted_by"], again["result"]["id"]) == ("deadline", result["id"])
    late = put_answer(world, candidate, session["id"], item.id, "b")
    assert (late.status_code, late.json()["code"]) == (409, "session_submitted")
    booking_now = world.client.get(f"/api/v1/test-bookings/{booking['id']}", headers=world.headers(candidate)).json()
    assert (booking_now["status"], booking_now["session_ids"]) == ("completed", [session["id"]])
    assert start(world, candidate, booking["id"]).json()["code"] == "test_already_submitted"


def test_a_retake_draws_a_form_without_the_last_forms_items(world: Clocked) -> None:
    candidate = world.candidate()
    first = started(world, candidate, booked(world, candidate))
    submit(world, candidate, first["id"])
    world.set_now(datetime(2026, 2, 3, 6, 0, tzinfo=UTC))
    second = booked(world, candidate, starts_at="2026-02-05T04:00:00Z")
    first_items = set(form_of(world, first["id"]).item_ids)
    second_session = started(world, candidate, second)
    assert not first_items & set(form_of(world, second_session["id"]).item_ids)
