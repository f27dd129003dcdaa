"""The hybrid blend: per-query min–max-normalised signals, weighted; weights chosen by cross-validated grid search.

Signals (the same four in the evaluation and in the service): ``embedding_full`` (cosine of
the whole texts), ``embedding_title`` (cosine of the titles: a vacancy's title, a candidate's
positions), ``bm25_full`` and ``bm25_title`` (BM25 of the stemmed texts). Each is rescaled per
query to [0, 1] over the documents scored (min–max), so the weights mean the same whatever
the raw ranges; the blend is their weighted sum (weights sum to 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SIGNALS: tuple[str, ...] = ("embedding_full", "embedding_title", "bm25_full", "bm25_title")

Matrix = npt.NDArray[np.float64]


def normalise_rows(matrix: npt.ArrayLike, *, exclude_diagonal: bool = True) -> Matrix:
    """Each row rescaled to [0, 1] by its min and max (a constant row becomes 1 where positive, else 0).

    With ``exclude_diagonal`` (a collection scored against itself) the diagonal takes no part in a
    row's min and max and is set to 0.
    """
    values = np.array(matrix, dtype=np.float64, copy=True)
    if values.ndim == 1:
        values = values[None, :]
    masked = values.copy()
    if exclude_diagonal and values.shape[0] == values.shape[1]:
        np.fill_diagonal(masked, np.nan)
    low = np.nanmin(masked, axis=1, keepdims=True) if masked.size else masked
    high = np.nanmax(masked, axis=1, keepdims=True) if masked.size else masked
    span = high - low
    flat = span <= 1e-12
    out = np.where(flat, (values > 0).astype(np.float64), (values - low) / np.where(flat, 1.0, span))
    out = np.clip(out, 0.0, 1.0)
    if exclude_diagonal and values.shape[0] == values.shape[1]:
        np.fill_diagonal(out, 0.0)
    return out


def blend(signals: Mapping[str, npt.ArrayLike], weights: Mapping[str, float]) -> Matrix:
    """Weighted sum of (already normalised) signals; signals without a weight are ignored."""
    total: Matrix | None = None
    for name, weight in weights.items():
        if weight and name in signals:
            part = weight * np.asarray(signals[name], dtype=np.float64)
            total = part if total is None else total + part
    if total is None:
        first = next(iter(signals.values()))
        return np.zeros_like(np.asarray(first, dtype=np.float64))
    return total


def weight_grid(names: Sequence[str], step: float = 0.1) -> list[dict[str, float]]:
    """Every weighting of ``names`` on the simplex with the given step (weights sum to 1)."""
    units = round(1 / step)
    grid = []
    for cut in itertools.product(range(units + 1), repeat=len(names) - 1):
        if sum(cut) <= units:
            parts = [*cut, units - sum(cut)]
            grid.append({name: round(part * step, 10) for name, part in zip(names, parts, strict=True)})
    return grid


def fast_ndcg10(scores: Matrix, same_label: npt.NDArray[np.bool_], queries: npt.NDArray[np.int64]) -> Matrix:
    """nDCG@10 per query (binary gains), vectorised; the query itself is never ranked."""
    rows = np.array(scores[queries], dtype=np.float64)
    rows[np.arange(len(queries)), queries] = -np.inf
    top = np.argpartition(-rows, 10, axis=1)[:, :10] if rows.shape[1] > 10 else np.argsort(-rows, axis=1)
    top_scores = np.take_along_axis(rows, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    relevance = np.take_along_axis(same_label[queries], top, axis=1) & (top != queries[:, None])
    discounts = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    dcg = (relevance * discounts).sum(axis=1)
    relevant = same_label[queries].sum(axis=1) - 1  # the query shares its own label
    ideal = np.array([discounts[: min(10, int(n))].sum() for n in relevant])
    return np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1.0), 0.0)


def diffuse(scores: npt.ArrayLike, k: int, beta: float) -> Matrix:
    """Neighbourhood smoothing: each row plus ``beta`` times the mean row of its ``k`` best documents.

    A document that the query's nearest documents also find near rises (a pseudo-relevance
    feedback on the score matrix; no labels are used). The diagonal takes no part.
    """
    values = np.asarray(scores, dtype=np.float64)
    if beta == 0 or k <= 0 or values.shape[1] <= k:
        return values.copy()
    masked = values.copy()
    if values.shape[0] == values.shape[1]:
        np.fill_diagonal(masked, -np.inf)
    top = np.argpartition(-masked, k, axis=1)[:, :k]
    smoothed: Matrix = values + beta * values[top].mean(axis=1)
    return smoothed


@dataclass(frozen=True)
class Candidate:
    """One configuration the tuning may pick: signal weights and the neighbourhood smoothing."""

    weights: dict[str, float]
    k: int = 0
    beta: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"weights": self.weights, "diffusion_k": self.k, "diffusion_beta": self.beta}

    def apply(self, signals: Mapping[str, Matrix]) -> Matrix:
        return diffuse(blend(signals, self.weights), self.k, self.beta)


def cross_validated_scores(signals: Mapping[str, Matrix], labels: Sequence[str], queries: Sequence[int], *,
                           folds: int = 5, step: float = 0.1, seed: int = 7,
                           diffusion: Sequence[tuple[int, float]] = ((0, 0.0),),
                           ) -> tuple[Matrix, list[dict[str, object]]]:
    """Blended scores where each query's row uses a configuration tuned on the OTHER folds' queries only.

    The queries are shuffled (``seed``) into ``folds`` groups; for each group the configuration
    (weights from ``weight_grid``, smoothing from ``diffusion``) with the best mean nDCG@10 on the
    remaining queries is chosen. Returns the scores (held-out rows filled fold by fold) and the
    configuration chosen per fold.
    """
    names = [name for name in signals]
    label_array = np.asarray(labels, dtype=object)
    same = label_array[:, None] == label_array[None, :]
    query_array = np.asarray(queries, dtype=np.int64)
    configurations = [Candidate(weights, k, beta) for weights in weight_grid(names, step) for k, beta in diffusion]
    per_query = np.vstack([fast_ndcg10(config.apply(signals), same, query_array) for config in configurations])
    order = np.random.default_rng(seed).permutation(len(query_array))
    groups = np.array_split(order, folds)
    chosen: list[dict[str, object]] = []
    out = np.zeros_like(np.asarray(next(iter(signals.values())), dtype=np.float64))
    for fold, held_out in enumerate(groups):
        training = np.setdiff1d(np.arange(len(query_array)), held_out)
        best = configurations[int(np.argmax(per_query[:, training].mean(axis=1)))]
        chosen.append(best.as_dict())
        blended = best.apply(signals)
        if fold == 0:
            out[:] = blended
        out[query_array[held_out]] = blended[query_array[held_out]]
    return out, chosen


def tune_weights(signals: Mapping[str, Matrix], labels: Sequence[str], queries: Sequence[int], *,
                 step: float = 0.1) -> dict[str, float]:
    """The weighting with the best mean nDCG@10 over all ``queries`` (for the service's defaults)."""
    names = [name for name in SIGNALS if name in signals]
    label_array = np.asarray(labels, dtype=object)
    same = label_array[:, None] == label_array[None, :]
    query_array = np.asarray(queries, dtype=np.int64)
    grid = weight_grid(names, step)
    means = [float(fast_ndcg10(blend(signals, weights), same, query_array).mean()) for weights in grid]
    return grid[int(np.argmax(means))]
