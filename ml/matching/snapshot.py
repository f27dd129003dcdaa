"""Versioned index snapshots: a worker writes ``<name>-<version>.faiss`` and a JSON manifest; readers follow it.

The manifest (``<name>.json``) names the current file, its SHA-256, the model id and the count.
It is replaced atomically after the index file is complete, so a reader sees either the old
or the new version, never half of one. Every API process loads the same file read-only and
reloads when the manifest's version changes, so several machines answer alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss

from ml.matching.index import VectorIndex

KEEP_VERSIONS = 2


class SnapshotError(RuntimeError):
    """The manifest is unreadable or the index file does not match its checksum."""


@dataclass(frozen=True)
class SnapshotManifest:
    name: str
    version: int
    model_id: str
    count: int
    dim: int
    kind: str
    file: str
    checksum: str
    created_at: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.json"


def read_manifest(directory: str | Path, name: str) -> SnapshotManifest | None:
    """The current manifest, ``None`` when no snapshot was written yet."""
    path = manifest_path(Path(directory), name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise SnapshotError(f"unreadable index manifest {path}: {error}") from error
    try:
        return SnapshotManifest(**data)
    except TypeError as error:
        raise SnapshotError(f"index manifest {path} lacks fields: {error}") from error


def write_snapshot(index: VectorIndex, directory: str | Path, name: str, *, model_id: str) -> SnapshotManifest:
    """Write the next version of ``name`` and switch the manifest to it; older files beyond two are removed."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(folder, name)
    version = (previous.version if previous else 0) + 1
    file_name = f"{name}-{version}.faiss"
    target = folder / file_name
    partial = folder / f".{file_name}.{os.getpid()}.tmp"
    faiss.write_index(index.to_faiss(), str(partial))
    os.replace(partial, target)
    manifest = SnapshotManifest(
        name=name,
        version=version,
        model_id=model_id,
        count=len(index),
        dim=index.dim,
        kind=index.kind,
        file=file_name,
        checksum=_sha256(target),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    staged = folder / f".{name}.json.{os.getpid()}.tmp"
    staged.write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    os.replace(staged, manifest_path(folder, name))
    for old in folder.glob(f"{name}-*.faiss"):
        suffix = old.stem.removeprefix(f"{name}-")
        if suffix.isdigit() and int(suffix) <= version - KEEP_VERSIONS:
            old.unlink(missing_ok=True)
    return manifest


def load_snapshot(directory: str | Path, manifest: SnapshotManifest, *, nprobe: int = 32) -> VectorIndex:
    """The snapshot's index, read-only, after checking the file against the manifest's checksum."""
    path = Path(directory) / manifest.file
    if not path.is_file():
        raise SnapshotError(f"index file {path} named by the manifest is missing")
    if _sha256(path) != manifest.checksum:
        raise SnapshotError(f"index file {path} does not match the manifest's checksum")
    raw: Any = faiss.read_index(str(path))
    return VectorIndex.from_faiss(raw, nprobe=nprobe, read_only=True)


class SnapshotReader:
    """Follows one snapshot name: ``current()`` loads it once and again whenever the manifest version changes.

    The manifest is looked at no more often than every ``check_seconds`` (0: on every call).
    """

    def __init__(self, directory: str | Path, name: str, *, nprobe: int = 32, check_seconds: float = 2.0) -> None:
        self.directory = Path(directory)
        self.name = name
        self.nprobe = nprobe
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._manifest: SnapshotManifest | None = None
        self._index: VectorIndex | None = None
        self._checked = float("-inf")

    def current(self) -> tuple[SnapshotManifest, VectorIndex] | None:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.check_seconds:
                self._checked = now
                manifest = read_manifest(self.directory, self.name)
                if manifest is None:
                    self._manifest, self._index = None, None
                elif self._manifest is None or manifest.version != self._manifest.version:
                    self._index = load_snapshot(self.directory, manifest, nprobe=self.nprobe)
                    self._manifest = manifest
            if self._manifest is None or self._index is None:
                return None
            return self._manifest, self._index
