"""``irikteu backup`` / ``irikteu restore`` / ``irikteu audit verify`` on the demo's finished competition (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.backup import BackupError, read_manifest, restore
from app.demo import seed
from app.main import create_app
from app.rules.replay import replay
from tests.conftest import PG_ADMIN_URL, POSTGRES_UP, _admin_execute, _postgres_url, make_settings

ROOT = Path(__file__).parents[2]


def irikteu(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IRIKTEU_DATABASE_URL": database_url,
        "IRIKTEU_DATA_DIR": str(data_dir),
        "IRIKTEU_ENVIRONMENT": "test",
        "IRIKTEU_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend as ``database_url`` (no tables, not migrated)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'irikteu.db'}"
        return
    assert POSTGRES_UP, PG_ADMIN_URL
    name = f"irikteu_r_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _finished(app: FastAPI) -> dict[str, Any]:
    """The finished demo competition as HR sees it: its replay input, outcome and published results."""
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "hr.minfin@demo.irikteu.kz", "password": "demo-hr-2026"}
        ).json()["access_token"]
        hr = {"Authorization": f"Bearer {token}"}
        finished = [
            c for c in client.get("/api/v1/competitions", headers=hr).json() if c["status"] == "results_published"
        ]
        assert len(finished) == 1
        base = f"/api/v1/competitions/{finished[0]['id']}"
        replay_input = client.get(f"{base}/replay-input", headers=hr).json()
        results = client.get(f"{base}/results", headers=hr).json()
    return {"replay": replay(replay_input), "outcome": results["outcome"], "names": results["names"]}


def test_a_restored_backup_replays_the_finished_competition_the_same(
    database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    source = create_app(
        make_settings(database_url, f"sqlite:///{tmp_path / 'q.db'}", data_dir=tmp_path / "data"), start_consumer=False
    )
    with TestClient(source):
        seed(source.state.sessions)
    recording = tmp_path / "data" / "recordings" / "2026" / "demo.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF demo recording")
    before = _finished(source)
    assert before["replay"] == before["outcome"]

    folder = tmp_path / "backup"
    made = irikteu("backup", str(folder), database_url=database_url, data_dir=tmp_path / "data")
    assert made.returncode == 0, made.stderr
    manifest = read_manifest(folder)
    assert {entry["name"] for entry in manifest["files"]} == {manifest["database_file"], "recordings/2026/demo.wav"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])
    assert manifest["audit"]["events"] > 50 and manifest["revision"] is not None

    restored_data = tmp_path / "restored-data"
    done = irikteu("restore", str(folder), database_url=empty_database_url, data_dir=restored_data)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["audit_events"] == manifest["audit"]["events"]
    verified = irikteu("audit", "verify", database_url=empty_database_url, data_dir=restored_data)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout) == {
        "events": manifest["audit"]["events"],
        "valid": True,
        "first_bad_id": None,
        "reason": None,
    }
    assert (restored_data / "recordings" / "2026" / "demo.wav").read_bytes() == b"RIFF demo recording"

    again = create_app(
        make_settings(empty_database_url, f"sqlite:///{tmp_path / 'q2.db'}", data_dir=restored_data),
        start_consumer=False,
    )
    assert _finished(again) == before

    # Into a database that is no longer empty: refused, nothing touched.
    twice = irikteu("restore", str(folder), database_url=empty_database_url, data_dir=tmp_path / "elsewhere")
    assert twice.returncode == 1 and "not empty" in twice.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    made = irikteu("backup", str(folder), database_url=sqlite_url, data_dir=tmp_path / "d")
    assert made.returncode == 0, made.stderr
    manifest = read_manifest(folder)
    dump = folder / manifest["database_file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    target = tmp_path / "restored" / "irikteu.db"
    with pytest.raises(BackupError, match="SHA-256"):
        restore(source=folder, database_url=f"sqlite:///{target}", data_dir=tmp_path / "r")
    assert not target.exists()
    (folder / "stray.txt").write_text("x")
    with pytest.raises(BackupError, match="unexpected"):
        read_manifest(folder)
    refused = irikteu("backup", str(folder), database_url=sqlite_url, data_dir=tmp_path / "d")
    assert refused.returncode == 1 and "not empty" in refused.stderr
