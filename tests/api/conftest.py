"""Fixtures shared by the API tests: an app on a fresh database (SQLite, and PostgreSQL when it answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    """The service on a fresh database, its lifespan started, no queue consumer."""
    application = create_app(make_settings(database_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(application):
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)
