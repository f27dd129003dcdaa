"""The answer route's own account check (token read without the database, account read with the session)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import Account
from app.auth.security import issue_access_token
from app.exams.models import TestAnswer
from tests.api._assessment import Clocked
from tests.api._exam_sessions import (  # noqa: F401
    booked,
    form_of,
    put_answer,
    started,
    testing_world_fixture,
)


def _stored(world: Clocked, session_id: int) -> int:
    with world.session() as db:
        return int(db.scalar(select(func.count()).select_from(TestAnswer).where(TestAnswer.session_id == session_id)))


def test_the_answer_route_refuses_like_every_candidate_route_and_writes_nothing(world: Clocked) -> None:
    candidate = world.candidate()
    session = started(world, candidate, booked(world, candidate))
    url = f"/api/v1/test-sessions/{session['id']}/answers/{form_of(world, session['id']).items[0].id}"
    body = {"option": "a", "client_request_id": "r-1"}
    settings = world.app.state.settings

    missing = world.client.put(url, json=body)
    assert (missing.status_code, missing.json()["code"]) == (401, "unauthorized")
    forged = world.client.put(url, json=body, headers={"Authorization": "Bearer not-a-token"})
    assert (forged.status_code, forged.json()["code"]) == (401, "unauthorized")
    officer = world.account("hr_officer", state_body_id=world.state_body())
    staff = world.client.put(url, json=body, headers=world.headers(officer))
    assert (staff.status_code, staff.json()["code"]) == (403, "forbidden")
    ghost = issue_access_token(account_id=999_999, role="candidate", settings=settings)
    nobody = world.client.put(url, json=body, headers={"Authorization": f"Bearer {ghost}"})
    assert (nobody.status_code, nobody.json()["code"]) == (401, "unauthorized")
    nobody_no_session = world.client.put(
        "/api/v1/test-sessions/424242/answers/x", json=body, headers={"Authorization": f"Bearer {ghost}"}
    )
    assert (nobody_no_session.status_code, nobody_no_session.json()["code"]) == (401, "unauthorized")
    no_session = put_answer(world, candidate, 424242, "x", "a")
    assert (no_session.status_code, no_session.json()["code"]) == (404, "test_session_not_found")
    headers = world.headers(candidate)  # issued while the account is a candidate
    with world.session() as db:
        row = db.get(Account, candidate.id)
        assert row is not None
        row.role = "researcher"
    changed = world.client.put(url, json=body, headers=headers)
    assert (changed.status_code, changed.json()["code"]) == (401, "unauthorized")
    assert "role has changed" in changed.json()["detail"]
    with world.session() as db:
        row = db.get(Account, candidate.id)
        assert row is not None
        row.role, row.is_active = "candidate", False
    switched_off = world.client.put(url, json=body, headers=headers)
    assert (switched_off.status_code, switched_off.json()["code"]) == (401, "unauthorized")
    assert "switched off" in switched_off.json()["detail"]
    assert _stored(world, session["id"]) == 0
    with world.session() as db:
        row = db.get(Account, candidate.id)
        assert row is not None
        row.is_active = True
    saved = world.client.put(url, json=body, headers=headers)
    assert (saved.status_code, saved.json()["created"]) == (200, True)
    assert _stored(world, session["id"]) == 1
