"""The evaluation itself: same-prompt folds, the learning curve and cross-prompt fits, and the cache-filling run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from evaluation.aes.cache import DEFAULT_CACHE, build_embedder, embed_all
from evaluation.aes.data import (
    ASAP_PROMPTS,
    DEFAULT_DATA,
    N_FOLDS,
    AesEvaluationError,
    fold_split,
    load_dataset,
)
from evaluation.aes.metrics import (
    COMMON_SCALE,
    DEGRADATION_MAX,
    PUBLISHED_CROSS_PROMPT,
    PUBLISHED_SAME_PROMPT,
    QWK_MIN,
    SMD_MAX,
    agreement,
    ets_flags,
    from_common_scale,
    human_agreement,
    pearson,
    prompt_metrics,
    qwk,
    to_common_scale,
)
from evaluation.aes.progress import Progress
from ml.embeddings.base import Embedder
from ml.essay_scoring.api import EssayInput
from ml.essay_scoring.scorer import EssayScorer

CURVE_SIZES = (25, 50, 100, 200)
SEED = 20120410  # the ASAP competition's opening day


class Scorer(Protocol):
    """What the evaluation needs of an essay scorer (``ml.essay_scoring.scorer.EssayScorer`` has it)."""

    def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> Any: ...

    def predict(self, X: Sequence[EssayInput]) -> Any: ...


ScorerFactory = Callable[[tuple[int, ...], Embedder], Scorer]
"""Builds an unfitted scorer for these score points that embeds with this embedder."""


def essay_scorer_factory(score_points: tuple[int, ...], embedder: Embedder) -> Scorer:
    """The project's scorer with its defaults (it tunes itself by internal cross-validation)."""
    scorer: Scorer = EssayScorer(embedder=embedder, score_points=score_points)
    return scorer


def cross_topic_scorer_factory(score_points: tuple[int, ...], embedder: Embedder) -> Scorer:
    """The project's scorer as the service builds its cross-topic model: no topic n-grams, every feature and
    score read within its topic (the held-out prompt's essays are its cohort, as a topic's essays are in
    the service)."""
    scorer: Scorer = EssayScorer(embedder=embedder, score_points=score_points, use_ngrams=False, topic_relative=True)
    return scorer


@dataclass
class AesEvaluation:
    """The report (``report``, what ``--json`` prints) and every test prediction (for the plots and audit)."""

    report: dict[str, Any]
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Columns: part (same_prompt / curve / cross_prompt), prompt, fold, n_train, essay_id, human, machine."""


def _inputs(frame: pd.DataFrame, topics: Sequence[str] | None = None) -> list[EssayInput]:
    if topics is None:
        topics = [ASAP_PROMPTS[int(prompt)].description for prompt in frame["essay_set"]]
    return [EssayInput(text, "en", topic=topic) for text, topic in zip(frame["essay"], topics, strict=True)]


def _fit_predict(
    factory: ScorerFactory,
    embedder: Embedder,
    points: tuple[int, ...],
    train: pd.DataFrame,
    labels: Sequence[int],
    test: pd.DataFrame,
    test_topics: Sequence[str] | None = None,
) -> tuple[npt.NDArray[np.int64], Scorer]:
    scorer = factory(points, embedder)
    scorer.fit(_inputs(train), [int(label) for label in labels])
    predicted = np.asarray(scorer.predict(_inputs(test, test_topics)), dtype=np.int64).reshape(-1)
    if predicted.shape != (len(test),):
        raise ValueError(f"the scorer returned {predicted.shape[0]} predictions for {len(test)} essays")
    return predicted, scorer


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def evaluate(
    data_dir: str | Path = DEFAULT_DATA,
    *,
    prompts: Sequence[int] | None = None,
    limit: int | None = None,
    curve_sizes: Sequence[int] = CURVE_SIZES,
    curve_folds: int = N_FOLDS,
    learning_curve: bool = True,
    cross_prompt: bool = True,
    cache_dir: Path | None = DEFAULT_CACHE,
    embedder: Embedder | None = None,
    scorer_factory: ScorerFactory | None = None,
    cross_scorer_factory: ScorerFactory | None = None,
    seed: int = SEED,
    progress: Callable[[str], None] | None = None,
) -> AesEvaluation:
    """Same-prompt metrics per prompt, the learning curve and leave-one-prompt-out scores on ASAP.

    ``embedder`` (default ``ml.embeddings.default_embedder()``) goes behind the on-disk cache in
    ``cache_dir`` (``None``: no disk cache) and an in-memory one; ``scorer_factory`` (default the
    project's ``EssayScorer``) builds each unfitted scorer, ``cross_scorer_factory`` the cross-prompt
    ones (default: ``scorer_factory`` when given, else the scorer without topic n-grams, as the
    service's cross-topic model). ``progress`` gets a line per fit.
    """
    started = time.perf_counter()
    if not 1 <= curve_folds <= N_FOLDS:
        raise AesEvaluationError(f"--curve-folds must be between 1 and {N_FOLDS}, got {curve_folds}")
    if limit is not None and limit < 1:
        raise AesEvaluationError(f"--limit must be at least 1, got {limit}")
    essays, folds = load_dataset(data_dir, prompts, limit)
    chosen = sorted(int(prompt) for prompt in (prompts or sorted(set(essays["essay_set"]))))
    by_prompt = {prompt: essays[essays["essay_set"] == prompt] for prompt in chosen}
    factory = scorer_factory or essay_scorer_factory
    cross_factory = cross_scorer_factory or scorer_factory or cross_topic_scorer_factory
    embed = build_embedder(embedder, cache_dir)
    sizes = sorted(set(curve_sizes)) if learning_curve else []

    # The ETA weighs each fit by its training essays (a fit's time grows with them).
    splits = {
        (prompt, fold): fold_split(folds, frame["essay_id"].tolist(), fold)
        for prompt, frame in by_prompt.items()
        for fold in range(N_FOLDS)
    }
    planned = sum(len(train) for train, _ in splits.values())
    planned += sum(
        min(n, len(splits[(prompt, fold)][0])) for prompt in chosen for fold in range(curve_folds) for n in sizes
    )
    cross_train = {prompt: essays[essays["essay_set"] != prompt] for prompt in chosen} if cross_prompt else {}
    planned += sum(len(frame) for frame in cross_train.values())
    meter = Progress(planned, progress)

    rows: list[pd.DataFrame] = []
    model_card: dict[str, Any] | None = None

    def record(
        part: str,
        prompt: int,
        fold: int | None,
        train_size: int,
        test: pd.DataFrame,
        predicted: npt.NDArray[np.int64],
        human: npt.NDArray[np.int64],
    ) -> None:
        rows.append(
            pd.DataFrame(
                {
                    "part": part,
                    "prompt": prompt,
                    "fold": -1 if fold is None else fold,
                    "n_train": train_size,
                    "essay_id": test["essay_id"].to_numpy(),
                    "human": human,
                    "machine": predicted,
                }
            )
        )

    per_prompt: dict[str, dict[str, Any]] = {}
    fold_qwks: dict[int, list[float]] = {}
    for prompt, frame in by_prompt.items():
        spec = ASAP_PROMPTS[prompt]
        indexed = frame.set_index("essay_id", drop=False)
        humans, machines = [], []
        fold_qwks[prompt] = []
        for fold in range(N_FOLDS):
            train_ids, test_ids = splits[(prompt, fold)]
            if not train_ids or not test_ids:
                raise AesEvaluationError(
                    f"prompt {prompt} has no {'training' if not train_ids else 'test'} essays in fold {fold}"
                )
            train, test = indexed.loc[train_ids], indexed.loc[test_ids]
            predicted, scorer = _fit_predict(factory, embed, spec.score_points, train, train["domain1_score"], test)
            if model_card is None and hasattr(scorer, "model_card"):
                model_card = scorer.model_card()
            human = test["domain1_score"].to_numpy(dtype=np.int64)
            fold_qwks[prompt].append(qwk(human, predicted, spec.score_range))
            humans.append(human)
            machines.append(predicted)
            record("same_prompt", prompt, fold, len(train), test, predicted, human)
            meter.advance(
                len(train),
                f"prompt {prompt} fold {fold + 1}/{N_FOLDS}: QWK {fold_qwks[prompt][-1]:.3f} "
                f"({len(train)} training, {len(test)} test essays)",
            )
        human_all, machine_all = np.concatenate(humans), np.concatenate(machines)
        tested = indexed.loc[[i for fold in range(N_FOLDS) for i in splits[(prompt, fold)][1]]]
        human_qwk = human_agreement(tested["rater1_domain1"], tested["rater2_domain1"])
        pooled = prompt_metrics(human_all, machine_all, spec.score_range, human_qwk)
        mean_qwk = float(np.mean(fold_qwks[prompt]))
        degradation = human_qwk - mean_qwk
        per_prompt[str(prompt)] = {
            "qwk": mean_qwk,
            "qwk_pooled": pooled["qwk"],
            "fold_qwk": fold_qwks[prompt],
            "pearson": pooled["pearson"],
            "smd": pooled["smd"],
            "exact": pooled["exact"],
            "adjacent": pooled["adjacent"],
            "degradation": degradation,
            "human_qwk": human_qwk,
            **ets_flags(mean_qwk, pooled["smd"], degradation),
            "n": len(human_all),
            "score_range": list(spec.score_range),
        }

    curve: dict[str, float] | None = None
    curve_detail: dict[str, dict[str, float]] = {}
    if learning_curve:
        for n in sizes:
            curve_detail[str(n)] = {}
            for prompt, frame in by_prompt.items():
                spec = ASAP_PROMPTS[prompt]
                indexed = frame.set_index("essay_id", drop=False)
                scores = []
                for fold in range(curve_folds):
                    train_ids, test_ids = splits[(prompt, fold)]
                    order = np.random.default_rng([seed, prompt, fold]).permutation(len(train_ids))
                    subset = [train_ids[i] for i in order[:n]]
                    train, test = indexed.loc[subset], indexed.loc[test_ids]
                    predicted, _ = _fit_predict(factory, embed, spec.score_points, train, train["domain1_score"], test)
                    human = test["domain1_score"].to_numpy(dtype=np.int64)
                    scores.append(qwk(human, predicted, spec.score_range))
                    record("curve", prompt, fold, len(train), test, predicted, human)
                    meter.advance(
                        len(train),
                        f"learning curve n={n}: prompt {prompt} fold {fold + 1}/{curve_folds}: QWK {scores[-1]:.3f}",
                    )
                curve_detail[str(n)][str(prompt)] = float(np.mean(scores))
        curve_detail["all"] = {str(prompt): float(np.mean(fold_qwks[prompt][:curve_folds])) for prompt in chosen}
        curve = {size: float(np.mean(list(values.values()))) for size, values in curve_detail.items()}

    cross: dict[str, Any] | None = None
    if cross_prompt:
        cross_per_prompt: dict[str, dict[str, Any]] = {}
        common_points = tuple(range(COMMON_SCALE + 1))
        for prompt in chosen:
            train = cross_train[prompt]
            if train.empty:
                raise AesEvaluationError(f"cross-prompt needs essays of another prompt than {prompt}")
            test = by_prompt[prompt]
            spec = ASAP_PROMPTS[prompt]
            labels = [
                to_common_scale(int(score), ASAP_PROMPTS[int(source)].score_range)
                for score, source in zip(train["domain1_score"], train["essay_set"], strict=True)
            ]
            common, _ = _fit_predict(
                cross_factory, embed, common_points, train, labels, test, [spec.description] * len(test)
            )
            predicted = np.asarray(
                [from_common_scale(int(point), spec.score_range) for point in common], dtype=np.int64
            )
            human = test["domain1_score"].to_numpy(dtype=np.int64)
            exact, adjacent = agreement(human, predicted)
            cross_per_prompt[str(prompt)] = {
                "qwk": qwk(human, predicted, spec.score_range),
                "pearson": pearson(human, predicted),
                "exact": exact,
                "adjacent": adjacent,
                "n_train": len(train),
                "n": len(test),
                "trained_on": sorted(int(p) for p in set(train["essay_set"])),
            }
            record("cross_prompt", prompt, None, len(train), test, predicted, human)
            meter.advance(
                len(train), f"cross-prompt: prompt {prompt} held out: QWK {cross_per_prompt[str(prompt)]['qwk']:.3f}"
            )
        mean_cross = float(np.mean([item["qwk"] for item in cross_per_prompt.values()]))
        cross = {
            "mean_qwk": mean_cross,
            "per_prompt": cross_per_prompt,
            "published": PUBLISHED_CROSS_PROMPT,
            "above_cts": mean_cross > PUBLISHED_CROSS_PROMPT["CTS"],
            "scorer": "the default factory trains without topic n-grams (as the service's cross-topic model)"
            if cross_scorer_factory is None and scorer_factory is None
            else "as given",
            "scale": f"scores rescaled to 0-{COMMON_SCALE} for training, predictions mapped back to each "
            "prompt's own range (halves rounded up); QWK on that range",
        }

    mean_qwk_all = float(np.mean([item["qwk"] for item in per_prompt.values()]))
    report: dict[str, Any] = {
        "mean_qwk": mean_qwk_all,
        "per_prompt": per_prompt,
        "learning_curve": curve,
        "cross_prompt": cross,
        "all_prompts_meet_ets": all(item["meets_ets"] for item in per_prompt.values()),
        "learning_curve_per_prompt": curve_detail or None,
        "published_same_prompt": PUBLISHED_SAME_PROMPT,
        "thresholds": {"qwk_min": QWK_MIN, "abs_smd_max": SMD_MAX, "degradation_max": DEGRADATION_MAX},
        "method": {
            "folds": "asap_nea_folds.tsv (Taghipour & Ng 2016): fit on train + dev, predict test; the scorer "
            "tunes itself by internal cross-validation on its training essays",
            "qwk": "mean of the 5 fold QWKs per prompt (qwk_pooled: the pooled test folds); over the prompt's "
            "whole score range",
            "other_metrics": "on the pooled test folds (each essay predicted once)",
            "smd": "(mean machine - mean human) / sqrt((var machine + var human) / 2), ddof 1 (Williamson et al. 2012)",
            "degradation": "human-human QWK (rater1 vs rater2 on the same essays) - machine QWK",
            "learning_curve": f"first n of a seeded permutation (seed {seed}) of each fold's training essays, "
            f"folds 0..{curve_folds - 1}; mean over prompts of the per-prompt mean QWK",
        },
        "settings": {
            "prompts": chosen,
            "limit": limit,
            "curve_folds": curve_folds,
            "curve_sizes": sizes,
            "seed": seed,
            "essays": len(essays),
        },
        "model": model_card,
        "embedder": embed.model_id,
        "seconds": round(time.perf_counter() - started, 1),
    }
    predictions = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return AesEvaluation(report=_rounded(report), predictions=predictions)


def embed_only(
    data_dir: str | Path = DEFAULT_DATA,
    *,
    prompts: Sequence[int] | None = None,
    limit: int | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    embedder: Embedder | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fills the embedding cache with every chosen essay (and the prompt descriptions); nothing is fitted."""
    started = time.perf_counter()
    essays, _ = load_dataset(data_dir, prompts, limit)
    embed = build_embedder(embedder, cache_dir)
    count = embed_all(essays["essay"].tolist(), embed, progress=progress)
    embed.embed_queries([prompt.description for prompt in ASAP_PROMPTS.values()])
    embed.embed_passages([prompt.description for prompt in ASAP_PROMPTS.values()])
    return {
        "embedded": count,
        "embedder": embed.model_id,
        "cache": str(cache_dir) if cache_dir else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
