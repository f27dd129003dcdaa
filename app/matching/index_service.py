"""Index snapshots of profiles and vacancies: rebuilt by a queue job, followed read-only by every API process.

Files live in ``data_dir/index/``: ``candidates-<version>.faiss``/``vacancies-<version>.faiss``
with a manifest each (``ml.matching.snapshot``). A process reads the manifest at most every two
seconds and loads a new version when it appears, so every API machine sharing the folder
answers from the same index. A snapshot made with another model is ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.candidates.models import Candidate
from app.matching.embedder import get_embedder
from app.matching.store import embed_passages
from app.matching.texts import profile_text, vacancy_text
from app.settings import Settings
from app.vacancies.models import PUBLISHED, Vacancy
from ml.matching.index import VectorIndex
from ml.matching.snapshot import SnapshotManifest, SnapshotReader, write_snapshot

CANDIDATES = "candidates"
VACANCIES = "vacancies"
INDEX_NAMES: tuple[str, ...] = (CANDIDATES, VACANCIES)
_BATCH = 256

_lock = threading.Lock()
_readers: dict[tuple[str, str], SnapshotReader] = {}


def index_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "index"


def reader(settings: Settings, name: str) -> SnapshotReader:
    """This process's reader of one snapshot name (one per folder and name)."""
    key = (str(index_dir(settings).resolve()), name)
    with _lock:
        if key not in _readers:
            _readers[key] = SnapshotReader(index_dir(settings), name, nprobe=settings.matching_ivf_nprobe)
        return _readers[key]


def current_snapshot(settings: Settings, name: str, model_id: str) -> VectorIndex | None:
    """The loaded snapshot of ``name`` if there is one made with ``model_id``."""
    loaded = reader(settings, name).current()
    if loaded is None or loaded[0].model_id != model_id:
        return None
    return loaded[1]


def candidate_snapshot(settings: Settings, model_id: str) -> VectorIndex | None:
    return current_snapshot(settings, CANDIDATES, model_id)


def _items(session: Session, name: str) -> list[tuple[int, str]]:
    if name == CANDIDATES:
        return [
            (candidate.id, profile_text(candidate))
            for candidate in session.scalars(select(Candidate).order_by(Candidate.id))
        ]
    return [
        (vacancy.id, vacancy_text(vacancy))
        for vacancy in session.scalars(select(Vacancy).where(Vacancy.status == PUBLISHED).order_by(Vacancy.id))
    ]


def rebuild(
    session: Session, settings: Settings, name: str, progress: Callable[[float, str], None] | None = None
) -> SnapshotManifest:
    """Embed every profile (or published vacancy), build the index and write the next snapshot version."""
    if name not in INDEX_NAMES:
        raise ValueError(f"unknown index {name!r}; one of {', '.join(INDEX_NAMES)}")
    embedder = get_embedder(settings)
    items = _items(session, name)
    vectors = np.zeros((len(items), embedder.dim), dtype=np.float32)
    for start in range(0, len(items), _BATCH):
        batch = items[start : start + _BATCH]
        vectors[start : start + len(batch)] = embed_passages(session, embedder, [text for _id, text in batch])
        session.commit()  # reused vectors survive a later failure of the job
        if progress:
            progress(90.0 * (start + len(batch)) / max(len(items), 1), f"embedded {start + len(batch)}/{len(items)}")
    index = VectorIndex.build(
        [item_id for item_id, _text in items],
        vectors,
        dim=embedder.dim,
        ivf_threshold=settings.matching_ivf_threshold,
        nlist=settings.matching_ivf_nlist,
        nprobe=settings.matching_ivf_nprobe,
    )
    return write_snapshot(index, index_dir(settings), name, model_id=embedder.model_id)
