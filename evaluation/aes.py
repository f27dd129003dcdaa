"""The essay scorer on ASAP-AES: same-prompt, learning-curve and cross-prompt evidence, as in the literature.

Data (``../shared/data/essays``): ``asap_training_set_rel3.tsv.gz`` (12,978 English essays of 8
prompts with two raters and the resolved ``domain1_score``) and ``asap_nea_folds.tsv`` (the 5-fold
split of Taghipour & Ng 2016 that published results use: per fold each essay is train, dev or test).

- Same-prompt: per prompt and fold, the scorer is fitted on the fold's train + dev essays (it tunes
  itself by internal cross-validation, so dev is training data here) and predicts the test essays.
  A prompt's ``qwk`` is the mean of its 5 fold QWKs (the published convention); ``qwk_pooled`` and
  the other metrics are computed on the 5 test folds pooled (each essay predicted once).
- Learning curve: the same, trained on the first n essays of a seeded permutation of each fold's
  training essays (nested: the 50 include the 25), for n = 25, 50, 100, 200 and all.
- Cross-prompt: one scorer per held-out prompt, trained on the other prompts with scores rescaled to
  0–10, its predictions mapped back to the held-out prompt's own range.

QWK is over the prompt's whole score range (as the Kaggle metric), not only the values seen. The ETS
flags follow Williamson, Xi & Breyer (2012): QWK ≥ 0.70, |SMD| ≤ 0.15, degradation ≤ 0.10, where
SMD = (mean machine − mean human) / sqrt((var machine + var human) / 2), sample variances (ddof 1),
and degradation = human–human QWK (rater 1 vs rater 2, on the same essays) − machine QWK.
"""

from __future__ import annotations

import csv
import gzip
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from ml.embeddings.base import Embedder, Matrix, WrappedEmbedder
from ml.essay_scoring.api import EssayInput
from ml.essay_scoring.metrics import quadratic_kappa

ESSAYS_FILE = "asap_training_set_rel3.tsv.gz"
FOLDS_FILE = "asap_nea_folds.tsv"
DEFAULT_DATA = Path("../shared/data/essays")
DEFAULT_CACHE = Path("var/cache/embeddings")
N_FOLDS = 5
CURVE_SIZES = (25, 50, 100, 200)
SEED = 20120410  # the ASAP competition's opening day
COMMON_SCALE = 10
"""Cross-prompt: every prompt's score is rescaled to 0..COMMON_SCALE."""

QWK_MIN = 0.70
SMD_MAX = 0.15
DEGRADATION_MAX = 0.10
PUBLISHED_SAME_PROMPT = {"NPCR": 0.817, "R2BERT": 0.794, "multi-scale BERT": 0.791, "SkipFlow": 0.764}
PUBLISHED_CROSS_PROMPT = {"PAES": 0.657, "CTS": 0.670}


class AsapPrompt(NamedTuple):
    score_range: tuple[int, int]
    description: str

    @property
    def score_points(self) -> tuple[int, ...]:
        low, high = self.score_range
        return tuple(range(low, high + 1))


ASAP_PROMPTS: dict[int, AsapPrompt] = {
    1: AsapPrompt((2, 12), "Write a letter to your local newspaper that persuades readers of your opinion on the "
                           "effects computers have on people."),
    2: AsapPrompt((1, 6), "Write a persuasive essay for a newspaper on censorship in libraries: should offensive "
                          "books, music, movies or magazines be removed from the shelves?"),
    3: AsapPrompt((0, 3), "Explain how the features of the setting affect the cyclist in the story \"Rough Road "
                          "Ahead\"."),
    4: AsapPrompt((0, 3), "Explain why the author ends the story \"Winter Hibiscus\" with the paragraph about the "
                          "hibiscus and retaking the test in the spring."),
    5: AsapPrompt((0, 4), "Describe the mood the author creates in the memoir \"Narciso Rodriguez\" and how."),
    6: AsapPrompt((0, 4), "Describe the obstacles the builders of the Empire State Building faced in letting "
                          "dirigibles dock there, from the excerpt \"The Mooring Mast\"."),
    7: AsapPrompt((0, 30), "Write a story about a time when you were patient, or when someone you know was "
                           "patient."),
    8: AsapPrompt((0, 60), "Tell a true story in which laughter was one element."),
}
"""ASAP prompt -> (range of ``domain1_score``, a short description written for this project)."""

ESSAY_COLUMNS = ("essay_id", "essay_set", "essay", "rater1_domain1", "rater2_domain1", "domain1_score")
FOLD_COLUMNS = ("essay_id", *(f"fold_{k}" for k in range(N_FOLDS)))
FOLD_ROLES = frozenset({"train", "dev", "test"})


class AesEvaluationError(ValueError):
    """The data is missing, unreadable or not ASAP as described (the CLI exits 2 with the message)."""


class Scorer(Protocol):
    """What the evaluation needs of an essay scorer (``ml.essay_scoring.scorer.EssayScorer`` has it)."""

    def fit(self, X: Sequence[EssayInput], y: Sequence[int]) -> Any: ...

    def predict(self, X: Sequence[EssayInput]) -> Any: ...


ScorerFactory = Callable[[tuple[int, ...], Embedder], Scorer]
"""Builds an unfitted scorer for these score points that embeds with this embedder."""


def essay_scorer_factory(score_points: tuple[int, ...], embedder: Embedder) -> Scorer:
    """The project's scorer with its defaults (it tunes itself by internal cross-validation)."""
    from ml.essay_scoring.scorer import EssayScorer

    scorer: Scorer = EssayScorer(embedder=embedder, score_points=score_points)
    return scorer


def cross_topic_scorer_factory(score_points: tuple[int, ...], embedder: Embedder) -> Scorer:
    """The project's scorer as the service builds its cross-topic model: no topic n-grams, every feature and
    score read within its topic (the held-out prompt's essays are its cohort, as a topic's essays are in
    the service)."""
    from ml.essay_scoring.scorer import EssayScorer

    scorer: Scorer = EssayScorer(embedder=embedder, score_points=score_points, use_ngrams=False,
                                 topic_relative=True)
    return scorer


# --- data ----------------------------------------------------------------------------------------------

def _unquote(text: str) -> str:
    """A field the writer wrapped in quotes (``"..."`` with ``""`` inside) as its text; others unchanged."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and '"' not in text[1:-1].replace('""', ""):
        return text[1:-1].replace('""', '"')
    return text


def read_essays(data_dir: str | Path) -> pd.DataFrame:
    """The ASAP essays with the columns the evaluation needs, in file order; scores checked against each range.

    The file has one essay per line; essays with quotes are CSV-quoted, but two are not (ids 10534
    and 10540 carry bare quotes), which makes a CSV parser swallow the next line. So lines are split
    on tabs with no quote handling and quoted essays unquoted afterwards.
    """
    path = Path(data_dir) / ESSAYS_FILE
    if not path.is_file():
        raise AesEvaluationError(f"no essay file at {path}")
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            frame = pd.read_csv(handle, sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, OSError, EOFError, pd.errors.ParserError) as error:
        raise AesEvaluationError(f"{path} is not a UTF-8 tab-separated table: {error}") from None
    missing = [column for column in ESSAY_COLUMNS if column not in frame.columns]
    if missing:
        raise AesEvaluationError(f"{path} lacks the columns {', '.join(missing)}")
    frame = frame[list(ESSAY_COLUMNS)].copy()
    frame["essay"] = frame["essay"].map(_unquote)
    for column in ("essay_id", "essay_set", "rater1_domain1", "rater2_domain1", "domain1_score"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values != values.round())
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise AesEvaluationError(f"{path}: {column} of data row {row + 1} is not an integer: "
                                     f"{frame[column].iloc[row]!r}")
        frame[column] = values.astype(np.int64)
    if frame["essay_id"].duplicated().any():
        raise AesEvaluationError(f"{path}: essay_id {int(frame['essay_id'][frame['essay_id'].duplicated()].iloc[0])} "
                                 "appears twice")
    unknown = sorted(set(frame["essay_set"]) - set(ASAP_PROMPTS))
    if unknown:
        raise AesEvaluationError(f"{path}: essay_set {unknown[0]} is not an ASAP prompt (1-8)")
    for prompt, rows in frame.groupby("essay_set"):
        low, high = ASAP_PROMPTS[int(prompt)].score_range
        out = rows[(rows["domain1_score"] < low) | (rows["domain1_score"] > high)]
        if len(out):
            raise AesEvaluationError(f"{path}: essay {int(out['essay_id'].iloc[0])} of prompt {prompt} has "
                                     f"domain1_score {int(out['domain1_score'].iloc[0])} outside {low}-{high}")
    if frame.empty:
        raise AesEvaluationError(f"{path} has no essays")
    return frame.reset_index(drop=True)


def read_folds(data_dir: str | Path) -> pd.DataFrame:
    """The 5-fold split, indexed by essay_id: columns fold_0..fold_4 holding ``train``, ``dev`` or ``test``."""
    path = Path(data_dir) / FOLDS_FILE
    if not path.is_file():
        raise AesEvaluationError(f"no folds file at {path}")
    try:
        frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, OSError, pd.errors.ParserError) as error:
        raise AesEvaluationError(f"{path} is not a UTF-8 tab-separated table: {error}") from None
    missing = [column for column in FOLD_COLUMNS if column not in frame.columns]
    if missing:
        raise AesEvaluationError(f"{path} lacks the columns {', '.join(missing)}")
    ids = pd.to_numeric(frame["essay_id"], errors="coerce")
    if ids.isna().any():
        raise AesEvaluationError(f"{path}: essay_id {frame['essay_id'][ids.isna()].iloc[0]!r} is not an integer")
    frame = frame[list(FOLD_COLUMNS)].assign(essay_id=ids.astype(np.int64)).set_index("essay_id")
    for column in frame.columns:
        odd = sorted(set(frame[column]) - FOLD_ROLES)
        if odd:
            raise AesEvaluationError(f"{path}: {column} holds {odd[0]!r} (expected train, dev or test)")
    return frame


def fold_split(folds: pd.DataFrame, essay_ids: Iterable[int], fold: int) -> tuple[list[int], list[int]]:
    """(training ids = train + dev, test ids) of ``essay_ids`` in ``fold``, each in the order given."""
    roles = folds[f"fold_{fold}"]
    train, test = [], []
    for essay_id in essay_ids:
        role = roles.get(essay_id)
        if role == "test":
            test.append(essay_id)
        elif role in ("train", "dev"):
            train.append(essay_id)
    return train, test


# --- metrics ---------------------------------------------------------------------------------------------

def qwk(human: Sequence[int] | npt.ArrayLike, machine: Sequence[int] | npt.ArrayLike,
        score_range: tuple[int, int] | None = None) -> float:
    """Quadratic weighted kappa over every point of ``score_range`` (default: min..max of both series)."""
    human_array, machine_array = np.asarray(human, dtype=np.int64), np.asarray(machine, dtype=np.int64)
    if score_range is None:
        score_range = (int(min(human_array.min(), machine_array.min())),
                       int(max(human_array.max(), machine_array.max())))
    return quadratic_kappa(human_array, machine_array, labels=range(score_range[0], score_range[1] + 1))


def pearson(human: npt.ArrayLike, machine: npt.ArrayLike) -> float | None:
    """Pearson r (``scipy.stats.pearsonr``); ``None`` when either series is constant (r undefined)."""
    from scipy.stats import pearsonr

    a, b = np.asarray(human, dtype=np.float64), np.asarray(machine, dtype=np.float64)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(pearsonr(a, b).statistic)


def smd(human: npt.ArrayLike, machine: npt.ArrayLike) -> float | None:
    """(mean machine − mean human) / sqrt((var machine + var human) / 2), sample variances (Williamson 2012)."""
    a, b = np.asarray(human, dtype=np.float64), np.asarray(machine, dtype=np.float64)
    if len(a) < 2:
        return None
    pooled = math.sqrt((float(np.var(b, ddof=1)) + float(np.var(a, ddof=1))) / 2)
    difference = float(b.mean() - a.mean())
    if pooled == 0:
        return 0.0 if difference == 0 else None
    return difference / pooled


def agreement(human: npt.ArrayLike, machine: npt.ArrayLike) -> tuple[float, float]:
    """(exact, adjacent): shares of essays scored the same, and within one point."""
    difference = np.abs(np.asarray(machine, dtype=np.int64) - np.asarray(human, dtype=np.int64))
    return float(np.mean(difference == 0)), float(np.mean(difference <= 1))


def ets_flags(machine_qwk: float, standardized_difference: float | None, degradation: float) -> dict[str, bool]:
    """The three ETS/ACT thresholds and whether all hold."""
    flags = {"qwk_ok": machine_qwk >= QWK_MIN,
             "smd_ok": standardized_difference is not None and abs(standardized_difference) <= SMD_MAX,
             "degradation_ok": degradation <= DEGRADATION_MAX}
    return {**flags, "meets_ets": all(flags.values())}


def prompt_metrics(human: npt.ArrayLike, machine: npt.ArrayLike, score_range: tuple[int, int],
                   human_qwk: float) -> dict[str, Any]:
    """Every figure of one prompt's table row from the pooled predictions (``qwk`` here is pooled)."""
    machine_qwk = qwk(human, machine, score_range)
    exact, adjacent = agreement(human, machine)
    difference = smd(human, machine)
    degradation = human_qwk - machine_qwk
    return {"qwk": machine_qwk, "pearson": pearson(human, machine), "smd": difference, "exact": exact,
            "adjacent": adjacent, "degradation": degradation, "human_qwk": human_qwk,
            **ets_flags(machine_qwk, difference, degradation)}


def human_agreement(rater1: npt.ArrayLike, rater2: npt.ArrayLike) -> float:
    """Rater 1 vs rater 2 QWK over the raters' observed range (their scale, not ``domain1_score``'s)."""
    return qwk(rater1, rater2)


def to_common_scale(score: int, score_range: tuple[int, int]) -> int:
    """A prompt's score on 0..10: round(10 (s − lo) / (hi − lo)), halves rounded up (not to even)."""
    low, high = score_range
    return math.floor(COMMON_SCALE * (score - low) / (high - low) + 0.5)


def from_common_scale(point: int, score_range: tuple[int, int]) -> int:
    """A 0..10 point back on a prompt's range: lo + p / 10 (hi − lo), halves rounded up."""
    low, high = score_range
    return math.floor(low + point / COMMON_SCALE * (high - low) + 0.5)


# --- embeddings ------------------------------------------------------------------------------------------

class MemoryCachedEmbedder(WrappedEmbedder):
    """Keeps every vector of this run in memory (by role and text), so the many fits embed or read each text once."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self._vectors: dict[tuple[bool, str], npt.NDArray[np.float32]] = {}

    def _embed(self, texts: Sequence[str], is_query: bool) -> Matrix:
        missing = list(dict.fromkeys(text for text in texts if (is_query, text) not in self._vectors))
        if missing:
            embed = self.inner.embed_queries if is_query else self.inner.embed_passages
            for text, vector in zip(missing, embed(missing), strict=True):
                self._vectors[(is_query, text)] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[(is_query, text)] for text in texts])

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self._embed(texts, False)


def build_embedder(embedder: Embedder | None, cache_dir: Path | None) -> MemoryCachedEmbedder:
    """``embedder`` (default: ``ml.embeddings.default_embedder()``) behind the on-disk cache, then memory."""
    if embedder is None:
        from ml.embeddings import default_embedder

        embedder = default_embedder()
    if cache_dir is not None:
        from ml.embeddings.cache import CachingEmbedder

        embedder = CachingEmbedder(embedder, cache_dir)
    return MemoryCachedEmbedder(embedder)


# --- progress ------------------------------------------------------------------------------------------

def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Lines on stderr with an ETA: the time per unit of work so far times the units left."""

    def __init__(self, total_units: float, echo: Callable[[str], None] | None) -> None:
        self.total = max(total_units, 1e-9)
        self.done = 0.0
        self.echo = echo
        self.started = time.perf_counter()

    def advance(self, units: float, message: str) -> None:
        self.done += units
        if self.echo is None:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        self.echo(f"{message} [{100 * min(self.done / self.total, 1):.0f} %, {_duration(elapsed)} elapsed, "
                  f"ETA {_duration(left)}]")


def embed_all(texts: Sequence[str], embedder: Embedder, *, batch: int = 32,
              progress: Callable[[str], None] | None = None) -> int:
    """Embeds ``texts`` as passages in batches (through whatever caches ``embedder`` has); returns the count."""
    unique = list(dict.fromkeys(texts))
    meter = Progress(len(unique), progress)
    for start in range(0, len(unique), batch):
        chunk = unique[start:start + batch]
        embedder.embed_passages(chunk)
        meter.advance(len(chunk), f"embedded {start + len(chunk)}/{len(unique)} essays")
    return len(unique)


# --- the evaluation ---------------------------------------------------------------------------------------

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


def _fit_predict(factory: ScorerFactory, embedder: Embedder, points: tuple[int, ...], train: pd.DataFrame,
                 labels: Sequence[int], test: pd.DataFrame, test_topics: Sequence[str] | None = None,
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


def parse_prompts(text: str | None) -> list[int] | None:
    """``"1,3"`` -> [1, 3]; ``None`` or empty -> None (every prompt). Unknown prompts are an error."""
    if not text:
        return None
    try:
        prompts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise AesEvaluationError(f"--prompts takes prompt numbers separated by commas, got {text!r}") from None
    unknown = [prompt for prompt in prompts if prompt not in ASAP_PROMPTS]
    if unknown:
        raise AesEvaluationError(f"prompt {unknown[0]} is not an ASAP prompt (1-8)")
    return prompts


def load_dataset(data_dir: str | Path, prompts: Sequence[int] | None = None,
                 limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every essay the folds file knows, by essay_id, the first ``limit`` of each prompt; the folds).

    Unchosen prompts stay: cross-prompt training on a chosen prompt reads the others.
    """
    essays, folds = read_essays(data_dir), read_folds(data_dir)
    essays = essays[essays["essay_id"].isin(folds.index)]
    if essays.empty:
        raise AesEvaluationError(f"no essay of {Path(data_dir) / ESSAYS_FILE} appears in {FOLDS_FILE}")
    if prompts:
        absent = [prompt for prompt in prompts if prompt not in set(essays["essay_set"])]
        if absent:
            raise AesEvaluationError(f"prompt {absent[0]} has no essays in {Path(data_dir) / ESSAYS_FILE}")
    # By id: the file is ordered by test fold (it was joined from the folds' test files), so its first
    # essays of a prompt would nearly all be one fold's test essays.
    essays = essays.sort_values("essay_id", kind="stable")
    if limit is not None:
        essays = essays.groupby("essay_set", sort=False).head(limit)
    return essays.reset_index(drop=True), folds


def evaluate(data_dir: str | Path = DEFAULT_DATA, *, prompts: Sequence[int] | None = None, limit: int | None = None,
             curve_sizes: Sequence[int] = CURVE_SIZES, curve_folds: int = N_FOLDS, learning_curve: bool = True,
             cross_prompt: bool = True, cache_dir: Path | None = DEFAULT_CACHE, embedder: Embedder | None = None,
             scorer_factory: ScorerFactory | None = None, cross_scorer_factory: ScorerFactory | None = None,
             seed: int = SEED, progress: Callable[[str], None] | None = None) -> AesEvaluation:
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
    splits = {(prompt, fold): fold_split(folds, frame["essay_id"].tolist(), fold)
              for prompt, frame in by_prompt.items() for fold in range(N_FOLDS)}
    planned = sum(len(train) for train, _ in splits.values())
    planned += sum(min(n, len(splits[(prompt, fold)][0])) for prompt in chosen for fold in range(curve_folds)
                   for n in sizes)
    cross_train = {prompt: essays[essays["essay_set"] != prompt] for prompt in chosen} if cross_prompt else {}
    planned += sum(len(frame) for frame in cross_train.values())
    meter = Progress(planned, progress)

    rows: list[pd.DataFrame] = []
    model_card: dict[str, Any] | None = None

    def record(part: str, prompt: int, fold: int | None, train_size: int, test: pd.DataFrame,
               predicted: npt.NDArray[np.int64], human: npt.NDArray[np.int64]) -> None:
        rows.append(pd.DataFrame({"part": part, "prompt": prompt, "fold": -1 if fold is None else fold,
                                  "n_train": train_size, "essay_id": test["essay_id"].to_numpy(),
                                  "human": human, "machine": predicted}))

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
                raise AesEvaluationError(f"prompt {prompt} has no {'training' if not train_ids else 'test'} "
                                         f"essays in fold {fold}")
            train, test = indexed.loc[train_ids], indexed.loc[test_ids]
            predicted, scorer = _fit_predict(factory, embed, spec.score_points, train, train["domain1_score"],
                                             test)
            if model_card is None and hasattr(scorer, "model_card"):
                model_card = scorer.model_card()
            human = test["domain1_score"].to_numpy(dtype=np.int64)
            fold_qwks[prompt].append(qwk(human, predicted, spec.score_range))
            humans.append(human)
            machines.append(predicted)
            record("same_prompt", prompt, fold, len(train), test, predicted, human)
            meter.advance(len(train), f"prompt {prompt} fold {fold + 1}/{N_FOLDS}: QWK {fold_qwks[prompt][-1]:.3f} "
                                      f"({len(train)} training, {len(test)} test essays)")
        human_all, machine_all = np.concatenate(humans), np.concatenate(machines)
        tested = indexed.loc[[i for fold in range(N_FOLDS) for i in splits[(prompt, fold)][1]]]
        human_qwk = human_agreement(tested["rater1_domain1"], tested["rater2_domain1"])
        pooled = prompt_metrics(human_all, machine_all, spec.score_range, human_qwk)
        mean_qwk = float(np.mean(fold_qwks[prompt]))
        degradation = human_qwk - mean_qwk
        per_prompt[str(prompt)] = {
            "qwk": mean_qwk, "qwk_pooled": pooled["qwk"], "fold_qwk": fold_qwks[prompt],
            "pearson": pooled["pearson"], "smd": pooled["smd"], "exact": pooled["exact"],
            "adjacent": pooled["adjacent"], "degradation": degradation, "human_qwk": human_qwk,
            **ets_flags(mean_qwk, pooled["smd"], degradation),
            "n": len(human_all), "score_range": list(spec.score_range)}

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
                    predicted, _ = _fit_predict(factory, embed, spec.score_points, train, train["domain1_score"],
                                                test)
                    human = test["domain1_score"].to_numpy(dtype=np.int64)
                    scores.append(qwk(human, predicted, spec.score_range))
                    record("curve", prompt, fold, len(train), test, predicted, human)
                    meter.advance(len(train), f"learning curve n={n}: prompt {prompt} fold {fold + 1}/{curve_folds}: "
                                              f"QWK {scores[-1]:.3f}")
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
            labels = [to_common_scale(int(score), ASAP_PROMPTS[int(source)].score_range)
                      for score, source in zip(train["domain1_score"], train["essay_set"], strict=True)]
            common, _ = _fit_predict(cross_factory, embed, common_points, train, labels, test,
                                     [spec.description] * len(test))
            predicted = np.asarray([from_common_scale(int(point), spec.score_range) for point in common],
                                   dtype=np.int64)
            human = test["domain1_score"].to_numpy(dtype=np.int64)
            exact, adjacent = agreement(human, predicted)
            cross_per_prompt[str(prompt)] = {"qwk": qwk(human, predicted, spec.score_range),
                                             "pearson": pearson(human, predicted), "exact": exact,
                                             "adjacent": adjacent, "n_train": len(train), "n": len(test),
                                             "trained_on": sorted(int(p) for p in set(train["essay_set"]))}
            record("cross_prompt", prompt, None, len(train), test, predicted, human)
            meter.advance(len(train), f"cross-prompt: prompt {prompt} held out: "
                                      f"QWK {cross_per_prompt[str(prompt)]['qwk']:.3f}")
        mean_cross = float(np.mean([item["qwk"] for item in cross_per_prompt.values()]))
        cross = {"mean_qwk": mean_cross, "per_prompt": cross_per_prompt, "published": PUBLISHED_CROSS_PROMPT,
                 "above_cts": mean_cross > PUBLISHED_CROSS_PROMPT["CTS"],
                 "scorer": "the default factory trains without topic n-grams (as the service's cross-topic model)"
                 if cross_scorer_factory is None and scorer_factory is None else "as given",
                 "scale": f"scores rescaled to 0-{COMMON_SCALE} for training, predictions mapped back to each "
                          "prompt's own range (halves rounded up); QWK on that range"}

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
            "smd": "(mean machine - mean human) / sqrt((var machine + var human) / 2), ddof 1 (Williamson et al. "
                   "2012)",
            "degradation": "human-human QWK (rater1 vs rater2 on the same essays) - machine QWK",
            "learning_curve": f"first n of a seeded permutation (seed {seed}) of each fold's training essays, "
                              f"folds 0..{curve_folds - 1}; mean over prompts of the per-prompt mean QWK",
        },
        "settings": {"prompts": chosen, "limit": limit, "curve_folds": curve_folds, "curve_sizes": sizes,
                     "seed": seed, "essays": len(essays)},
        "model": model_card,
        "embedder": embed.model_id,
        "seconds": round(time.perf_counter() - started, 1),
    }
    predictions = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return AesEvaluation(report=_rounded(report), predictions=predictions)


def embed_only(data_dir: str | Path = DEFAULT_DATA, *, prompts: Sequence[int] | None = None,
               limit: int | None = None, cache_dir: Path | None = DEFAULT_CACHE, embedder: Embedder | None = None,
               progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fills the embedding cache with every chosen essay (and the prompt descriptions); nothing is fitted."""
    started = time.perf_counter()
    essays, _ = load_dataset(data_dir, prompts, limit)
    embed = build_embedder(embedder, cache_dir)
    count = embed_all(essays["essay"].tolist(), embed, progress=progress)
    embed.embed_queries([prompt.description for prompt in ASAP_PROMPTS.values()])
    embed.embed_passages([prompt.description for prompt in ASAP_PROMPTS.values()])
    return {"embedded": count, "embedder": embed.model_id, "cache": str(cache_dir) if cache_dir else None,
            "seconds": round(time.perf_counter() - started, 1)}


# --- output --------------------------------------------------------------------------------------------

def _cell(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _save(figure: Any, path: Path) -> str:
    """Lay out, write (PNG, 100 dpi) and close one figure; its file name."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path.name


def per_prompt_table(report: dict[str, Any]) -> list[str]:
    """Markdown rows of the same-prompt table with the mean row."""
    lines = ["| prompt | range | n | human QWK | QWK (fold mean) | QWK pooled | Pearson | exact | adjacent | SMD | "
             "degradation | QWK ≥ .70 | abs SMD ≤ .15 | degr. ≤ .10 | meets ETS |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|:-:|:-:|"]
    for prompt, row in report["per_prompt"].items():
        low, high = row["score_range"]
        lines.append(f"| {prompt} | {low}–{high} | {row['n']} | {_cell(row['human_qwk'])} | **{_cell(row['qwk'])}** | "
                     f"{_cell(row['qwk_pooled'])} | {_cell(row['pearson'])} | {_cell(row['exact'])} | "
                     f"{_cell(row['adjacent'])} | {_cell(row['smd'])} | {_cell(row['degradation'])} | "
                     f"{_cell(row['qwk_ok'])} | {_cell(row['smd_ok'])} | {_cell(row['degradation_ok'])} | "
                     f"{_cell(row['meets_ets'])} |")
    rows = list(report["per_prompt"].values())
    lines.append(f"| **mean** | | {sum(row['n'] for row in rows)} | "
                 f"{_cell(float(np.mean([row['human_qwk'] for row in rows])))} | **{_cell(report['mean_qwk'])}** | "
                 f"{_cell(float(np.mean([row['qwk_pooled'] for row in rows])))} | | | | | | | | | "
                 f"{_cell(report['all_prompts_meet_ets'])} |")
    return lines


def render_text(report: dict[str, Any]) -> str:
    """The plain-text summary the command prints without ``--json``."""
    lines = [f"{'prompt':<7}{'n':>6}{'human':>8}{'QWK':>8}{'pooled':>8}{'r':>8}{'exact':>8}{'adj':>8}{'SMD':>8}"
             f"{'degr':>8}  ETS"]
    for prompt, row in report["per_prompt"].items():
        lines.append(f"{prompt:<7}{row['n']:>6}{_cell(row['human_qwk']):>8}{_cell(row['qwk']):>8}"
                     f"{_cell(row['qwk_pooled']):>8}{_cell(row['pearson']):>8}{_cell(row['exact']):>8}"
                     f"{_cell(row['adjacent']):>8}{_cell(row['smd']):>8}{_cell(row['degradation']):>8}  "
                     f"{'meets' if row['meets_ets'] else 'misses'}")
    lines.append(f"mean QWK {report['mean_qwk']:.3f} (published: NPCR 0.817, R2BERT 0.794, multi-scale BERT 0.791)")
    if report["learning_curve"]:
        lines.append("learning curve: " + ", ".join(f"{n}: {value:.3f}" for n, value in
                                                    report["learning_curve"].items()))
    if report["cross_prompt"]:
        lines.append(f"cross-prompt mean QWK {report['cross_prompt']['mean_qwk']:.3f} (PAES 0.657, CTS 0.670): "
                     + ", ".join(f"{prompt}: {row['qwk']:.3f}"
                                 for prompt, row in report["cross_prompt"]["per_prompt"].items()))
    return "\n".join(lines)


def _plots(evaluation: AesEvaluation, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = evaluation.report
    written = []
    prompts = list(report["per_prompt"])
    x = np.arange(len(prompts))

    figure, axes = plt.subplots(figsize=(8, 4))
    axes.bar(x - 0.2, [report["per_prompt"][p]["qwk"] for p in prompts], 0.4, label="machine–human QWK")
    axes.bar(x + 0.2, [report["per_prompt"][p]["human_qwk"] for p in prompts], 0.4, label="human–human QWK",
             color="tab:gray")
    axes.axhline(QWK_MIN, color="tab:red", linestyle="--", label=f"ETS threshold {QWK_MIN:.2f}")
    axes.set(xticks=x, xticklabels=prompts, xlabel="ASAP prompt", ylabel="QWK", ylim=(0, 1),
             title=f"Same-prompt QWK (mean {report['mean_qwk']:.3f})")
    axes.legend(loc="lower right")
    written.append(_save(figure, folder / "aes-per-prompt-qwk.png"))

    if report["learning_curve"]:
        curve = report["learning_curve"]
        sizes = [size for size in curve if size != "all"]
        figure, axes = plt.subplots(figsize=(6, 4))
        axes.plot([int(size) for size in sizes], [curve[size] for size in sizes], marker="o", label="n essays")
        axes.axhline(curve["all"], color="tab:green", linestyle=":", label=f"all training essays ({curve['all']:.3f})")
        axes.axhline(QWK_MIN, color="tab:red", linestyle="--", label=f"ETS threshold {QWK_MIN:.2f}")
        axes.set(xscale="log", xlabel="training essays per prompt", ylabel="mean QWK over prompts", ylim=(0, 1),
                 title="Learning curve")
        axes.set_xticks([int(size) for size in sizes], labels=sizes)
        axes.legend(loc="lower right")
        written.append(_save(figure, folder / "aes-learning-curve.png"))

    if report["cross_prompt"]:
        cross = report["cross_prompt"]
        held = list(cross["per_prompt"])
        figure, axes = plt.subplots(figsize=(8, 4))
        axes.bar(np.arange(len(held)), [cross["per_prompt"][p]["qwk"] for p in held], 0.6,
                 label=f"ours (mean {cross['mean_qwk']:.3f})")
        for (name, value), style in zip(PUBLISHED_CROSS_PROMPT.items(), (":", "--"), strict=True):
            axes.axhline(value, color="tab:orange" if name == "PAES" else "tab:purple", linestyle=style,
                         label=f"{name} mean {value:.3f}")
        axes.set(xticks=np.arange(len(held)), xticklabels=held, xlabel="held-out prompt", ylabel="QWK", ylim=(0, 1),
                 title="Cross-prompt (leave one prompt out)")
        axes.legend(loc="lower right")
        written.append(_save(figure, folder / "aes-cross-prompt.png"))

    same = evaluation.predictions
    if not same.empty:
        same = same[same["part"] == "same_prompt"]
        columns = min(4, len(prompts))
        grid_rows = math.ceil(len(prompts) / columns)
        figure, axes_grid = plt.subplots(grid_rows, columns, figsize=(4 * columns, 3.8 * grid_rows), squeeze=False)
        for index, prompt in enumerate(prompts):
            axes = axes_grid[index // columns][index % columns]
            low, high = ASAP_PROMPTS[int(prompt)].score_range
            rows = same[same["prompt"] == int(prompt)]
            size = high - low + 1
            matrix = np.zeros((size, size), dtype=np.int64)
            np.add.at(matrix, (rows["human"].to_numpy() - low, rows["machine"].to_numpy() - low), 1)
            shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
            axes.imshow(shares, cmap="Blues", vmin=0, vmax=1, origin="lower",
                        extent=(low - 0.5, high + 0.5, low - 0.5, high + 0.5))
            if size <= 13:
                for h in range(size):
                    for m in range(size):
                        if matrix[h, m]:
                            axes.text(low + m, low + h, str(matrix[h, m]), ha="center", va="center", fontsize=7,
                                      color="white" if shares[h, m] > 0.5 else "black")
            axes.set(title=f"prompt {prompt}", xlabel="machine", ylabel="human")
        for index in range(len(prompts), grid_rows * columns):
            axes_grid[index // columns][index % columns].axis("off")
        figure.suptitle("Pooled test folds: counts, shaded by share of each human score")
        written.append(_save(figure, folder / "aes-confusion.png"))
    return written


def write_report(evaluation: AesEvaluation, folder: str | Path) -> Path:
    """``folder/aes-report.md`` with the tables and its PNG plots beside it; also the predictions as CSV."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    report = evaluation.report
    plots = _plots(evaluation, out)
    if not evaluation.predictions.empty:
        evaluation.predictions.to_csv(out / "aes-predictions.csv", index=False)
    settings = report["settings"]
    lines = ["# Essay scorer on ASAP-AES", "",
             f"Prompts {', '.join(str(p) for p in settings['prompts'])}; {settings['essays']} essays"
             + (f" (first {settings['limit']} per prompt: a quick run, not comparable with published figures)"
                if settings["limit"] else "") + f"; {report['seconds']} s. Embedder `{report['embedder']}`.", ""]
    if report.get("model"):
        lines += [f"Model: `{report['model'].get('name')}` {report['model'].get('version', '')}", ""]
    lines += ["## Same prompt (5 folds of Taghipour & Ng 2016)", "",
              "Each prompt its own model, fitted on the fold's train + dev essays (the scorer tunes itself by "
              "internal cross-validation) and scored on its test essays. QWK is the mean of the 5 fold QWKs; the "
              "other figures are on the 5 test folds pooled. SMD = (mean machine − mean human) / "
              "sqrt((var machine + var human) / 2); degradation = human–human QWK − QWK. Thresholds (Williamson "
              "et al. 2012): QWK ≥ 0.70, |SMD| ≤ 0.15, degradation ≤ 0.10.", "",
              *per_prompt_table(report), "",
              "Published mean QWK on these folds: "
              + ", ".join(f"{name} {value:.3f}" for name, value in PUBLISHED_SAME_PROMPT.items()) + ".", "",
              "![per-prompt QWK](aes-per-prompt-qwk.png)", ""]
    if report["learning_curve"]:
        detail = report["learning_curve_per_prompt"]
        header = "| training essays | mean QWK | " + " | ".join(f"prompt {p}" for p in report["per_prompt"]) + " |"
        lines += ["## Learning curve", "",
                  f"Each prompt's model trained on the first n essays of a seeded permutation of each fold's training "
                  f"essays (folds 0..{settings['curve_folds'] - 1}): what a new topic can expect.", "", header,
                  "|---|---:|" + "---:|" * len(report["per_prompt"])]
        for size, value in report["learning_curve"].items():
            lines.append(f"| {size} | **{_cell(value)}** | "
                         + " | ".join(_cell(detail[size].get(p)) for p in report["per_prompt"]) + " |")
        lines += ["", "![learning curve](aes-learning-curve.png)", ""]
    if report["cross_prompt"]:
        cross = report["cross_prompt"]
        lines += ["## Cross prompt (leave one prompt out)", "",
                  f"One model trained on the other prompts, {cross['scale']}. Published: PAES 0.657, CTS 0.670.", "",
                  "| held-out prompt | trained on | training essays | test essays | QWK | Pearson | exact | adjacent |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for prompt, row in cross["per_prompt"].items():
            lines.append(f"| {prompt} | {', '.join(str(p) for p in row['trained_on'])} | {row['n_train']} | "
                         f"{row['n']} | {_cell(row['qwk'])} | {_cell(row['pearson'])} | {_cell(row['exact'])} | "
                         f"{_cell(row['adjacent'])} |")
        lines += [f"| **mean** | | | | **{_cell(cross['mean_qwk'])}** | | | |", "",
                  f"Above CTS (0.670): {_cell(cross['above_cts'])}.", "",
                  "![cross-prompt QWK](aes-cross-prompt.png)", ""]
    if "aes-confusion.png" in plots:
        lines += ["## Confusion (same prompt, pooled test folds)", "", "![confusion matrices](aes-confusion.png)", ""]
    path = out / "aes-report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
