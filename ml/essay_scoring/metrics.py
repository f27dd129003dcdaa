"""Agreement between human and machine scores: the one quadratic weighted kappa of the scorer and its evaluation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.metrics import cohen_kappa_score


def quadratic_kappa(human: npt.ArrayLike, machine: npt.ArrayLike, labels: Sequence[int] | None = None) -> float:
    """Quadratic weighted kappa (scikit-learn's) over ``labels`` (default: the values seen in either series).

    Kappa is undefined for one label or two constant series: those score 1.0 when the series are
    equal, else 0.0.
    """
    human_array, machine_array = np.asarray(human), np.asarray(machine)
    if (labels is not None and len(labels) < 2) \
            or (len(np.unique(human_array)) < 2 and len(np.unique(machine_array)) < 2):
        return 1.0 if np.array_equal(human_array, machine_array) else 0.0
    return float(cohen_kappa_score(human_array, machine_array, labels=None if labels is None else list(labels),
                                   weights="quadratic"))
