"""Security headers on every response and the request body limit (issue 13, "roles see only what they need")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.protocol.signing import make_demo_ca
from tests.conftest import make_settings


def test_every_response_carries_the_security_headers_and_docs_keep_working(client: TestClient) -> None:
    for method, url in (
        ("GET", "/health"),
        ("GET", "/api/v1/competitions"),
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/auth/token"),
        ("GET", "/openapi.json"),
    ):
        response = client.request(method, url)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "no-referrer", url
        assert headers["content-security-policy"].startswith("default-src 'self'"), url
        assert "strict-transport-security" not in headers, url  # not outside production
    docs = client.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    # Swagger UI's own page: its scripts and styles from jsDelivr, one inline script
    assert "https://cdn.jsdelivr.net" in policy and "'unsafe-inline'" in policy
    assert "cdn.jsdelivr.net" in docs.text
    assert "https://cdn.jsdelivr.net" in client.get("/redoc").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" not in client.get("/health").headers["content-security-policy"]


def test_production_adds_hsts(sqlite_url: str, tmp_path: Path) -> None:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(make_demo_ca().certificate.public_bytes(serialization.Encoding.PEM))
    settings = make_settings(
        sqlite_url,
        f"sqlite:///{tmp_path / 'q.db'}",
        environment="production",
        secret_key="x" * 40,
        protocol_trusted_roots=str(roots),
    )
    with TestClient(create_app(settings, start_consumer=False)) as client:
        assert client.get("/health").headers["strict-transport-security"].startswith("max-age=")


def test_a_body_over_the_limit_is_a_413_problem_with_a_stable_code(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", request_max_bytes=1000)
    app: FastAPI = create_app(settings, start_consumer=False)
    with TestClient(app) as client:
        big = client.post(
            "/api/v1/replay",
            content=b"{" + b" " * 2000 + b"}",
            headers={"Content-Type": "application/json", "Accept-Language": "ru"},
        )
        assert big.status_code == 413
        assert big.headers["content-type"].startswith("application/problem+json")
        assert (big.json()["code"], big.json()["title"], big.json()["limit_bytes"]) == (
            "request_too_large",
            "Запрос слишком большой",
            1000,
        )
        assert big.headers["x-content-type-options"] == "nosniff"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
            for _ in range(5):
                yield b" " * 400

        streamed = client.post("/api/v1/replay", content=chunks(), headers={"Content-Type": "application/json"})
        assert (streamed.status_code, streamed.json()["code"]) == (413, "request_too_large")
        small = client.post("/api/v1/replay", json={"x": 1})
        assert small.status_code != 413
        # the interview recording has its own limit (recording_max_bytes), checked where it is received
        recording = client.post(
            "/api/v1/interviews/1/recording", content=b"x" * 2000, headers={"Content-Type": "application/octet-stream"}
        )
        assert recording.status_code == 401
