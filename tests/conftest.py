"""Shared fixtures: a migrated database and a queue on every backend that answers here.

SQLite and the SQLite-backed Huey always run. PostgreSQL (127.0.0.1:5432, database
``test``) and Redis (127.0.0.1:6379) variants run when those servers answer, and are
skipped with a message naming the server when they do not, or fail when
``IRIKTEU_TEST_REQUIRE_SERVICES=1`` (CI; ``tests/services.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db
from app.migrate import upgrade
from app.settings import Settings
from tests.services import skip_or_fail

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


def _admin_execute(statement: str) -> None:
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def _postgres_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """One migrated PostgreSQL database per test process; each test clones it (CREATE … TEMPLATE)."""
    name = f"irikteu_tpl_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_postgres_url(name))
        yield name
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test process; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "irikteu.db"
    upgrade(f"sqlite:///{path}")
    connection = sqlite3.connect(path)  # fold the WAL into the file so a plain copy is whole
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "irikteu.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@contextmanager
def migrated_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database of ``kind`` (sqlite | postgres), cloned from the process's template."""
    if kind == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("_sqlite_template"), tmp_path)
        return
    if not POSTGRES_UP:
        skip_or_fail("PostgreSQL does not answer on 127.0.0.1:5432; its variant of this test is skipped")
    template = request.getfixturevalue("_postgres_template")
    name = f"irikteu_t_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _postgres_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database: SQLite always, PostgreSQL when it answers."""
    with migrated_database(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A freshly migrated SQLite database (a copy of the per-process template)."""
    return _sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A queue storage: Huey on SQLite always, on Redis when it answers."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.db'}"
        return
    if not REDIS_UP:
        skip_or_fail("Redis does not answer on 127.0.0.1:6379; its variant of this test is skipped")
    yield REDIS_URL


def make_settings(database_url: str, queue_url: str, **overrides: object) -> Settings:
    """Settings for a test app: a unique queue name so tests never see each other's messages."""
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "queue_url": queue_url,
        "queue_name": f"irikteu-test-{uuid.uuid4().hex[:8]}",
        "log_json": True,
        "log_level": "WARNING",
        "job_retry_delay_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
