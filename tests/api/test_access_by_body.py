"""The probe's access findings (issue 13), each on the demo data it was found with.

Each test here failed on the main of 2026-12-07 (fa622bf): HR of the Akimat of Almaty granted and
read accommodations of a candidate who applied only to the Ministry of Finance and removed the
Ministry's reserve membership; commission members read each code's experience and education
before publication; the proctor read the names of the ranked; anyone read any job's state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.auth.models import StateBody
from app.candidates.models import Candidate
from app.competitions.models import OPEN, RESULTS_PUBLISHED, Competition
from app.jobs.models import Job
from tests.api._demo import Demo, demo_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from demo_app(tmp_path_factory.mktemp("demo"))


def _candidate_id(demo: Demo, login: str) -> int:
    with demo.session() as session:
        candidate_id: int = session.scalars(
            select(Candidate.id).where(Candidate.account_id == demo.account(login).id)
        ).one()
        return candidate_id


def _competitions(demo: Demo) -> tuple[int, int]:
    """(the finished competition of the Ministry of Finance, the open one of the Akimat of Almaty)."""
    with demo.session() as session:
        rows = session.execute(
            select(Competition.id, Competition.status, StateBody.code)
            .join(StateBody, StateBody.id == Competition.state_body_id)
            .order_by(Competition.id)
        ).all()
    finished = next(id_ for id_, status, _body in rows if status == RESULTS_PUBLISHED)
    # the Akimat's competitions are this one and the interview-stage one of app.demo_staff (applications closed)
    open_ = next(id_ for id_, status, body in rows if status == OPEN and body == "DEMO-ALMATY-AKIMAT")
    return finished, open_


def test_hr_of_another_body_neither_grants_nor_reads_accommodations(demo: Demo) -> None:
    """candidate01 applied to the Ministry of Finance only: the Akimat's HR gets 404, as for no candidate."""
    candidate_id = _candidate_id(demo, "candidate01")
    body = {
        "candidate_id": candidate_id,
        "programme": "all",
        "extra_minutes": 600,
        "reason": "Медициналық анықтама / медицинская справка № 17",
    }
    refused = demo.client.post("/api/v1/accommodations", json=body, headers=demo.headers("hr.almaty"))
    assert (refused.status_code, refused.json()["code"]) == (404, "candidate_not_found")
    missing = demo.client.post(
        "/api/v1/accommodations", json={**body, "candidate_id": 999_999}, headers=demo.headers("hr.almaty")
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "candidate_not_found")
    granted = demo.client.post(
        "/api/v1/accommodations", json={**body, "extra_minutes": 15}, headers=demo.headers("hr.minfin")
    )
    assert granted.status_code == 201, granted.text
    url = f"/api/v1/accommodations?candidate_id={candidate_id}"
    read = demo.client.get(url, headers=demo.headers("hr.almaty"))
    assert (read.status_code, read.json()["code"]) == (404, "candidate_not_found")
    assert "справка" not in read.text
    own = demo.client.get(url, headers=demo.headers("hr.minfin"))
    assert [row["extra_minutes"] for row in own.json()] == [15]
    assert demo.client.get(url, headers=demo.headers("admin")).status_code == 200
    # candidate02 applied to the Akimat: its HR may accommodate them
    theirs = demo.client.post(
        "/api/v1/accommodations",
        json={**body, "candidate_id": _candidate_id(demo, "candidate02"), "extra_minutes": 20},
        headers=demo.headers("hr.almaty"),
    )
    assert theirs.status_code == 201, theirs.text


def test_hr_of_another_body_cannot_remove_the_ministrys_reserve_membership(demo: Demo) -> None:
    added = demo.client.post(
        "/api/v1/talent/reserves",
        headers=demo.headers("hr.minfin"),
        json={
            "candidate_id": _candidate_id(demo, "candidate09"),
            "kind": "presidential_youth",
            "since": "2026-01-01",
            "source": "Приказ № 12",
        },
    )
    assert added.status_code == 201, added.text
    listed = demo.client.get("/api/v1/talent/reserves", headers=demo.headers("hr.almaty")).json()
    assert added.json()["id"] not in [row["id"] for row in listed]  # another body's record
    assert added.json()["id"] in [
        row["id"] for row in demo.client.get("/api/v1/talent/reserves", headers=demo.headers("hr.minfin")).json()
    ]
    url = f"/api/v1/talent/reserves/{added.json()['id']}"
    for other in ("hr.almaty", "member1", "proctor", "researcher", "candidate09"):
        refused = demo.client.delete(url, headers=demo.headers(other))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), other
    assert demo.client.delete(url, headers=demo.headers("hr.minfin")).status_code == 204
    assert demo.client.delete(url, headers=demo.headers("hr.minfin")).status_code == 404


def test_members_read_no_quasi_identifiers_by_code_before_publication(demo: Demo) -> None:
    """The replay input gives each code's experience and education: HR's until the results are published."""
    finished, open_ = _competitions(demo)
    before = f"/api/v1/competitions/{open_}/replay-input"
    for member in ("member4", "member5", "member1"):  # the open competition's commission
        refused = demo.client.get(before, headers=demo.headers(member))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), member
    for staff in ("hr.almaty", "admin"):
        assert demo.client.get(before, headers=demo.headers(staff)).status_code == 200, staff
    assert demo.client.get(before, headers=demo.headers("proctor")).status_code == 403
    after = f"/api/v1/competitions/{finished}/replay-input"
    assert demo.client.get(after, headers=demo.headers("member2")).status_code == 200
    assert demo.client.get(after, headers=demo.headers("member4")).status_code == 403  # not on that commission


def test_the_proctor_gets_anonymous_codes_only_also_after_publication(demo: Demo) -> None:
    finished, _ = _competitions(demo)
    base = f"/api/v1/competitions/{finished}"
    member_view = demo.client.get(f"{base}/results", headers=demo.headers("member1")).json()
    names = list(member_view["names"].values())
    assert "Сәрсенов Асқар Болатұлы" in names
    results = demo.client.get(f"{base}/results", headers=demo.headers("proctor"))
    assert results.status_code == 200 and results.json()["names"] == {}
    applications = demo.client.get(f"{base}/applications", headers=demo.headers("proctor"))
    assert applications.status_code == 200
    assert all(row["full_name"] is None for row in applications.json())
    for text in (results.text, applications.text):
        assert not [name for name in names if name in text]
        assert "Сәрсенов" not in text


def test_a_job_is_read_by_whoever_may_read_its_object_never_without_signing_in(demo: Demo) -> None:
    with demo.session() as session:
        job_id = session.scalars(select(Job.id).where(Job.kind == "notifications.send_email")).first()
    url = f"/api/v1/jobs/{job_id}"
    anonymous = demo.client.get(url)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    for who in ("candidate01", "hr.minfin", "member1", "proctor", "researcher"):
        refused = demo.client.get(url, headers=demo.headers(who))
        assert (refused.status_code, refused.json()["code"]) == (404, "job_not_found"), who
    assert demo.client.get(url, headers=demo.headers("admin")).json()["id"] == job_id
