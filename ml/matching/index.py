"""A FAISS index manager: exact inner product while small, HNSW past a size setting; add, remove, search.

Vectors are L2-normalised, so inner product is cosine similarity. Exact search is an
``IndexFlatIP`` inside an ``IndexIDMap2`` (real removal). Past ``hnsw_threshold`` vectors the
index becomes an ``IndexHNSWFlat`` (inside an ``IndexIDMap2``): HNSW cannot delete, so a removed
id is a tombstone skipped at search time and a re-added id is rescored from its newest vector;
``compact()`` (and a snapshot) rebuilds without them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

FLAT = "flat"
HNSW = "hnsw"


class IndexError_(RuntimeError):
    """Wrong dimension, duplicate ids in one call, or a write to a read-only index."""


def _as_matrix(vectors: npt.ArrayLike, dim: int) -> npt.NDArray[np.float32]:
    matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2 or matrix.shape[1] != dim:
        raise IndexError_(f"expected vectors of dimension {dim}, got shape {matrix.shape}")
    return matrix


def _as_ids(ids: Iterable[int]) -> npt.NDArray[np.int64]:
    return np.ascontiguousarray(np.fromiter((int(i) for i in ids), dtype=np.int64))


class VectorIndex:
    """Ids (int64) to unit vectors; ``search`` returns the ``k`` nearest by inner product."""

    def __init__(self, dim: int, *, hnsw_threshold: int = 50_000, hnsw_m: int = 32, ef_construction: int = 80,
                 ef_search: int = 96, read_only: bool = False) -> None:
        self.dim = dim
        self.hnsw_threshold = hnsw_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.read_only = read_only
        self._index: Any = self._new_index(FLAT)
        self.kind = FLAT
        self._live: set[int] = set()
        self._stale: set[int] = set()  # re-added ids whose older HNSW entries are still in the graph
        self._dead_entries = 0

    # --- construction ------------------------------------------------------------------------------

    def _new_index(self, kind: str) -> Any:
        if kind == FLAT:
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        inner = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = self.ef_construction
        inner.hnsw.efSearch = self.ef_search
        return faiss.IndexIDMap2(inner)

    @classmethod
    def build(cls, ids: Iterable[int], vectors: npt.ArrayLike, *, dim: int | None = None,
              **options: Any) -> VectorIndex:
        """A fresh index of these vectors: flat or HNSW depending on their number."""
        id_array = _as_ids(ids)
        matrix = np.asarray(vectors, dtype=np.float32)
        index = cls(dim or (matrix.shape[1] if matrix.ndim == 2 else 0), **options)
        if len(id_array):
            index._load(id_array, _as_matrix(matrix, index.dim))
        return index

    def _load(self, ids: npt.NDArray[np.int64], matrix: npt.NDArray[np.float32]) -> None:
        if len(set(ids.tolist())) != len(ids):
            raise IndexError_("duplicate ids in one call")
        self.kind = HNSW if len(ids) > self.hnsw_threshold else FLAT
        self._index = self._new_index(self.kind)
        self._index.add_with_ids(matrix, ids)
        self._live = set(ids.tolist())
        self._stale.clear()
        self._dead_entries = 0

    @classmethod
    def from_faiss(cls, index: Any, *, ef_search: int = 96, read_only: bool = True) -> VectorIndex:
        """Wrap an index read from a snapshot (an ``IndexIDMap2`` over flat or HNSW, without tombstones)."""
        inner: Any = faiss.downcast_index(index.index)
        wrapped = cls(index.d, ef_search=ef_search, read_only=read_only)
        wrapped._index = index
        wrapped.kind = HNSW if isinstance(inner, faiss.IndexHNSW) else FLAT
        if wrapped.kind == HNSW:
            inner.hnsw.efSearch = ef_search
            wrapped.hnsw_m = int(inner.hnsw.nb_neighbors(1))
        wrapped._live = set(faiss.vector_to_array(index.id_map).tolist())
        return wrapped

    # --- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, item: object) -> bool:
        return item in self._live

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(self._live)

    def _entries(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Every live id with its newest vector, in insertion order."""
        total = self._index.ntotal
        if total == 0:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        vectors = faiss.downcast_index(self._index.index).reconstruct_n(0, total)
        keep = np.zeros(total, dtype=bool)
        seen: set[int] = set()
        for position in range(total - 1, -1, -1):  # the newest entry of a re-added id wins
            identifier = int(ids[position])
            if identifier in self._live and identifier not in seen:
                seen.add(identifier)
                keep[position] = True
        return ids[keep], np.ascontiguousarray(vectors[keep])

    def vectors(self, ids: Iterable[int]) -> npt.NDArray[np.float32]:
        """The current vector of each id (a ``KeyError`` for an id not in the index)."""
        rows = []
        for identifier in ids:
            if identifier not in self._live:
                raise KeyError(identifier)
            rows.append(self._index.reconstruct(int(identifier)))
        return np.asarray(rows, dtype=np.float32).reshape(-1, self.dim)

    def search(self, queries: npt.ArrayLike, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Scores and ids of the ``k`` best per query row, best first; ``-1`` ids pad a short result."""
        matrix = _as_matrix(queries, self.dim)
        scores = np.full((len(matrix), k), -np.inf, dtype=np.float32)
        found = np.full((len(matrix), k), -1, dtype=np.int64)
        if k <= 0 or not self._live:
            return scores[:, :max(k, 0)], found[:, :max(k, 0)]
        if self.kind == FLAT:
            fetch = min(k, self._index.ntotal)
            raw_scores, raw_ids = self._index.search(matrix, fetch)
            scores[:, :fetch], found[:, :fetch] = raw_scores, raw_ids
            return scores, found
        total = self._index.ntotal
        extra = math.ceil(k * 2 * self._dead_entries / max(total, 1)) + (10 if self._dead_entries else 0)
        fetch = min(k + extra, total)
        inner: Any = faiss.downcast_index(self._index.index)
        inner.hnsw.efSearch = max(self.ef_search, fetch)
        raw_scores, raw_ids = self._index.search(matrix, fetch)
        for row in range(len(matrix)):
            results: dict[int, float] = {}
            for score, identifier in zip(raw_scores[row], raw_ids[row], strict=True):
                key = int(identifier)
                if key < 0 or key not in self._live or key in results:
                    continue
                if key in self._stale:  # an older entry may have answered: score the newest vector
                    score = float(self._index.reconstruct(key) @ matrix[row])
                results[key] = float(score)
            ranked = sorted(results.items(), key=lambda item: -item[1])[:k]
            for column, (key, score) in enumerate(ranked):
                scores[row, column], found[row, column] = score, key
        return scores, found

    # --- writing -----------------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise IndexError_("this index is a read-only snapshot; rebuild it with the matching.rebuild_index job")

    def add(self, ids: Iterable[int], vectors: npt.ArrayLike) -> None:
        """Add vectors; an id already present gets its new vector (the old one no longer answers)."""
        self._writable()
        id_array = _as_ids(ids)
        matrix = _as_matrix(vectors, self.dim)
        if len(id_array) != len(matrix):
            raise IndexError_(f"{len(id_array)} ids for {len(matrix)} vectors")
        if len(set(id_array.tolist())) != len(id_array):
            raise IndexError_("duplicate ids in one call")
        if not len(id_array):
            return
        present = [int(i) for i in id_array if int(i) in self._live]
        if self.kind == FLAT:
            if present:
                self._index.remove_ids(np.asarray(present, dtype=np.int64))
        else:
            self._stale.update(present)
            self._dead_entries += len(present)
        self._index.add_with_ids(matrix, id_array)
        self._live.update(id_array.tolist())
        if self.kind == FLAT and len(self._live) > self.hnsw_threshold:
            self.compact()

    def remove(self, ids: Iterable[int]) -> int:
        """Remove ids (unknown ones are ignored); the number removed."""
        self._writable()
        gone = [int(i) for i in ids if int(i) in self._live]
        if not gone:
            return 0
        self._live.difference_update(gone)
        if self.kind == FLAT:
            self._index.remove_ids(np.asarray(gone, dtype=np.int64))
        else:
            self._dead_entries += len(gone)
            if self._dead_entries > 0.2 * max(self._index.ntotal, 1):
                self.compact()
        return len(gone)

    def compact(self) -> None:
        """Rebuild from the live vectors: drops HNSW tombstones and picks flat or HNSW by size."""
        self._writable()
        ids, vectors = self._entries()
        self._load(ids, vectors)

    def to_faiss(self) -> Any:
        """The FAISS index to write to a snapshot: compacted first, so it holds no tombstone."""
        if self._dead_entries:
            ids, vectors = self._entries()
            fresh = VectorIndex(self.dim, hnsw_threshold=self.hnsw_threshold, hnsw_m=self.hnsw_m,
                                ef_construction=self.ef_construction, ef_search=self.ef_search)
            fresh._load(ids, vectors)
            return fresh._index
        return self._index

    def memory_bytes(self) -> int:
        """An estimate of the index's memory: vectors, graph links and the id maps."""
        vectors = self._index.ntotal * self.dim * 4
        links = self._index.ntotal * self.hnsw_m * 2 * 4 if self.kind == HNSW else 0
        return int(vectors + links + self._index.ntotal * 8 * 3)
