"""Group figures of one selection stage and of the essay pre-scoring model: pure functions on pandas data.

Stage figures follow the US Uniform Guidelines (selection rate, impact ratio to the highest group,
the four-fifths flag) and New York City's Local Law 144 (the *scoring rate*: the share of a group
above the whole sample's median, for scored stages; groups under 2 % of the sample are counted and
listed but left out of the ratios). Each rate carries a 95 % Wilson interval (statsmodels) and a
percentile bootstrap interval; each group is compared with the highest group by Fisher's exact test
(SciPy) and the two-proportion z-test (statsmodels); the demographic-parity summary is Fairlearn's.

Model figures follow RSMTool's subgroup evaluation on the commission's final scores: QWK, exact
agreement, the standardized mean difference machine vs human (flag beyond ±0.10 per group, ±0.15
overall) and the fairness regressions OSA (squared error ~ group), OSD (error ~ group) and CSD
(error ~ group + human score) fitted by statsmodels OLS with intervals.

Every published row passes ``app.research.privacy.suppress`` first: a hidden row shows no figure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from fairlearn.metrics import MetricFrame, selection_rate
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from app.research.groups import UNKNOWN
from app.research.privacy import suppress
from app.research.thresholds import FOUR_FIFTHS
from ml.essay_scoring.metrics import quadratic_kappa
from ml.essay_scoring.metrics import standardized_mean_difference as smd

MIN_SHARE: Final = 0.02
"""Groups under this share of the sample are listed but left out of the ratios (Local Law 144 rules)."""
CONFIDENCE: Final = 0.95
BOOTSTRAP_DRAWS: Final = 2000
GROUP_SMD_MAX: Final = 0.10
OVERALL_SMD_MAX: Final = 0.15
QWK_MIN: Final = 0.70


def wilson(selected: npt.ArrayLike, n: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score intervals of ``selected / n`` (statsmodels ``proportion_confint``)."""
    low, high = proportion_confint(np.asarray(selected), np.asarray(n), alpha=1 - CONFIDENCE, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def bootstrap(
    selected: npt.ArrayLike, n: npt.ArrayLike, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap intervals of each rate. Resampling n pass/fail outcomes with replacement gives a
    Binomial(n, rate) count, so the draws are taken from that distribution directly."""
    counts, sizes = np.asarray(selected, dtype=np.int64), np.asarray(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    rates = counts / np.maximum(sizes, 1)
    sample = rng.binomial(sizes[:, None], rates[:, None], size=(len(sizes), draws)) / np.maximum(sizes, 1)[:, None]
    tail = (1 - CONFIDENCE) / 2 * 100
    return np.percentile(sample, tail, axis=1), np.percentile(sample, 100 - tail, axis=1)


def compare(selected: int, n: int, reference_selected: int, reference_n: int) -> dict[str, float | None]:
    """Fisher's exact test and the two-proportion z-test of a group against the reference group."""
    _odds, fisher_p = fisher_exact([[selected, n - selected], [reference_selected, reference_n - reference_selected]])
    pooled = (selected + reference_selected) / (n + reference_n)
    if pooled in (0.0, 1.0):
        return {"fisher_p": float(fisher_p), "z": None, "z_p": None}
    z, z_p = proportions_ztest([selected, reference_selected], [n, reference_n])
    return {"fisher_p": float(fisher_p), "z": float(z), "z_p": float(z_p)}


def _round(value: Any) -> Any:
    """Six significant digits (a p-value of 1e-10 stays one); ``None`` for a missing or undefined number."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else float(f"{number:.6g}")


def stage_figures(
    frame: pd.DataFrame,
    group: str,
    *,
    min_cell: int,
    intersection: bool = False,
    min_share: float = MIN_SHARE,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    hidden_earlier: Sequence[str] = (),
) -> dict[str, Any]:
    """Figures of one stage split by ``frame[group]``.

    ``frame`` has a boolean ``selected`` column (went on from the stage), optionally a numeric ``score``
    (scored stages: the Local Law 144 scoring rate), and the group column.
    """
    selected = frame["selected"].astype(bool)
    labels = frame[group].astype(str)
    scored = "score" in frame.columns and bool(frame["score"].notna().any())
    table = pd.DataFrame({"n": labels.value_counts(sort=False)})
    table["selected"] = selected.groupby(labels).sum().reindex(table.index).astype(int)
    counts: dict[str, list[int]] = {}
    median = None
    if scored:
        score = frame["score"].astype(float)
        median = float(score.median())
        above = (score > median) & score.notna()
        table["scored"] = score.notna().groupby(labels).sum().reindex(table.index).astype(int)
        table["above"] = above.groupby(labels).sum().reindex(table.index).astype(int)
    table = table.sort_index()
    for value, row in table.iterrows():
        cells = [int(row["n"]), int(row["selected"]), int(row["n"] - row["selected"])]
        if scored:
            cells += [int(row["above"]), int(row["scored"] - row["above"])]
        counts[str(value)] = cells
    hidden = suppress(counts, min_cell=min_cell, intersection=intersection, earlier=hidden_earlier)
    total = int(table["n"].sum())
    table["share"] = table["n"] / total
    table["rate"] = table["selected"] / table["n"]
    low, high = wilson(table["selected"], table["n"])
    boot_low, boot_high = bootstrap(table["selected"].to_numpy(), table["n"].to_numpy(), draws=draws, seed=seed)
    table["wilson_low"], table["wilson_high"] = low, high
    table["bootstrap_low"], table["bootstrap_high"] = boot_low, boot_high
    # Local Law 144: groups under 2 % and the unknown category are counted and listed, never in a ratio
    table["included"] = (table["share"] >= min_share) & (table.index.astype(str) != UNKNOWN)
    published = [str(v) for v in table.index if hidden.shows(str(v))]
    comparable = table.loc[[v for v in table.index if str(v) in published and table.at[v, "included"]]]
    reference = None if comparable.empty else str(comparable["rate"].idxmax())
    score_reference = None
    if scored:
        with np.errstate(divide="ignore", invalid="ignore"):
            table["scoring_rate"] = table["above"] / table["scored"]
        scoring = table.loc[comparable.index, "scoring_rate"].dropna()
        score_reference = None if scoring.empty else str(scoring.idxmax())
    rows: list[dict[str, Any]] = []
    for value, row in table.iterrows():
        key = str(value)
        if not hidden.shows(key):
            rows.append({"group": key, "suppressed": hidden.hidden[key]})
            continue
        item: dict[str, Any] = {
            "group": key,
            "n": int(row["n"]),
            "share": _round(row["share"]),
            "selected": int(row["selected"]),
            "rate": _round(row["rate"]),
            "wilson": [_round(row["wilson_low"]), _round(row["wilson_high"])],
            "bootstrap": [_round(row["bootstrap_low"]), _round(row["bootstrap_high"])],
            "in_ratios": bool(row["included"]),
            "impact_ratio": None,
            "four_fifths_flag": None,
            "fisher_p": None,
            "z": None,
            "z_p": None,
        }
        if row["included"] and reference is not None:
            best = table.loc[reference]
            ratio = row["rate"] / best["rate"] if best["rate"] > 0 else None
            item["impact_ratio"] = _round(ratio)
            item["four_fifths_flag"] = ratio is not None and bool(ratio < FOUR_FIFTHS)
            if key != reference:
                tests = compare(int(row["selected"]), int(row["n"]), int(best["selected"]), int(best["n"]))
                item.update({name: _round(found) for name, found in tests.items()})
        if scored:
            item["scored"] = int(row["scored"])
            item["scoring_rate"] = _round(row["scoring_rate"])
            item["scoring_impact_ratio"] = None
            if row["included"] and score_reference is not None:
                best_rate = float(table.at[score_reference, "scoring_rate"])
                ratio = row["scoring_rate"] / best_rate if best_rate > 0 else None
                item["scoring_impact_ratio"] = _round(ratio)
                item["scoring_four_fifths_flag"] = ratio is not None and bool(ratio < FOUR_FIFTHS)
        rows.append(item)
    result: dict[str, Any] = {
        "group": group,
        "groups": rows,
        "reference": reference,
        "excluded_under_min_share": [str(v) for v in table.index if table.at[v, "share"] < min_share],
        "suppressed": dict(hidden.hidden),
    }
    if hidden.total_hidden:
        result.update({"n": None, "selected": None, "rate": None, "total_suppressed": True})
    else:
        result.update(
            {"n": total, "selected": int(table["selected"].sum()), "rate": _round(table["selected"].sum() / total)}
        )
    if len(comparable) >= 2:
        # Fairlearn on the counts: each group as one selected and one not-selected row weighted by its count
        # (the weighted selection rate is the group's rate), so a national year costs what ten groups cost
        outcome = np.tile([1, 0], len(comparable))
        weights = np.column_stack([comparable["selected"], comparable["n"] - comparable["selected"]]).ravel()
        sensitive = np.repeat(comparable.index.astype(str).to_numpy(), 2)
        parity = MetricFrame(
            metrics=selection_rate,
            y_true=outcome,
            y_pred=outcome,
            sensitive_features=sensitive,
            sample_params={"sample_weight": weights},
        )
        # demographic_parity_ratio / _difference are these two of the same MetricFrame (between groups)
        result["demographic_parity_ratio"] = _round(parity.ratio(method="between_groups"))
        result["demographic_parity_difference"] = _round(parity.difference(method="between_groups"))
    else:
        result["demographic_parity_ratio"] = result["demographic_parity_difference"] = None
    result["adverse_impact_flag"] = any(bool(r.get("four_fifths_flag")) for r in rows)
    if scored:
        result["median_score"] = None if hidden.total_hidden else _round(median)
        result["scoring_reference"] = score_reference
    return result


# --- the essay pre-scoring model --------------------------------------------------------------------


def _ols_block(model: Any, reference: str, levels: Sequence[str]) -> dict[str, Any]:
    """Each group's coefficient against ``reference`` (columns 1.. of the design) with its 95 % interval."""
    params, pvalues = np.asarray(model.params), np.asarray(model.pvalues)
    intervals = np.asarray(model.conf_int(alpha=1 - CONFIDENCE))
    coefficients = {
        level: {
            "estimate": _round(params[i + 1]),
            "p": _round(pvalues[i + 1]),
            "interval": [_round(intervals[i + 1, 0]), _round(intervals[i + 1, 1])],
        }
        for i, level in enumerate(levels)
    }
    return {
        "reference": reference,
        "r2": _round(model.rsquared),
        "r2_adjusted": _round(model.rsquared_adj),
        "p": _round(model.f_pvalue),
        "coefficients": coefficients,
    }


def fairness_regressions(human: pd.Series, machine: pd.Series, groups: pd.Series) -> dict[str, Any] | None:
    """RSMTool's OSA, OSD and CSD: OLS of the squared error, the error, and the error given the human score on
    the group (treatment coding against the largest group); CSD's R² is the gain over the human-only model and
    its p the F-test of that gain."""
    labels = groups.astype(str).to_numpy()
    counts = pd.Series(labels).value_counts()
    if len(counts) < 2 or len(labels) <= len(counts) + 1:
        return None
    reference = str(sorted(counts[counts == counts.max()].index)[0])
    levels = sorted(str(v) for v in counts.index if v != reference)
    dummies = np.column_stack([(labels == level).astype(float) for level in levels])
    truth = human.astype(float).to_numpy()
    error = machine.astype(float).to_numpy() - truth
    with_group = np.column_stack([np.ones(len(labels)), dummies])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osa = sm.OLS(error**2, with_group).fit()
        osd = sm.OLS(error, with_group).fit()
        csd = sm.OLS(error, np.column_stack([with_group, truth])).fit()
        null = sm.OLS(error, np.column_stack([np.ones(len(labels)), truth])).fit()
        gain_p = float(csd.compare_f_test(null)[1])
    csd_block = _ols_block(csd, reference, levels)
    csd_block["r2_gain"] = _round(csd.rsquared - null.rsquared)
    csd_block["p"] = _round(gain_p)
    return {"osa": _ols_block(osa, reference, levels), "osd": _ols_block(osd, reference, levels), "csd": csd_block}


def model_figures(
    frame: pd.DataFrame, group: str, *, min_cell: int, points: Sequence[int] | None = None, intersection: bool = False
) -> dict[str, Any]:
    """Agreement of the pre-scoring model with the final human scores, overall and per group.

    ``frame`` has integer ``human`` and ``machine`` columns and the group column.
    """
    human, machine = frame["human"].astype(int), frame["machine"].astype(int)
    labels = frame[group].astype(str)
    labels_points = list(points) if points is not None else sorted(set(human) | set(machine))
    sizes = labels.value_counts().sort_index()
    hidden = suppress({str(v): [int(n)] for v, n in sizes.items()}, min_cell=min_cell, intersection=intersection)
    overall_smd = smd(human, machine)
    rows: list[dict[str, Any]] = []
    for value, n in sizes.items():
        key = str(value)
        if not hidden.shows(key):
            rows.append({"group": key, "suppressed": hidden.hidden[key]})
            continue
        mask = labels == key
        h, m = human[mask], machine[mask]
        group_smd = smd(h, m)
        rows.append(
            {
                "group": key,
                "n": int(n),
                "qwk": _round(quadratic_kappa(h, m, labels_points)),
                "exact": _round(float((h == m).mean())),
                "mean_human": _round(h.mean()),
                "mean_machine": _round(m.mean()),
                "smd": _round(group_smd),
                "smd_flag": group_smd is not None and bool(abs(group_smd) > GROUP_SMD_MAX),
            }
        )
    shown = labels.isin([r["group"] for r in rows if "suppressed" not in r])
    result: dict[str, Any] = {
        "group": group,
        "n": None if hidden.total_hidden else len(frame),
        "qwk": _round(quadratic_kappa(human, machine, labels_points)),
        "exact": _round(float((human == machine).mean())),
        "smd": _round(overall_smd),
        "smd_flag": overall_smd is not None and bool(abs(overall_smd) > OVERALL_SMD_MAX),
        "groups": rows,
        "suppressed": dict(hidden.hidden),
        "fairness": fairness_regressions(human[shown], machine[shown], labels[shown]),
    }
    if hidden.total_hidden:
        result.update(
            {"qwk": None, "exact": None, "smd": None, "smd_flag": None, "fairness": None, "total_suppressed": True}
        )
    return result
