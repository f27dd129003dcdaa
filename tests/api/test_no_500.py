"""No 500 on any input (issue 13): the probe's inputs are refused cleanly, and the OpenAPI document says so."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.models import Account
from app.db import transaction
from app.problems import PROBLEM_MEDIA_TYPE
from tests.api._workflow import vacancy_body
from tests.factories.accounts import auth_headers, make_account

HUGE = 2**64 + 1  # beyond 64 bits: SQLite's integer and PostgreSQL's bigint overflow


def _account(app: FastAPI, role: str) -> Account:
    with transaction(app.state.sessions) as session:
        return make_account(session, role=role)


def _problem(response: Any, status: int, code: str) -> None:
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_MEDIA_TYPE), response.text
    assert response.json()["code"] == code, response.text


@pytest.mark.parametrize("token", ["ж.ж", "жж", "a.ж", "ж.a", "é" * 10 + "." + "ü" * 10])
def test_a_non_ascii_unsubscribe_token_is_a_clean_400(app: FastAPI, client: TestClient, token: str) -> None:
    for method in ("GET", "POST"):
        _problem(
            client.request(method, "/api/v1/alerts/unsubscribe", params={"token": token}),
            400,
            "unsubscribe_token_invalid",
        )


# (role, method, path, body): an id, an offset or a version beyond 64 bits in a path, a query or a body.
HUGE_IDS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("hr_officer", "GET", f"/api/v1/competitions/{HUGE}", None),
    ("hr_officer", "GET", f"/api/v1/competitions/{HUGE}/applications", None),
    ("hr_officer", "GET", f"/api/v1/applications/{HUGE}", None),
    ("hr_officer", "POST", f"/api/v1/applications/{HUGE}/confirm", None),
    ("hr_officer", "GET", f"/api/v1/accommodations?candidate_id={HUGE}", None),
    (
        "hr_officer",
        "POST",
        "/api/v1/accommodations",
        {"candidate_id": HUGE, "programme": "all", "extra_minutes": 30, "reason": "r"},
    ),
    ("hr_officer", "GET", f"/api/v1/interviews/1/transcript?version={HUGE}", None),
    ("hr_officer", "GET", f"/api/v1/interviews/{HUGE}/transcript", None),
    ("hr_officer", "POST", "/api/v1/interviews/1/transcript/versions", {"base_version": HUGE, "segments": []}),
    ("candidate", "GET", f"/api/v1/notifications?offset={HUGE}", None),
    ("candidate", "GET", "/api/v1/notifications?offset=-1", None),
    ("hr_officer", "POST", "/api/v1/alerts/campaigns", {"vacancy_ids": [HUGE]}),
    ("hr_officer", "POST", "/api/v1/competitions/1/commission", {"account_id": HUGE, "role": "member"}),
    ("hr_officer", "DELETE", f"/api/v1/competitions/1/commission/{HUGE}", None),
    ("hr_officer", "POST", "/api/v1/talent/invitations", {"candidate_id": HUGE, "vacancy_id": 1}),
    ("hr_officer", "DELETE", f"/api/v1/talent/reserves/{HUGE}", None),
    (
        "candidate",
        "POST",
        "/api/v1/test-bookings",
        {"programme": "legislation", "starts_at": "2026-03-03T10:00:00+05:00", "application_id": HUGE},
    ),
    ("candidate", "GET", f"/api/v1/test-sessions/{HUGE}/pages/{HUGE}", None),
    (
        "administrator",
        "POST",
        "/api/v1/admin/accounts",
        {
            "email": "p@gov.kz",
            "password": "a-long-pass-phrase",
            "role": "hr_officer",
            "state_body_id": HUGE,
            "display_name": "P",
        },
    ),
]


def test_ids_offsets_and_versions_beyond_64_bits_are_422_not_500(app: FastAPI, client: TestClient) -> None:
    headers = {role: auth_headers(app, _account(app, role)) for role in {case[0] for case in HUGE_IDS}}
    for role, method, path, body in HUGE_IDS:
        response = client.request(method, path, json=body, headers=headers[role])
        assert response.status_code == 422, (method, path, response.status_code, response.text)
        _problem(response, 422, "validation_error")


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00", "9999-12-31T23:59:59-00:01"]
)
def test_date_times_out_of_range_after_their_offset_are_422(app: FastAPI, client: TestClient, starts_at: str) -> None:
    candidate = auth_headers(app, _account(app, "candidate"))
    booking = client.post(
        "/api/v1/test-bookings", headers=candidate, json={"programme": "legislation", "starts_at": starts_at}
    )
    _problem(booking, 422, "validation_error")
    hr = auth_headers(app, _account(app, "hr_officer"))
    interview = client.post(
        "/api/v1/competitions/1/interviews", headers=hr, json={"anonymous_code": "A-1", "starts_at": starts_at}
    )
    _problem(interview, 422, "validation_error")


def test_applications_cannot_close_at_the_end_of_time(app: FastAPI, client: TestClient) -> None:
    hr = auth_headers(app, _account(app, "hr_officer"))
    draft = client.post("/api/v1/vacancies", json=vacancy_body(), headers=hr)
    assert draft.status_code == 201, draft.text
    published = client.post(
        f"/api/v1/vacancies/{draft.json()['id']}/publish", headers=hr, json={"applications_close_on": "9999-12-31"}
    )
    _problem(published, 422, "validation_error")
    assert published.json()["errors"][0]["pointer"] == "#/body/applications_close_on"


@pytest.mark.parametrize(
    "title", ["Бас маман\nBcc: all@example.kz", "Бас маман\r\n", "Бас\rманан", "Бас\x00маман", "Бас\u2028маман"]
)
def test_a_line_break_in_a_vacancy_title_is_refused_at_entry(app: FastAPI, client: TestClient, title: str) -> None:
    hr = auth_headers(app, _account(app, "hr_officer"))
    for field in ("title_kk", "title_ru"):
        response = client.post("/api/v1/vacancies", json=vacancy_body(**{field: title}), headers=hr)
        _problem(response, 422, "validation_error")
        assert response.json()["errors"][0]["pointer"] == f"#/body/{field}"


def test_names_that_reach_e_mails_are_single_lines(app: FastAPI, client: TestClient) -> None:
    admin = auth_headers(app, _account(app, "administrator"))
    body = client.post(
        "/api/v1/admin/state-bodies",
        headers=admin,
        json={"code": "X-1", "name_kk": "Орган\nBcc: x@y.kz", "name_ru": "Орган", "region": "Astana"},
    )
    _problem(body, 422, "validation_error")
    staff = client.post(
        "/api/v1/admin/accounts",
        headers=admin,
        json={"email": "p@gov.kz", "password": "a-long-pass-phrase", "role": "proctor", "display_name": "P\r\nX"},
    )
    _problem(staff, 422, "validation_error")


def test_the_openapi_document_lists_every_operations_errors_as_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "delete", "patch")
    ]
    assert len(operations) > 100
    for path, method, operation in operations:
        errors = {status: response for status, response in operation["responses"].items() if status[0] in "45"}
        assert {"400", "404", "409", "422", "429", "500"} <= set(errors), (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= set(errors), (method, path)
        for status, response in errors.items():
            assert list(response["content"]) == [PROBLEM_MEDIA_TYPE], (method, path, status)
            assert response["content"][PROBLEM_MEDIA_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    ids = [
        parameter
        for _, _, operation in operations
        for parameter in operation.get("parameters", [])
        if parameter["name"].endswith("_id")
    ]
    assert ids and all(
        parameter["schema"].get("maximum", 0) <= 2**63 - 1 for parameter in ids if "anyOf" not in parameter["schema"]
    )
