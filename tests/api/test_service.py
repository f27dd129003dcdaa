"""The service shell through HTTP: health, readiness, problems, request ids, logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as test_client:
        yield test_client


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_database_and_queue(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}


def test_ready_is_a_503_problem_when_the_queue_does_not_answer(sqlite_url: str) -> None:
    # Nothing listens on port 1: the Redis queue cannot answer.
    app = create_app(make_settings(sqlite_url, "redis://127.0.0.1:1/0"), start_consumer=False)
    with TestClient(app) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"].startswith("error: ")


def test_unknown_route_is_a_problem_with_a_stable_code_in_the_callers_language(client: TestClient) -> None:
    response = client.get("/no/such/thing", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["type"] == "urn:irikteu:problem:not_found"
    assert body["title"] == "Не найдено"
    assert body["instance"] == "/no/such/thing"
    assert response.headers["content-language"] == "ru"
    kazakh = client.get("/no/such/thing", headers={"Accept-Language": "kk"}).json()
    assert kazakh["title"] == "Табылмады"


def test_request_id_is_echoed_and_put_into_problems_and_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="irikteu.access"):
        response = client.get("/nowhere", headers={"X-Request-ID": "req-123"})
    assert response.headers["X-Request-ID"] == "req-123"
    assert response.json()["request_id"] == "req-123"
    access = [r for r in caplog.records if r.name == "irikteu.access"]
    # the access logger's fields arrive as extra attributes of the record
    assert [tuple(vars(r)[key] for key in ("request_id", "status", "path")) for r in access] == [
        ("req-123", 404, "/nowhere")
    ]


def test_a_request_without_an_id_gets_a_fresh_one(client: TestClient) -> None:
    first = client.get("/health").headers["X-Request-ID"]
    second = client.get("/health").headers["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_log_lines_are_json_with_the_request_id(
    capfd: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    settings = make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", log_level="INFO")
    with TestClient(create_app(settings, start_consumer=False)) as client:
        client.get("/health", headers={"X-Request-ID": "abc"})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "irikteu.access"]
    assert access and access[-1]["request_id"] == "abc"
    assert access[-1]["status"] == 200 and access[-1]["path"] == "/health"
    assert access[-1]["level"] == "INFO"


def test_an_unexpected_error_is_a_500_problem_that_keeps_the_request_id(sqlite_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "r-500"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["request_id"] == "r-500"
    assert "secret internal detail" not in response.text


def test_a_body_that_is_not_json_is_a_validation_problem(client: TestClient) -> None:
    response = client.post("/api/v1/replay", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["pointer"].startswith("#/body")
