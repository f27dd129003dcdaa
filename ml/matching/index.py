"""A FAISS index manager: exact inner product while small, IVF-Flat past a size setting; add, remove, search.

Vectors are L2-normalised, so inner product is cosine similarity. Exact search is an
``IndexFlatIP`` inside an ``IndexIDMap2``. Past ``ivf_threshold`` vectors the index becomes an
``IndexIVFFlat`` (an ``IndexFlatIP`` quantizer, inner product) trained at build time on a sample of
the vectors, with ``nlist`` lists (about 4·√n unless set) of which ``nprobe`` are scanned per query.
Both kinds delete for real (IVF keeps a hash-table direct map, so ids are reconstructed and removed
in place), so no removed id is ever skipped at search time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

FLAT = "flat"
IVF = "ivf"
_TRAIN_PER_LIST = 40  # faiss warns below 39 training points per centroid
_SAMPLE_SEED = 20260307
_FAISS: Any = faiss  # the stubs lack DirectMap


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


def _ivf_ids(ivf: Any) -> npt.NDArray[np.int64]:
    """Every id stored in an IVF index's inverted lists."""
    lists = ivf.invlists
    parts = [
        faiss.rev_swig_ptr(lists.get_ids(number), lists.list_size(number)).copy()
        for number in range(ivf.nlist)
        if lists.list_size(number)
    ]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


class VectorIndex:
    """Ids (int64) to unit vectors; ``search`` returns the ``k`` nearest by inner product."""

    def __init__(
        self, dim: int, *, ivf_threshold: int = 50_000, nlist: int = 0, nprobe: int = 32, read_only: bool = False
    ) -> None:
        self.dim = dim
        self.ivf_threshold = ivf_threshold
        self.nlist = nlist  # 0: about 4·√n, chosen at each build
        self.nprobe = nprobe
        self.read_only = read_only
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.kind = FLAT
        self._live: set[int] = set()
        self._owner: Any = None

    # --- construction ------------------------------------------------------------------------------

    def _lists_for(self, count: int) -> int:
        wanted = self.nlist or round(4 * math.sqrt(count))
        return max(1, min(wanted, count))

    def _new_ivf(self, matrix: npt.NDArray[np.float32]) -> Any:
        nlist = self._lists_for(len(matrix))
        quantizer: Any = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.own_fields = True
        quantizer.this.disown()  # the IVF index frees its quantizer
        sample_size = min(len(matrix), nlist * _TRAIN_PER_LIST)
        if sample_size < len(matrix):
            rows = np.sort(np.random.default_rng(_SAMPLE_SEED).choice(len(matrix), sample_size, replace=False))
            ivf.train(np.ascontiguousarray(matrix[rows]))
        else:
            ivf.train(matrix)
        ivf.set_direct_map_type(_FAISS.DirectMap.Hashtable)  # ids reconstruct and remove in place
        ivf.nprobe = min(self.nprobe, nlist)
        return ivf

    @classmethod
    def build(
        cls, ids: Iterable[int], vectors: npt.ArrayLike, *, dim: int | None = None, **options: Any
    ) -> VectorIndex:
        """A fresh index of these vectors: flat or IVF depending on their number."""
        id_array = _as_ids(ids)
        matrix = np.asarray(vectors, dtype=np.float32)
        index = cls(dim or (matrix.shape[1] if matrix.ndim == 2 else 0), **options)
        if len(id_array):
            index._load(id_array, _as_matrix(matrix, index.dim))
        return index

    def _load(self, ids: npt.NDArray[np.int64], matrix: npt.NDArray[np.float32]) -> None:
        if len(set(ids.tolist())) != len(ids):
            raise IndexError_("duplicate ids in one call")
        if len(ids) > self.ivf_threshold:
            self.kind = IVF
            self._index = self._new_ivf(matrix)
        else:
            self.kind = FLAT
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._index.add_with_ids(matrix, ids)
        self._live = set(ids.tolist())

    @classmethod
    def from_faiss(cls, index: Any, *, nprobe: int = 32, read_only: bool = True) -> VectorIndex:
        """Wrap an index read from a snapshot (an ``IndexIDMap2`` over flat, or an ``IndexIVFFlat``)."""
        raw: Any = faiss.downcast_index(index)
        wrapped = cls(raw.d, nprobe=nprobe, read_only=read_only)
        wrapped._index = raw
        wrapped._owner = index  # the object that frees the C++ index; ``raw`` may be a borrowed view of it
        if isinstance(raw, faiss.IndexIVF):
            wrapped.kind = IVF
            wrapped.nlist = int(raw.nlist)
            raw.nprobe = min(nprobe, raw.nlist)
            wrapped._live = set(_ivf_ids(raw).tolist())
        else:
            wrapped.kind = FLAT
            wrapped._live = set(faiss.vector_to_array(raw.id_map).tolist())
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
        """Every id with its vector (insertion order for flat, list order for IVF)."""
        total = self._index.ntotal
        if total == 0:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        if self.kind == FLAT:
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            vectors = faiss.downcast_index(self._index.index).reconstruct_n(0, total)
            return ids, np.ascontiguousarray(vectors)
        ids = _ivf_ids(self._index)
        return ids, np.ascontiguousarray(self._index.reconstruct_batch(ids))

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
        scores = np.full((len(matrix), max(k, 0)), -np.inf, dtype=np.float32)
        found = np.full((len(matrix), max(k, 0)), -1, dtype=np.int64)
        if k <= 0 or not self._live:
            return scores, found
        if self.kind == IVF:
            self._index.nprobe = min(self.nprobe, self._index.nlist)
        fetch = min(k, self._index.ntotal)
        raw_scores, raw_ids = self._index.search(matrix, fetch)
        missing = raw_ids < 0  # IVF pads with -1 and -inf/-FLT_MAX when the probed lists run short
        raw_scores[missing] = -np.inf
        scores[:, :fetch], found[:, :fetch] = raw_scores, raw_ids
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
        if present:
            self._index.remove_ids(np.asarray(present, dtype=np.int64))
        self._index.add_with_ids(matrix, id_array)
        self._live.update(id_array.tolist())
        if self.kind == FLAT and len(self._live) > self.ivf_threshold:
            self.compact()

    def remove(self, ids: Iterable[int]) -> int:
        """Remove ids (unknown ones are ignored); the number removed."""
        self._writable()
        gone = [int(i) for i in ids if int(i) in self._live]
        if not gone:
            return 0
        self._live.difference_update(gone)
        self._index.remove_ids(np.asarray(gone, dtype=np.int64))
        return len(gone)

    def compact(self) -> None:
        """Rebuild from the current vectors: picks flat or IVF by size and retrains IVF's lists."""
        self._writable()
        ids, vectors = self._entries()
        self._load(ids, vectors)

    def to_faiss(self) -> Any:
        """The FAISS index to write to a snapshot."""
        return self._index

    def memory_bytes(self) -> int:
        """An estimate of the index's memory: vectors, ids, the id map or direct map and IVF centroids."""
        total = self._index.ntotal
        centroids = int(self._index.nlist) * self.dim * 4 if self.kind == IVF else 0
        return int(total * self.dim * 4 + total * 8 * 3 + centroids)
