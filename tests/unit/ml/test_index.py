"""The FAISS index manager and its snapshots: exact results on small fixtures, the IVF path, versioned reloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ml.matching.index import FLAT, IVF, IndexError_, VectorIndex
from ml.matching.snapshot import SnapshotError, SnapshotReader, load_snapshot, read_manifest, write_snapshot

# Four unit vectors in 3-d: e1, e2, e3 and (e1+e2)/√2.
R = 2**-0.5
VECTORS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [R, R, 0]], dtype=np.float32)


def _index(**options: Any) -> VectorIndex:
    return VectorIndex.build([10, 20, 30, 40], VECTORS, **options)


def test_exact_search_returns_ids_and_inner_products_best_first() -> None:
    index = _index()
    assert index.kind == FLAT and len(index) == 4
    scores, ids = index.search(np.array([[1, 0, 0]], np.float32), 3)
    assert ids.tolist() == [[10, 40, 20]] or ids.tolist() == [[10, 40, 30]]
    assert scores[0, 0] == pytest.approx(1.0) and scores[0, 1] == pytest.approx(R, abs=1e-6)
    assert scores[0, 2] == pytest.approx(0.0, abs=1e-6)


def test_remove_and_readd_change_the_answer() -> None:
    index = _index()
    assert index.remove([10, 99]) == 1
    _scores, ids = index.search(np.array([1, 0, 0], np.float32), 1)
    assert ids.tolist() == [[40]]
    index.add([20], np.array([[1, 0, 0]], np.float32))  # 20 gets a new vector
    scores, ids = index.search(np.array([1, 0, 0], np.float32), 2)
    assert ids.tolist() == [[20, 40]] and scores[0, 0] == pytest.approx(1.0)
    assert len(index) == 3 and index.ids == frozenset({20, 30, 40})


def test_short_result_is_padded() -> None:
    scores, ids = VectorIndex.build([1], VECTORS[:1]).search(VECTORS[:1], 3)
    assert ids.tolist() == [[1, -1, -1]] and scores[0, 1] == -np.inf


def test_wrong_dimension_and_duplicate_ids_are_refused() -> None:
    index = _index()
    with pytest.raises(IndexError_, match="dimension 3"):
        index.add([1], np.ones((1, 4), np.float32))
    with pytest.raises(IndexError_, match="duplicate"):
        index.add([1, 1], VECTORS[:2])


def _clustered(n: int, dim: int, seed: int) -> np.ndarray:
    """Unit vectors around 8 random centres, so IVF's lists are meaningful."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, dim))
    vectors = (centres[rng.integers(0, 8, n)] + 0.3 * rng.normal(size=(n, dim))).astype(np.float32)
    unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def test_past_the_threshold_the_index_is_ivf_exact_with_every_list_probed_and_removes() -> None:
    vectors = _clustered(300, 16, seed=3)
    index = VectorIndex.build(range(250), vectors[:250], ivf_threshold=200, nlist=8, nprobe=8)
    assert index.kind == IVF and len(index) == 250
    exact = VectorIndex.build(range(250), vectors[:250])
    assert exact.kind == FLAT
    queries = vectors[250:]
    scores, ids = index.search(queries, 10)
    exact_scores, exact_ids = exact.search(queries, 10)
    assert ids.tolist() == exact_ids.tolist()  # recall@10 1.0 with nprobe = nlist
    assert scores == pytest.approx(exact_scores, abs=1e-5)
    assert index.remove([0, 1, 999]) == 2
    assert len(index) == 248 and index.to_faiss().ntotal == 248  # removed for real, not skipped
    _scores, ids = index.search(vectors[:2], 250)
    assert 0 not in ids and 1 not in ids and (ids[0] >= 0).sum() == 248
    index.add([2], vectors[299:300])  # re-added: only its newest vector answers
    scores, ids = index.search(vectors[299:300], 1)
    assert ids.tolist() == [[2]] and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert index.vectors([2]) == pytest.approx(vectors[299:300])
    _scores, ids = index.search(vectors[2:3], 5)
    assert 2 not in ids[0].tolist() or _scores[0, ids[0].tolist().index(2)] < 0.99
    index.compact()
    assert len(index) == 248 and index.kind == IVF and index.to_faiss().ntotal == 248


def test_ivf_lists_default_to_about_four_root_n_and_nprobe_is_capped() -> None:
    vectors = _clustered(400, 8, seed=5)
    index = VectorIndex.build(range(400), vectors, ivf_threshold=100, nprobe=1000)
    assert index.kind == IVF and index.to_faiss().nlist == 80  # round(4 * sqrt(400))
    _scores, ids = index.search(vectors[:3], 1)
    assert ids[:, 0].tolist() == [0, 1, 2]


def test_flat_grows_into_ivf_on_add() -> None:
    vectors = _clustered(12, 8, seed=4)
    index = VectorIndex.build(range(10), vectors[:10], ivf_threshold=10, nlist=2, nprobe=2)
    assert index.kind == FLAT
    index.add([10, 11], vectors[10:])
    assert index.kind == IVF and len(index) == 12
    _scores, ids = index.search(vectors[11:12], 1)
    assert ids.tolist() == [[11]]


def test_an_ivf_snapshot_loads_with_its_ids_vectors_and_nprobe(tmp_path: Path) -> None:
    vectors = _clustered(120, 16, seed=6)
    index = VectorIndex.build(range(100, 220), vectors, ivf_threshold=50, nlist=6, nprobe=6)
    index.remove([100])
    manifest = write_snapshot(index, tmp_path, "candidates", model_id="m")
    assert (manifest.kind, manifest.count) == (IVF, 119)
    loaded = load_snapshot(tmp_path, manifest, nprobe=6)
    assert loaded.kind == IVF and loaded.read_only and loaded.ids == frozenset(range(101, 220))
    assert loaded.vectors([150]) == pytest.approx(vectors[50:51])
    assert loaded.search(vectors[:20], 5)[1].tolist() == index.search(vectors[:20], 5)[1].tolist()


def test_snapshot_is_versioned_checked_and_read_only(tmp_path: Path) -> None:
    first = write_snapshot(_index(), tmp_path, "candidates", model_id="model-a")
    assert (first.version, first.count, first.kind, first.file) == (1, 4, FLAT, "candidates-1.faiss")
    manifest = json.loads((tmp_path / "candidates.json").read_text())
    assert manifest["model_id"] == "model-a" and len(manifest["checksum"]) == 64
    loaded = load_snapshot(tmp_path, first)
    _scores, ids = loaded.search(VECTORS[1:2], 1)
    assert ids.tolist() == [[20]] and loaded.read_only
    with pytest.raises(IndexError_, match="read-only"):
        loaded.add([50], VECTORS[:1])
    with pytest.raises(IndexError_, match="read-only"):
        loaded.remove([10])


def test_reader_reloads_when_the_manifest_version_changes(tmp_path: Path) -> None:
    reader = SnapshotReader(tmp_path, "vacancies", check_seconds=0)
    assert reader.current() is None
    write_snapshot(_index(), tmp_path, "vacancies", model_id="m")
    manifest, index = reader.current()  # type: ignore[misc]
    assert manifest.version == 1 and len(index) == 4
    assert reader.current()[1] is index  # type: ignore[index]  # same version: not loaded again
    smaller = _index()
    smaller.remove([10, 20])
    write_snapshot(smaller, tmp_path, "vacancies", model_id="m")
    write_snapshot(smaller, tmp_path, "vacancies", model_id="m")
    manifest, index = reader.current()  # type: ignore[misc]
    assert manifest.version == 3 and index.ids == frozenset({30, 40})
    assert sorted(path.name for path in tmp_path.glob("*.faiss")) == ["vacancies-2.faiss", "vacancies-3.faiss"]


def test_a_snapshot_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    manifest = write_snapshot(_index(), tmp_path, "candidates", model_id="m")
    (tmp_path / manifest.file).write_bytes(b"broken")
    with pytest.raises(SnapshotError, match="checksum"):
        load_snapshot(tmp_path, manifest)
    (tmp_path / "candidates.json").write_text("{")
    with pytest.raises(SnapshotError, match="unreadable"):
        read_manifest(tmp_path, "candidates")
