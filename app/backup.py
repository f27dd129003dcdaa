"""Backups: ``irikteu backup DIR`` and ``irikteu restore DIR`` (issue 13).

A backup is a folder: the database (SQLite through its online backup API, so the service may keep
writing meanwhile; PostgreSQL through ``pg_dump --format=custom``), the interview recordings under
``data_dir/recordings``, and ``manifest.json`` with the SHA-256 and size of every file, the
Alembic revision, each table's row count and the audit chain's length and last hash.

A restore goes only into an empty database (no tables) and refuses a backup whose files do not
match their manifest. After it the row counts and the audit chain's last hash are compared with
the manifest, the migrations bring the database to the code's revision, and ``irikteu audit
verify`` recomputes the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from app import db
from app.audit.models import AuditEvent
from app.db import utcnow
from app.migrate import upgrade
from app.models import metadata

MANIFEST = "manifest.json"
FORMAT = "irikteu-backup/1"
SQLITE_FILE = "irikteu.sqlite3"
PG_FILE = "irikteu.pgdump"
RECORDINGS = "recordings"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (the CLI prints it and exits 1)."""


@dataclass(frozen=True)
class DatabaseState:
    revision: str | None
    rows: dict[str, int]
    audit_events: int
    audit_last_hash: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def database_state(engine: Engine) -> DatabaseState:
    """What a restore must reproduce: the revision, rows per table, the audit chain's length and end."""
    with engine.connect() as connection:
        return _state_of(connection)


def _state_of(connection: Connection) -> DatabaseState:
    revision = MigrationContext.configure(connection).get_current_revision()
    present = set(inspect(connection).get_table_names())
    rows = {
        name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
        for name in sorted(metadata.tables)
        if name in present
    }
    last = connection.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return DatabaseState(revision, rows, rows.get(AuditEvent.__tablename__, 0), last)


def _libpq_url(url: str) -> str:
    """A URL pg_dump and pg_restore understand (no SQLAlchemy driver suffix)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, env=env, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools are needed)") from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()[-2000:]}") from None


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database)


def _files_of(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file() and ".incoming" not in path.parts)


def backup(*, database_url: str, data_dir: Path, target: Path) -> dict[str, Any]:
    """Write a backup of the database and the recordings into ``target`` (new or empty); the manifest back."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; give a new folder")
    target.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(database_url)
    try:
        backend = engine.url.get_backend_name()
        if backend == "sqlite":
            # The state is read inside the copy's own snapshot, so the counts match the file exactly.
            database_file = target / SQLITE_FILE
            source = sqlite3.connect(_sqlite_path(database_url))
            copy = sqlite3.connect(database_file)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            copied = db.make_engine(f"sqlite:///{database_file}")
            try:
                state = database_state(copied)
            finally:
                copied.dispose()
            _fold_wal(database_file)
        elif backend == "postgresql":
            database_file = target / PG_FILE
            # The counts and the dump read one exported snapshot, so they describe the same moment.
            repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
            with repeatable as connection, connection.begin():
                snapshot = str(connection.scalar(text("SELECT pg_export_snapshot()")))
                state = _state_of(connection)
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        "--snapshot",
                        snapshot,
                        "--file",
                        str(database_file),
                        "--dbname",
                        _libpq_url(database_url),
                    ],
                    env=_pg_env(database_url),
                )
        else:
            raise BackupError(f"no backup for the {backend} backend")
    finally:
        engine.dispose()
    recordings = data_dir / RECORDINGS
    if recordings.is_dir():
        for path in _files_of(recordings):
            destination = target / RECORDINGS / path.relative_to(recordings)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    files = [
        {"name": path.relative_to(target).as_posix(), "sha256": sha256_of(path), "bytes": path.stat().st_size}
        for path in _files_of(target)
    ]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "backend": backend,
        "revision": state.revision,
        "database_file": database_file.name,
        "rows": state.rows,
        "audit": {"events": state.audit_events, "last_hash": state.audit_last_hash},
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _fold_wal(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file it names (and that it names every file) against its hash."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not an irikteu backup") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{source / MANIFEST} is not readable: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}; this version reads {FORMAT}")
    named = {entry["name"]: entry for entry in manifest["files"]}
    present = {path.relative_to(source).as_posix() for path in _files_of(source)} - {MANIFEST}
    if present != set(named):
        raise BackupError(
            f"the files differ from the manifest: missing {sorted(set(named) - present)}, "
            f"unexpected {sorted(present - set(named))}"
        )
    for name, entry in named.items():
        path = source / name
        if path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the backup is damaged")
    return manifest


def _ensure_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(f"the target database is not empty ({len(tables)} tables); restore into an empty one")


def restore(*, source: Path, database_url: str, data_dir: Path) -> dict[str, Any]:
    """Restore the backup in ``source`` into the empty database at ``database_url``; a summary back."""
    manifest = read_manifest(source)
    backend = make_url(database_url).get_backend_name()
    if backend != manifest["backend"]:
        raise BackupError(f"the backup is of {manifest['backend']}; the target is {backend}")
    recordings = data_dir / RECORDINGS
    incoming = [entry["name"] for entry in manifest["files"] if entry["name"].startswith(RECORDINGS + "/")]
    clashes = [name for name in incoming if (data_dir / name).exists()]
    if clashes:
        raise BackupError(f"{len(clashes)} recording(s) already exist under {recordings}; restore into an empty place")
    engine = db.make_engine(database_url)
    try:
        _ensure_empty(engine)
        dump = source / manifest["database_file"]
        if backend == "sqlite":
            engine.dispose()
            target = sqlite3.connect(_sqlite_path(database_url))
            copy = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
            try:
                copy.backup(target)
            finally:
                copy.close()
                target.close()
        else:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    _libpq_url(database_url),
                    str(dump),
                ],
                env=_pg_env(database_url),
            )
        state = database_state(engine)
    finally:
        engine.dispose()
    if state.rows != manifest["rows"] or state.audit_last_hash != manifest["audit"]["last_hash"]:
        raise BackupError("the restored database differs from the manifest (row counts or the audit chain's end)")
    for name in incoming:
        destination = data_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, destination)
    upgrade(database_url)
    return {
        "backend": backend,
        "revision": manifest["revision"],
        "rows": sum(state.rows.values()),
        "audit_events": state.audit_events,
        "recordings": len(incoming),
    }
