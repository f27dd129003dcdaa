"""Agreement between human and machine scores: the one quadratic weighted kappa of the scorer and its evaluation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def quadratic_kappa(human: npt.ArrayLike, machine: npt.ArrayLike, labels: Sequence[int] | None = None) -> float:
    """Quadratic weighted kappa (scikit-learn's) over ``labels`` (default: the values seen in either series).

    Kappa is undefined for one label or two constant series: those score 1.0 when the series are
    equal, else 0.0.
    """
    human_array, machine_array = np.asarray(human), np.asarray(machine)
    if (labels is not None and len(labels) < 2) or (
        len(np.unique(human_array)) < 2 and len(np.unique(machine_array)) < 2
    ):
        return 1.0 if np.array_equal(human_array, machine_array) else 0.0
    # scikit-learn is imported where a kappa is computed, not at import: the service imports this module
    # (the pre-scoring gate) at start-up, and scikit-learn alone costs a worker about a second of CPU there.
    from sklearn.metrics import cohen_kappa_score  # noqa: PLC0415  scikit-learn loads in about a second; only a fit or an evaluation needs it

    return float(
        cohen_kappa_score(
            human_array, machine_array, labels=None if labels is None else list(labels), weights="quadratic"
        )
    )


def standardized_mean_difference(human: npt.ArrayLike, machine: npt.ArrayLike) -> float | None:
    """(mean machine − mean human) / sqrt((var machine + var human) / 2), sample variances (Williamson, Xi &
    Breyer 2012); ``None`` under two essays or when the scores vary nowhere but their means differ."""
    a, b = np.asarray(human, dtype=np.float64), np.asarray(machine, dtype=np.float64)
    if len(a) < 2:
        return None
    pooled = float(np.sqrt((np.var(b, ddof=1) + np.var(a, ddof=1)) / 2))
    difference = float(b.mean() - a.mean())
    if pooled == 0:
        return 0.0 if difference == 0 else None
    return difference / pooled
