"""The hybrid blend: per-query min–max-normalised signals, weighted, then smoothed by the nearest documents.

``HybridRanker`` is the ONE ranking that ``irikteu evaluate matching`` measures and the match
service serves. Signals: ``embedding_full`` (e5 cosine of the whole texts, ``passage:`` both
sides, centred on the collection's mean vector), ``embedding_title`` (the titles — a vacancy's
title, a candidate's positions — ``query:`` both sides, e5's recipe for symmetric similarity,
centred), ``embedding_title_to_full`` (the query's title as ``query:`` against the documents'
full ``passage:`` vectors), ``bm25_full`` and ``bm25_title`` (BM25 of the stemmed texts and
titles). Each is rescaled per query to [0, 1] over the documents scored (min–max), so the
weights mean the same whatever the raw ranges; the blend is their weighted sum (weights sum to
1); then each query's row is smoothed with the rows of its ``k`` best documents (scored as
queries against the same collection; pseudo-relevance feedback, no labels). Defaults
(``DEFAULT_WEIGHTS``, ``DEFAULT_SMOOTHING``) are the configuration the evaluation's
cross-validation chose.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ml.matching.lexical import BM25

SIGNALS: tuple[str, ...] = ("embedding_full", "embedding_title", "embedding_title_to_full", "bm25_full", "bm25_title")
SEMANTIC_SIGNALS: tuple[str, ...] = ("embedding_full", "embedding_title", "embedding_title_to_full")
LEXICAL_SIGNALS: tuple[str, ...] = ("bm25_full", "bm25_title")

DEFAULT_WEIGHTS: dict[str, float] = {
    "embedding_full": 0.2,
    "embedding_title": 0.3,
    "embedding_title_to_full": 0.1,
    "bm25_full": 0.3,
    "bm25_title": 0.1,
}
"""The weights the evaluation's 5-fold cross-validation chose (``irikteu evaluate matching`` on the job-board
vacancies: the same configuration in all five folds, held-out nDCG@10 0.624)."""
DEFAULT_SMOOTHING: tuple[int, float] = (5, 0.5)
"""Neighbourhood smoothing (k nearest documents, beta) the cross-validation chose."""
MIN_SPANS: dict[str, float] = {"embedding_full": 0.1, "embedding_title": 0.1, "embedding_title_to_full": 0.1}
"""Cosine differences smaller than this are not stretched to [0, 1] by the per-query rescaling (small pools:
raw e5 cosines all lie near 0.85; on a real collection the spans are far wider and this never binds)."""
CENTRE_MIN_DOCUMENTS = 20
"""Below this many documents the collection's mean vector is too noisy to centre on: raw cosine instead."""

Matrix = npt.NDArray[np.float64]
Vectors = npt.NDArray[np.float32]


def normalise_rows(
    matrix: npt.ArrayLike,
    *,
    exclude_diagonal: bool = True,
    exclude_columns: npt.ArrayLike | None = None,
    min_span: float = 0.0,
) -> Matrix:
    """Each row rescaled to [0, 1] by its min and max (a constant row becomes 1 where positive, else 0).

    With ``exclude_diagonal`` (a collection scored against itself) the diagonal takes no part in a
    row's min and max and is set to 0; ``exclude_columns`` (one column per row, -1 for none) does
    the same for given cells (documents scored as queries against their own collection). A row
    whose span is below ``min_span`` is divided by ``min_span`` instead (a few documents a hair
    apart are not stretched to the whole range).
    """
    values = np.array(matrix, dtype=np.float64, copy=True)
    if values.ndim == 1:
        values = values[None, :]
    if exclude_columns is not None:
        columns = np.asarray(exclude_columns, dtype=np.int64).reshape(-1)
        rows = np.nonzero(columns >= 0)[0]
        masked = values.copy()
        masked[rows, columns[rows]] = np.nan
        out = _rescale(values, masked, min_span)
        out[rows, columns[rows]] = 0.0
        return out
    masked = values.copy()
    if exclude_diagonal and values.shape[0] == values.shape[1]:
        np.fill_diagonal(masked, np.nan)
    out = _rescale(values, masked, min_span)
    if exclude_diagonal and values.shape[0] == values.shape[1]:
        np.fill_diagonal(out, 0.0)
    return out


def _rescale(values: Matrix, masked: Matrix, min_span: float = 0.0) -> Matrix:
    if not masked.size or masked.shape[1] == 0:
        return np.zeros_like(values)
    with np.errstate(all="ignore"):
        all_nan = np.isnan(masked).all(axis=1, keepdims=True)
        filled = np.where(all_nan, 0.0, masked)
        low = np.nanmin(filled, axis=1, keepdims=True)
        high = np.nanmax(filled, axis=1, keepdims=True)
    span = np.maximum(high - low, min_span)
    flat = span <= 1e-12
    out: Matrix = np.clip(
        np.where(flat, (values > 0).astype(np.float64), (values - low) / np.where(flat, 1.0, span)), 0.0, 1.0
    )
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


def cross_validated_scores(
    signals: Mapping[str, Matrix],
    labels: Sequence[str],
    queries: Sequence[int],
    *,
    folds: int = 5,
    step: float = 0.1,
    seed: int = 7,
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


def tune_weights(
    signals: Mapping[str, Matrix], labels: Sequence[str], queries: Sequence[int], *, step: float = 0.1
) -> dict[str, float]:
    """The weighting with the best mean nDCG@10 over all ``queries`` (for the service's defaults)."""
    names = [name for name in SIGNALS if name in signals]
    label_array = np.asarray(labels, dtype=object)
    same = label_array[:, None] == label_array[None, :]
    query_array = np.asarray(queries, dtype=np.int64)
    grid = weight_grid(names, step)
    means = [float(fast_ndcg10(blend(signals, weights), same, query_array).mean()) for weights in grid]
    return grid[int(np.argmax(means))]


# --- the ranking the evaluation measures and the service serves ------------------------------------------


@dataclass(frozen=True)
class TextSide:
    """Texts ready for ``HybridRanker``: full-text ``passage:`` vectors, title ``query:`` vectors, stemmed tokens.

    ``title_present`` marks rows that have a title (absent ones score 0 on the title signals).
    """

    full: Vectors
    title: Vectors
    full_tokens: Sequence[Sequence[str]]
    title_tokens: Sequence[Sequence[str]]
    title_present: npt.NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return int(self.full.shape[0])

    @property
    def present(self) -> npt.NDArray[np.bool_]:
        if self.title_present is None:
            return np.ones(len(self), dtype=bool)
        return np.asarray(self.title_present, dtype=bool)

    def subset(self, rows: npt.NDArray[np.int64]) -> TextSide:
        return TextSide(
            full=self.full[rows],
            title=self.title[rows],
            full_tokens=[self.full_tokens[i] for i in rows],
            title_tokens=[self.title_tokens[i] for i in rows],
            title_present=self.present[rows],
        )


@dataclass(frozen=True)
class HybridScores:
    """Per-query scores in [0, 1] (``total``) and each signal's smoothed, normalised part (``parts``)."""

    total: Matrix
    parts: dict[str, Matrix]
    weights: dict[str, float]

    def group(self, names: Sequence[str]) -> Matrix:
        """The weighted mean of some signals' parts (e.g. ``SEMANTIC_SIGNALS``), in [0, 1]."""
        weight = sum(self.weights.get(name, 0.0) for name in names)
        if weight <= 0:
            return np.zeros_like(self.total)
        return blend({name: self.parts[name] for name in names}, self.weights) / weight


def _unit(rows: Matrix) -> Matrix:
    out: Matrix = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return out


class HybridRanker:
    """Scores queries against one collection of documents with the evaluated hybrid."""

    def __init__(self, documents: TextSide, *, centre_min: int = CENTRE_MIN_DOCUMENTS) -> None:
        self.documents = documents
        present = documents.present
        full = documents.full.astype(np.float64)
        title = documents.title.astype(np.float64)
        centre = len(documents) >= centre_min
        self._full_mean = full.mean(axis=0) if centre else np.zeros(full.shape[1])
        self._title_mean = title[present].mean(axis=0) if centre and present.any() else np.zeros(title.shape[1])
        self._full_centred = _unit(full - self._full_mean)
        self._title_centred = _unit(title - self._title_mean)
        self._full_raw = full
        self._bm25_full = BM25(documents.full_tokens)
        self._bm25_title = BM25(documents.title_tokens)

    @property
    def bm25_full(self) -> Any:
        """The full-text BM25 model (for matched-term explanations)."""
        return self._bm25_full

    def raw_signals(self, queries: TextSide) -> dict[str, Matrix]:
        """Every signal of every query against every document, before normalisation."""
        doc_present = self.documents.present
        query_present = queries.present
        full = _unit(queries.full.astype(np.float64) - self._full_mean)
        title = _unit(queries.title.astype(np.float64) - self._title_mean)
        title_mask = query_present[:, None] & doc_present[None, :]
        n = len(self.documents)
        return {
            "embedding_full": full @ self._full_centred.T,
            "embedding_title": np.where(title_mask, title @ self._title_centred.T, 0.0),
            "embedding_title_to_full": np.where(
                query_present[:, None], queries.title.astype(np.float64) @ self._full_raw.T, 0.0
            ),
            "bm25_full": np.vstack([self._bm25_full.scores(tokens) for tokens in queries.full_tokens])
            if len(queries)
            else np.zeros((0, n)),
            "bm25_title": np.vstack(
                [
                    self._bm25_title.scores(tokens) if present else np.zeros(n)
                    for tokens, present in zip(queries.title_tokens, query_present, strict=True)
                ]
            )
            if len(queries)
            else np.zeros((0, n)),
        }

    def signals(self, queries: TextSide, *, self_index: npt.ArrayLike | None = None) -> dict[str, Matrix]:
        """Each signal rescaled per query to [0, 1]; ``self_index`` (per query, -1: none) is left out, set to 0."""
        excluded = (
            np.full(len(queries), -1, dtype=np.int64) if self_index is None else np.asarray(self_index, dtype=np.int64)
        )
        return {
            name: normalise_rows(matrix, exclude_columns=excluded, min_span=MIN_SPANS.get(name, 0.0))
            for name, matrix in self.raw_signals(queries).items()
        }

    def scores(
        self,
        queries: TextSide,
        *,
        weights: Mapping[str, float] | None = None,
        smoothing: tuple[int, float] = DEFAULT_SMOOTHING,
        self_index: npt.ArrayLike | None = None,
    ) -> HybridScores:
        """The hybrid: ``hybrid_scores`` of these queries against this collection."""
        weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        total_weight = sum(weights.values()) or 1.0
        weights = {name: value / total_weight for name, value in weights.items()}
        excluded = (
            np.full(len(queries), -1, dtype=np.int64) if self_index is None else np.asarray(self_index, dtype=np.int64)
        )
        parts = self.signals(queries, self_index=excluded)
        blended = blend(parts, weights)
        k, beta = smoothing
        n = len(self.documents)
        if beta and k > 0 and n > k and len(queries):
            masked = blended.copy()
            rows = np.nonzero(excluded >= 0)[0]
            masked[rows, excluded[rows]] = -np.inf
            top = np.argpartition(-masked, k, axis=1)[:, :k]
            neighbours = np.unique(top)
            neighbour_parts = self.signals(self.documents.subset(neighbours), self_index=neighbours)
            position = np.searchsorted(neighbours, top)
            parts = {
                name: (value + beta * neighbour_parts[name][position].mean(axis=1)) / (1 + beta)
                for name, value in parts.items()
            }
            blended = blend(parts, weights)
        return HybridScores(total=blended, parts=parts, weights=weights)


def hybrid_scores(
    queries: TextSide,
    documents: TextSide,
    *,
    weights: Mapping[str, float] | None = None,
    smoothing: tuple[int, float] = DEFAULT_SMOOTHING,
    self_index: npt.ArrayLike | None = None,
) -> HybridScores:
    """The evaluated hybrid of ``queries`` against ``documents`` (defaults: the cross-validated configuration)."""
    return HybridRanker(documents).scores(queries, weights=weights, smoothing=smoothing, self_index=self_index)
