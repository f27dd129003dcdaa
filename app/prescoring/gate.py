"""The validity gate of essay suggestions: a trained model suggests only while its cross-validated figures
meet the ETS thresholds (Williamson, Xi & Breyer 2012): QWK ≥ 0.70, |SMD| ≤ 0.15, and |SMD| ≤ 0.10 in
every group (essay language) with at least a set number of essays. Otherwise the model is *held back*:
no suggestion, and the member reads why in Kazakh and Russian.

The figures are computed once, at training, from the scorer's out-of-fold predictions and stored in
the registry's ``metrics["validity"]``; a model without them (trained before the gate) is held back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from app.settings import Settings
from ml.essay_scoring.metrics import quadratic_kappa
from ml.essay_scoring.metrics import standardized_mean_difference as smd

REASON_HELD_BACK: Final = "model_held_back"


@dataclass(frozen=True)
class GateThresholds:
    min_qwk: float = 0.70
    max_smd: float = 0.15
    max_group_smd: float = 0.10
    min_group_essays: int = 20

    @classmethod
    def of(cls, settings: Settings) -> GateThresholds:
        return cls(
            min_qwk=settings.essay_gate_min_qwk,
            max_smd=settings.essay_gate_max_smd,
            max_group_smd=settings.essay_gate_max_group_smd,
            min_group_essays=settings.essay_gate_min_group_essays,
        )


def validity_figures(
    human: Sequence[int],
    machine: Sequence[int],
    groups: Mapping[str, Sequence[str]],
    points: Sequence[int] | None = None,
) -> dict[str, Any]:
    """QWK, SMD and per-group SMD of cross-validated predictions ``machine`` against the final scores."""
    truth, guess = np.asarray(human), np.asarray(machine)
    figures: dict[str, Any] = {
        "n": len(truth),
        "qwk": round(quadratic_kappa(truth, guess, points), 4),
        "smd": _round(smd(truth, guess)),
        "groups": {},
    }
    for name, labels in groups.items():
        values = np.asarray(labels)
        figures["groups"][name] = {
            str(value): {
                "n": int((values == value).sum()),
                "smd": _round(smd(truth[values == value], guess[values == value])),
            }
            for value in sorted(set(values.tolist()))
        }
    return figures


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Verdict:
    usable: bool
    failures: tuple[str, ...]
    qwk: float | None
    n: int | None

    def public(self) -> dict[str, Any]:
        return {"held_back": not self.usable, "failures": list(self.failures), "qwk": self.qwk, "n": self.n}


def verdict(metrics: Mapping[str, Any], thresholds: GateThresholds) -> Verdict:
    """Whether a model with these registry ``metrics`` may suggest, and which thresholds it misses."""
    figures = metrics.get("validity")
    if not isinstance(figures, Mapping):
        qwk = metrics.get("cv_qwk")
        return Verdict(False, ("no_validity_figures",), None if qwk is None else float(qwk), metrics.get("n"))
    failures = []
    qwk, overall = figures.get("qwk"), figures.get("smd")
    if qwk is None or qwk < thresholds.min_qwk:
        failures.append("qwk")
    if overall is None or abs(overall) > thresholds.max_smd:
        failures.append("smd")
    for name, values in (figures.get("groups") or {}).items():
        for value, row in values.items():
            if row["n"] >= thresholds.min_group_essays and (
                row["smd"] is None or abs(row["smd"]) > thresholds.max_group_smd
            ):
                failures.append(f"group_smd:{name}={value}")
    return Verdict(not failures, tuple(failures), qwk, figures.get("n"))


def choose_model(candidates: Sequence[Any], thresholds: GateThresholds) -> tuple[Any, dict[str, Any] | None]:
    """The first model of ``candidates`` (topic, then cross-topic; ``None`` for none) that passes the gate, and,
    when none passes but one exists, the card of the first held back (its id, scope and figures)."""
    held_back = None
    for model in candidates:
        if model is None:
            continue
        found = verdict(model.metrics or {}, thresholds)
        if found.usable:
            return model, None
        if held_back is None:
            held_back = {
                "essay_model_id": model.id,
                "scope": model.scope,
                "name": model.name,
                "version": model.version,
                "params_sha256": model.params_sha256,
                **found.public(),
            }
    return None, held_back


HELD_BACK_TEXT: Final[dict[str, str]] = {
    "kk": "Бұл тақырыптың моделі әлі жеткілікті дәл емес: {n} эсседе QWK {qwk}. Алдын ала баға берілмейді.",
    "ru": "Модель для этой темы пока недостаточно точна: QWK {qwk} на {n} эссе. Предварительной оценки нет.",
}


def held_back_message(facts: Mapping[str, Any]) -> dict[str, str]:
    """The kk/ru sentence shown instead of a suggestion, with the model's own figures."""
    qwk = facts.get("qwk")
    shown = "–" if qwk is None else f"{float(qwk):.2f}"
    n = facts.get("n")
    return {locale: text.format(qwk=shown, n="–" if n is None else n) for locale, text in HELD_BACK_TEXT.items()}
