"""The ASAP data: the essays, the 5-fold split of Taghipour & Ng 2016, the prompts and the choice of essays."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

ESSAYS_FILE = "asap_training_set_rel3.tsv.gz"
FOLDS_FILE = "asap_nea_folds.tsv"
DEFAULT_DATA = Path("../shared/data/essays")
N_FOLDS = 5


class AsapPrompt(NamedTuple):
    score_range: tuple[int, int]
    description: str

    @property
    def score_points(self) -> tuple[int, ...]:
        low, high = self.score_range
        return tuple(range(low, high + 1))


ASAP_PROMPTS: dict[int, AsapPrompt] = {
    1: AsapPrompt(
        (2, 12),
        "Write a letter to your local newspaper that persuades readers of your opinion on the "
        "effects computers have on people.",
    ),
    2: AsapPrompt(
        (1, 6),
        "Write a persuasive essay for a newspaper on censorship in libraries: should offensive "
        "books, music, movies or magazines be removed from the shelves?",
    ),
    3: AsapPrompt(
        (0, 3), 'Explain how the features of the setting affect the cyclist in the story "Rough Road Ahead".'
    ),
    4: AsapPrompt(
        (0, 3),
        'Explain why the author ends the story "Winter Hibiscus" with the paragraph about the '
        "hibiscus and retaking the test in the spring.",
    ),
    5: AsapPrompt((0, 4), 'Describe the mood the author creates in the memoir "Narciso Rodriguez" and how.'),
    6: AsapPrompt(
        (0, 4),
        "Describe the obstacles the builders of the Empire State Building faced in letting "
        'dirigibles dock there, from the excerpt "The Mooring Mast".',
    ),
    7: AsapPrompt((0, 30), "Write a story about a time when you were patient, or when someone you know was patient."),
    8: AsapPrompt((0, 60), "Tell a true story in which laughter was one element."),
}
"""ASAP prompt -> (range of ``domain1_score``, a short description written for this project)."""

ESSAY_COLUMNS = ("essay_id", "essay_set", "essay", "rater1_domain1", "rater2_domain1", "domain1_score")
FOLD_COLUMNS = ("essay_id", *(f"fold_{k}" for k in range(N_FOLDS)))
FOLD_ROLES = frozenset({"train", "dev", "test"})


class AesEvaluationError(ValueError):
    """The data is missing, unreadable or not ASAP as described (the CLI exits 2 with the message)."""


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
            raise AesEvaluationError(
                f"{path}: {column} of data row {row + 1} is not an integer: {frame[column].iloc[row]!r}"
            )
        frame[column] = values.astype(np.int64)
    if frame["essay_id"].duplicated().any():
        raise AesEvaluationError(
            f"{path}: essay_id {int(frame['essay_id'][frame['essay_id'].duplicated()].iloc[0])} appears twice"
        )
    unknown = sorted(set(frame["essay_set"]) - set(ASAP_PROMPTS))
    if unknown:
        raise AesEvaluationError(f"{path}: essay_set {unknown[0]} is not an ASAP prompt (1-8)")
    for prompt, rows in frame.groupby("essay_set"):
        low, high = ASAP_PROMPTS[int(prompt)].score_range
        out = rows[(rows["domain1_score"] < low) | (rows["domain1_score"] > high)]
        if len(out):
            raise AesEvaluationError(
                f"{path}: essay {int(out['essay_id'].iloc[0])} of prompt {prompt} has "
                f"domain1_score {int(out['domain1_score'].iloc[0])} outside {low}-{high}"
            )
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


def load_dataset(
    data_dir: str | Path, prompts: Sequence[int] | None = None, limit: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
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
