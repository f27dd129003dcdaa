"""The figures of the ASAP tables: QWK, Pearson, SMD, agreement, degradation and the ETS flags; the common scale."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import pearsonr

from ml.essay_scoring.metrics import quadratic_kappa

COMMON_SCALE = 10
"""Cross-prompt: every prompt's score is rescaled to 0..COMMON_SCALE."""

QWK_MIN = 0.70
SMD_MAX = 0.15
DEGRADATION_MAX = 0.10
PUBLISHED_SAME_PROMPT = {"NPCR": 0.817, "R2BERT": 0.794, "multi-scale BERT": 0.791, "SkipFlow": 0.764}
PUBLISHED_CROSS_PROMPT = {"PAES": 0.657, "CTS": 0.670}


def qwk(
    human: Sequence[int] | npt.ArrayLike,
    machine: Sequence[int] | npt.ArrayLike,
    score_range: tuple[int, int] | None = None,
) -> float:
    """Quadratic weighted kappa over every point of ``score_range`` (default: min..max of both series)."""
    human_array, machine_array = np.asarray(human, dtype=np.int64), np.asarray(machine, dtype=np.int64)
    if score_range is None:
        score_range = (
            int(min(human_array.min(), machine_array.min())),
            int(max(human_array.max(), machine_array.max())),
        )
    return quadratic_kappa(human_array, machine_array, labels=range(score_range[0], score_range[1] + 1))


def pearson(human: npt.ArrayLike, machine: npt.ArrayLike) -> float | None:
    """Pearson r (``scipy.stats.pearsonr``); ``None`` when either series is constant (r undefined)."""
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
    flags = {
        "qwk_ok": machine_qwk >= QWK_MIN,
        "smd_ok": standardized_difference is not None and abs(standardized_difference) <= SMD_MAX,
        "degradation_ok": degradation <= DEGRADATION_MAX,
    }
    return {**flags, "meets_ets": all(flags.values())}


def prompt_metrics(
    human: npt.ArrayLike, machine: npt.ArrayLike, score_range: tuple[int, int], human_qwk: float
) -> dict[str, Any]:
    """Every figure of one prompt's table row from the pooled predictions (``qwk`` here is pooled)."""
    machine_qwk = qwk(human, machine, score_range)
    exact, adjacent = agreement(human, machine)
    difference = smd(human, machine)
    degradation = human_qwk - machine_qwk
    return {
        "qwk": machine_qwk,
        "pearson": pearson(human, machine),
        "smd": difference,
        "exact": exact,
        "adjacent": adjacent,
        "degradation": degradation,
        "human_qwk": human_qwk,
        **ets_flags(machine_qwk, difference, degradation),
    }


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
