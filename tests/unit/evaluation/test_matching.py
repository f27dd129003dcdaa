"""Ranking metrics on a hand-made fixture, the hybrid's cross-validation, and the CLI on missing data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from evaluation.cli import evaluate_cli
from evaluation.matching import average_precision, evaluate_scores, ndcg_at, read_postings, recall_at, scorable_queries
from ml.matching.fusion import cross_validated_scores, fast_ndcg10, normalise_rows, weight_grid

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jobs" / "hhkz_astana_vacancies.csv"


def test_ndcg_map_recall_by_hand() -> None:
    # Ranking: relevant, not, relevant, not; 3 relevant documents in all (one never retrieved).
    ranked = [True, False, True, False]
    dcg = 1 + 1 / math.log2(4)  # ranks 1 and 3
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranked, 3) == pytest.approx(dcg / ideal)  # 0.7039
    assert ndcg_at(ranked, 3) == pytest.approx(0.703918, abs=1e-6)
    assert average_precision(ranked, 3) == pytest.approx((1 / 1 + 2 / 3) / 3)  # 0.5556
    assert recall_at(ranked, 3) == pytest.approx(2 / 3)
    assert ndcg_at([False, True], 1, k=1) == 0.0
    assert ndcg_at([], 0) == average_precision([], 0) == recall_at([], 0) == 0.0


def test_evaluate_scores_leaves_the_query_out_of_its_own_ranking() -> None:
    labels = ["a", "a", "b", "a"]
    # Row q scores every document; the diagonal is high on purpose and must be ignored.
    scores = np.array([[9, 1, 3, 2], [0.5, 9, 0.9, 0.1], [0, 0, 9, 0], [1, 2, 3, 9]], dtype=float)
    queries = scorable_queries(labels)
    assert queries == [0, 1, 3]  # "b" has no other document
    result = evaluate_scores(scores, labels, queries)
    # q0 ranks [2,3,1] → rel [F,T,T]; q1 ranks [2,0,3] → [F,T,T]; q3 ranks [2,1,0] → [F,T,T]
    each_ndcg = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert result["ndcg@10"] == pytest.approx(each_ndcg)
    assert result["map"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert result["recall@10"] == pytest.approx(1.0)
    assert fast_ndcg10(
        scores, np.array(labels)[:, None] == np.array(labels)[None, :], np.array(queries)
    ).tolist() == pytest.approx([each_ndcg] * 3)


def test_normalise_rows_ignores_the_diagonal() -> None:
    out = normalise_rows([[5, 1, 3], [2, 9, 4], [0, 0, 7]])
    assert out.tolist() == [[0, 0, 1], [0, 0, 1], [0, 0, 0]]
    assert normalise_rows([[2.0, 2.0]], exclude_diagonal=False).tolist() == [[1.0, 1.0]]


def test_weight_grid_is_the_simplex() -> None:
    grid = weight_grid(["x", "y", "z"], step=0.5)
    assert len(grid) == 6 and all(sum(weights.values()) == pytest.approx(1) for weights in grid)


def test_cross_validation_picks_the_informative_signal_on_other_folds() -> None:
    labels = [str(i // 2) for i in range(40)]
    same = np.array(labels)[:, None] == np.array(labels)[None, :]
    rng = np.random.default_rng(0)
    signals = {
        "embedding_full": normalise_rows(same + rng.random((40, 40)) * 0.5),
        "embedding_title": normalise_rows(rng.random((40, 40))),
        "bm25_full": normalise_rows(rng.random((40, 40))),
        "bm25_title": normalise_rows(rng.random((40, 40))),
    }
    scores, chosen = cross_validated_scores(signals, labels, list(range(40)), folds=4, step=0.5)
    weights = [config["weights"] for config in chosen]
    assert len(chosen) == 4 and all(isinstance(each, dict) and each["embedding_full"] >= 0.5 for each in weights)
    assert evaluate_scores(scores, labels, list(range(40)))["ndcg@10"] == pytest.approx(1.0)


def test_cli_reports_missing_data_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(evaluate_cli, ["matching", "--data", str(tmp_path / "none.csv"), "--json"])
    assert result.exit_code == 2 and "no data file" in result.output


@pytest.mark.skipif(not DATA.is_file(), reason=f"evaluation data not found at {DATA} (../shared/data is absent)")
def test_the_real_data_file_reads() -> None:
    postings = read_postings(DATA)
    assert len(postings) == 1000
    assert len(scorable_queries([posting.role for posting in postings])) == 970
