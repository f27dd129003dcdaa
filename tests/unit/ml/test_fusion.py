"""The one hybrid ranking (``ml.matching.fusion.HybridRanker``): the service's per-query path is the evaluation's."""

from __future__ import annotations

import numpy as np
import pytest

from ml.matching.fusion import (
    DEFAULT_WEIGHTS,
    LEXICAL_SIGNALS,
    SEMANTIC_SIGNALS,
    HybridRanker,
    TextSide,
    blend,
    diffuse,
    hybrid_scores,
    normalise_rows,
)


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def _side(n: int, seed: int = 3) -> TextSide:
    rng = np.random.default_rng(seed)
    vocabulary = [f"t{i}" for i in range(12)]
    return TextSide(
        full=_unit(rng.normal(size=(n, 8)) + 2.0),
        title=_unit(rng.normal(size=(n, 8)) + 1.0),
        full_tokens=[list(rng.choice(vocabulary, 6)) for _ in range(n)],
        title_tokens=[list(rng.choice(vocabulary, 2)) for _ in range(n)],
    )


def test_normalise_rows_excludes_given_columns_like_the_diagonal() -> None:
    matrix = np.array([[5.0, 1, 3], [2, 9, 4], [0, 0, 7]])
    assert normalise_rows(matrix, exclude_columns=[0, 1, 2]).tolist() == normalise_rows(matrix).tolist()
    assert normalise_rows([[5.0, 1, 3]], exclude_columns=[0]).tolist() == [[0.0, 0.0, 1.0]]
    assert normalise_rows([[5.0, 1, 3]], exclude_columns=[-1]).tolist() == [[1.0, 0.0, 0.5]]


def test_one_query_scored_alone_equals_its_row_of_the_collection_against_itself() -> None:
    side = _side(30)
    ranker = HybridRanker(side)
    everyone = np.arange(30)
    # The evaluation's path: normalised square signals, blended, smoothed with diffuse().
    square = diffuse(blend(ranker.signals(side, self_index=everyone), DEFAULT_WEIGHTS), 5, 0.5) / 1.5
    # The service's path: one query at a time, its neighbours' rows computed on demand.
    for query in (0, 7, 29):
        alone = ranker.scores(side.subset(np.array([query])), self_index=[query]).total[0]
        row = square[query].copy()
        row[query] = alone[query]  # the query's own cell is never ranked
        np.testing.assert_allclose(alone, row, atol=1e-12)


def test_parts_add_up_to_the_total_and_groups_stay_in_unit_range() -> None:
    side = _side(25)
    scores = hybrid_scores(side.subset(np.array([2, 4])), side)
    assert set(scores.parts) == set(DEFAULT_WEIGHTS)
    np.testing.assert_allclose(blend(scores.parts, scores.weights), scores.total)
    semantic, lexical = scores.group(SEMANTIC_SIGNALS), scores.group(LEXICAL_SIGNALS)
    w_semantic = sum(DEFAULT_WEIGHTS[name] for name in SEMANTIC_SIGNALS)
    np.testing.assert_allclose(w_semantic * semantic + (1 - w_semantic) * lexical, scores.total)
    assert semantic.min() >= 0.0 and semantic.max() <= 1.0 and lexical.min() >= 0.0 and lexical.max() <= 1.0
    assert scores.total.max() <= 1.0


def test_small_collections_are_not_centred_nor_smoothed_and_missing_titles_score_zero() -> None:
    side = _side(4)
    no_title = TextSide(
        full=side.full[:1],
        title=np.zeros_like(side.title[:1]),
        full_tokens=side.full_tokens[:1],
        title_tokens=[[]],
        title_present=np.array([False]),
    )
    scores = hybrid_scores(no_title, side)
    assert scores.parts["embedding_title"].tolist() == [[0.0] * 4]
    assert scores.parts["embedding_title_to_full"].tolist() == [[0.0] * 4]
    raw = side.full.astype(np.float64) @ side.full[0].astype(np.float64)
    np.testing.assert_allclose(
        scores.parts["embedding_full"][0], normalise_rows(raw, exclude_diagonal=False, min_span=0.1)[0]
    )
    np.testing.assert_allclose(scores.total, blend(scores.parts, DEFAULT_WEIGHTS))


def test_cosines_a_hair_apart_are_not_stretched_to_the_whole_range() -> None:
    assert normalise_rows([[0.86, 0.87]], exclude_diagonal=False).tolist() == [[0.0, 1.0]]
    assert normalise_rows([[0.86, 0.87]], exclude_diagonal=False, min_span=0.1)[0].tolist() == pytest.approx([0, 0.1])
