"""Stage and model figures equal the reference libraries (Fairlearn, SciPy, statsmodels) on the same data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from fairlearn.metrics import MetricFrame, demographic_parity_difference, demographic_parity_ratio, selection_rate
from scipy.stats import fisher_exact
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.proportion import proportions_ztest

from app.research.figures import model_figures, stage_figures


def _stage(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = np.repeat(["a", "b", "c", "tiny"], [400, 300, 250, 15])  # tiny: 15 of 965 = 1.6 %
    rate = {"a": 0.55, "b": 0.40, "c": 0.30, "tiny": 0.5}
    selected = np.array([rng.random() < rate[g] for g in groups])
    return pd.DataFrame({"g": groups, "selected": selected, "score": rng.normal(60, 12, len(groups)).round(1)})


def test_the_unknown_group_is_counted_but_never_in_a_ratio() -> None:
    frame = _stage()
    frame.loc[frame["g"] == "c", "g"] = "unknown"
    result = stage_figures(frame, "g", min_cell=0)
    unknown = _row(result, "unknown")
    assert unknown["n"] == 250 and unknown["in_ratios"] is False and unknown["impact_ratio"] is None
    assert result["n"] == 965 and result["reference"] == "a"


def _row(result: dict[str, Any], value: str) -> dict[str, Any]:
    return next(row for row in result["groups"] if row["group"] == value)


def test_rates_ratios_and_parity_equal_fairlearn_on_the_groups_in_the_ratios() -> None:
    frame = _stage()
    result = stage_figures(frame, "g", min_cell=0)
    frame_rates = MetricFrame(
        metrics=selection_rate, y_true=frame["selected"], y_pred=frame["selected"], sensitive_features=frame["g"]
    ).by_group
    for value in ("a", "b", "c", "tiny"):
        assert _row(result, value)["rate"] == pytest.approx(frame_rates[value], abs=1e-6)
    included = frame[frame["g"] != "tiny"]
    assert result["excluded_under_min_share"] == ["tiny"]
    assert _row(result, "tiny")["in_ratios"] is False and _row(result, "tiny")["impact_ratio"] is None
    assert result["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(included["selected"], included["selected"], sensitive_features=included["g"]), abs=1e-6
    )
    assert result["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(included["selected"], included["selected"], sensitive_features=included["g"]),
        abs=1e-6,
    )
    best = max(frame_rates[v] for v in ("a", "b", "c"))
    assert result["reference"] == "a"
    for value in ("a", "b", "c"):
        ratio = frame_rates[value] / best
        assert _row(result, value)["impact_ratio"] == pytest.approx(ratio, abs=1e-6)
        assert _row(result, value)["four_fifths_flag"] is bool(ratio < 0.8)
    # the smallest ratio is Fairlearn's demographic-parity ratio
    assert min(_row(result, v)["impact_ratio"] for v in ("a", "b", "c")) == pytest.approx(
        result["demographic_parity_ratio"], abs=1e-6
    )
    assert result["adverse_impact_flag"] is True


def test_tests_against_the_highest_group_equal_scipy_and_statsmodels() -> None:
    frame = _stage()
    result = stage_figures(frame, "g", min_cell=0)
    ref = frame[frame["g"] == "a"]["selected"]
    for value in ("b", "c"):
        other = frame[frame["g"] == value]["selected"]
        table = [[int(other.sum()), int((~other).sum())], [int(ref.sum()), int((~ref).sum())]]
        assert _row(result, value)["fisher_p"] == pytest.approx(fisher_exact(table)[1], rel=1e-5)
        z, p = proportions_ztest([other.sum(), ref.sum()], [len(other), len(ref)])
        assert _row(result, value)["z"] == pytest.approx(z, rel=1e-5)
        assert _row(result, value)["z_p"] == pytest.approx(p, rel=1e-5, abs=1e-12)


def test_wilson_interval_matches_the_formula_and_bootstrap_brackets_the_rate() -> None:
    frame = _stage()
    result = stage_figures(frame, "g", min_cell=0)
    for value in ("a", "b", "c"):
        row = _row(result, value)
        n, p, z = row["n"], row["selected"] / row["n"], 1.959963984540054
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert row["wilson"] == pytest.approx([centre - half, centre + half], abs=1e-6)
        low, high = row["bootstrap"]
        assert low < p < high and high - low == pytest.approx(2 * 1.96 * math.sqrt(p * (1 - p) / n), rel=0.15)


def test_scoring_rate_is_the_share_above_the_whole_sample_median() -> None:
    frame = _stage()
    result = stage_figures(frame, "g", min_cell=0)
    median = frame["score"].median()
    assert result["median_score"] == pytest.approx(median)
    shares = {v: float((frame[frame["g"] == v]["score"] > median).mean()) for v in ("a", "b", "c")}
    best = max(shares.values())
    for value, share in shares.items():
        assert _row(result, value)["scoring_rate"] == pytest.approx(share, abs=1e-6)
        assert _row(result, value)["scoring_impact_ratio"] == pytest.approx(share / best, abs=1e-6)


def _essays(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = np.repeat(["kk", "ru", "x"], [120, 90, 40])
    human = rng.integers(1, 6, len(groups))
    shift = np.where(groups == "ru", 1, 0)
    machine = np.clip(human + rng.integers(-1, 2, len(groups)) + (rng.random(len(groups)) < 0.3) * shift, 1, 5)
    return pd.DataFrame({"human": human, "machine": machine, "language": groups})


def test_model_figures_equal_sklearn_kappa_and_the_smd_formula() -> None:
    frame = _essays()
    result = model_figures(frame, "language", min_cell=0, points=[1, 2, 3, 4, 5])
    for value in ("kk", "ru", "x"):
        part = frame[frame["language"] == value]
        row = _row(result, value)
        assert row["qwk"] == pytest.approx(
            cohen_kappa_score(part["human"], part["machine"], weights="quadratic", labels=[1, 2, 3, 4, 5]), abs=1e-6
        )
        assert row["exact"] == pytest.approx((part["human"] == part["machine"]).mean(), abs=1e-6)
        pooled = math.sqrt((part["machine"].var(ddof=1) + part["human"].var(ddof=1)) / 2)
        expected = (part["machine"].mean() - part["human"].mean()) / pooled
        assert row["smd"] == pytest.approx(expected, abs=1e-6)
        assert row["smd_flag"] is bool(abs(expected) > 0.10)


def test_osa_osd_csd_equal_an_independent_ols_fit() -> None:
    frame = _essays()
    result = model_figures(frame, "language", min_cell=0)["fairness"]
    error = (frame["machine"] - frame["human"]).astype(float)
    dummies = pd.DataFrame(
        {"ru": (frame["language"] == "ru").astype(float), "x": (frame["language"] == "x").astype(float)}
    )  # kk, the largest group, is reference
    design = sm.add_constant(dummies)
    for key, target, extra in (
        ("osa", error**2, None),
        ("osd", error, None),
        ("csd", error, frame["human"].astype(float)),
    ):
        x = design if extra is None else design.assign(human=extra)
        fit = sm.OLS(target, x).fit()
        block = result[key]
        assert block["reference"] == "kk"
        for level in ("ru", "x"):
            assert block["coefficients"][level]["estimate"] == pytest.approx(fit.params[level], abs=1e-6)
            assert block["coefficients"][level]["interval"] == pytest.approx(list(fit.conf_int().loc[level]), abs=1e-6)
        if key == "csd":
            null = sm.OLS(target, sm.add_constant(frame["human"].astype(float))).fit()
            assert block["r2_gain"] == pytest.approx(fit.rsquared - null.rsquared, abs=1e-6)
            assert block["p"] == pytest.approx(fit.compare_f_test(null)[1], abs=1e-6)
        else:
            assert block["r2"] == pytest.approx(fit.rsquared, abs=1e-6)
            assert block["p"] == pytest.approx(fit.f_pvalue, abs=1e-6)
