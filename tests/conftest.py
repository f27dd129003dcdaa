"""Shared fixtures: a migrated database and a queue on every backend that answers here.

SQLite and the SQLite-backed Huey always run. PostgreSQL (127.0.0.1:5432, database
``test``) and Redis (127.0.0.1:6379) variants run when those servers answer, and are
skipped with a message naming the server when they do not.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db
from app.migrate import upgrade
from app.settings import Settings

PG_ADMIN_URL = os.environ.get("IRIKTEU_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("IRIKTEU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES_UP = _answers("127.0.0.1", 5432)
REDIS_UP = _answers("127.0.0.1", 6379)


def _fresh_postgres_database() -> tuple[str, str]:
    name = f"irikteu_t_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(name: str) -> None:
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database: SQLite always, PostgreSQL when it answers."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'irikteu.db'}"
        upgrade(url)
        yield url
        return
    if not POSTGRES_UP:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432; its variant of this test is skipped")
    name, url = _fresh_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        _drop_postgres_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'irikteu.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A queue storage: Huey on SQLite always, on Redis when it answers."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.db'}"
        return
    if not REDIS_UP:
        pytest.skip("Redis does not answer on 127.0.0.1:6379; its variant of this test is skipped")
    yield REDIS_URL


def make_settings(database_url: str, queue_url: str, **overrides: object) -> Settings:
    """Settings for a test app: a unique queue name so tests never see each other's messages."""
    values: dict[str, object] = {
        "environment": "test", "database_url": database_url, "queue_url": queue_url,
        "queue_name": f"irikteu-test-{uuid.uuid4().hex[:8]}", "log_json": True, "log_level": "WARNING",
        "job_retry_delay_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
