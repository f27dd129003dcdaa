"""Classical item analysis for researchers: difficulty, discrimination, distractors, Cronbach's alpha, MH DIF, 2PL.

Input is a table with one row per person and one column per item (``read_responses``), either already scored
(0/1 or Likert numbers) or raw chosen options scored against a key (``read_key``). ``analyse`` returns a plain,
JSON-ready report; ``render_text`` prints it as tables.

Conventions (documented here because they change numbers):

* Missing answers (blank, NA, N/A, NaN) stay missing (they are not scored 0): an item's statistics use the people
  who answered it; a person's total is the sum of the items they answered (``skipna``).
* ``point_biserial`` is the Pearson correlation of the item with its scale total (item included; for a 0/1 item it
  is the point-biserial correlation); ``corrected_item_total`` correlates the item with the total of the OTHER
  items of its scale (the rest score). An item listed in several scales is correlated with the first one.
* Cronbach's alpha is ``pingouin.cronbach_alpha`` with ``nan_policy="pairwise"`` (the default): it reproduces the
  published references (bfi A/C/E/N/O = .703/.727/.762/.814/.600, pingouin's ``cronbach_alpha`` data set
  0.5917 [0.195, 0.840]); listwise deletion gives .704/.729/... on bfi and would not.
* Mantel–Haenszel DIF is stratified by the scale total score INCLUDING the studied item (Holland & Thayer, 1988,
  keep the studied item in the matching criterion); strata where only one group is present carry no information
  and are dropped.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin
from scipy.stats import ncx2
from statsmodels.stats.contingency_tables import StratifiedTable

DIFFICULTY_LOW = 0.20
DIFFICULTY_HIGH = 0.95
MIN_DISCRIMINATION = 0.20
EXTREME_GROUP_FRACTION = 0.27
DIF_SIGNIFICANCE = 0.05
ETS_B_THRESHOLD = 1.0
ETS_C_THRESHOLD = 1.5
DELTA_SCALE = -2.35
OMITTED = "(omitted)"
ALL_ITEMS_SCALE = "all"
# Cells read as "no answer": blank, and R's NA as written by write.csv (bfi.csv)
MISSING_MARKS = ("", "NA", "N/A", "NaN", "nan")

# Header names taken for a person identifier rather than an item (compared case-insensitively); pandas names a
# blank header "Unnamed: N" (R's write.csv row names, as in bfi.csv).
ID_COLUMN_NAMES = frozenset({"id", "person", "person_id", "subject", "subj", "respondent", "candidate"})
_LONG_SUBJECT = frozenset({"subj", "subject", "person", "id", "respondent"})
_LONG_ITEM = frozenset({"item", "items"})
_LONG_SCORE = frozenset({"score", "scores", "response", "responses", "answer"})


class ItemAnalysisError(ValueError):
    """Bad input for the item analysis; ``code`` is stable, the message says what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Responses:
    """A wide response table and how it was read (``"wide"`` or ``"long"``, pivoted)."""

    frame: pd.DataFrame
    layout: str


def read_responses(path: Path) -> Responses:
    """Read RESPONSES.csv; a three-column long file (Subj, Items, Scores) is detected and pivoted to wide."""
    frame = _read_csv(path)
    lowered = [str(name).strip().casefold() for name in frame.columns]
    if len(lowered) == 3:
        roles = _long_roles(lowered)
        if roles is not None:
            return Responses(_pivot_long(frame, *roles, path=path), "long")
    return Responses(frame, "wide")


def read_key(path: Path) -> dict[str, str]:
    """Read KEY.csv (columns ``item``, ``key``) into ``{item: correct option}``."""
    frame = _read_csv(path)
    columns = {str(name).strip().casefold(): name for name in frame.columns}
    if "item" not in columns or "key" not in columns:
        raise ItemAnalysisError("key_columns", f"{path}: the key needs columns 'item' and 'key'")
    key: dict[str, str] = {}
    for line, (item, answer) in enumerate(zip(frame[columns["item"]], frame[columns["key"]], strict=True), start=2):
        if pd.isna(item) or pd.isna(answer):
            raise ItemAnalysisError("key_blank", f"{path}:{line}: blank item or key")
        if str(item) in key:
            raise ItemAnalysisError("key_duplicate", f"{path}:{line}: item {item} is keyed twice")
        key[str(item).strip()] = str(answer).strip()
    if not key:
        raise ItemAnalysisError("key_empty", f"{path}: the key has no rows")
    return key


def parse_scale(spec: str) -> tuple[str, list[str]]:
    """Parse ``NAME=COL,COL,...`` into the scale name and its columns."""
    name, sep, columns = spec.partition("=")
    items = [column.strip() for column in columns.split(",") if column.strip()]
    if not sep or not name.strip() or not items:
        raise ItemAnalysisError("scale_syntax", f"--scale {spec!r}: expected NAME=COL,COL,...")
    if len(set(items)) != len(items):
        raise ItemAnalysisError("scale_syntax", f"--scale {spec!r}: a column is listed twice")
    return name.strip(), items


def analyse(
    frame: pd.DataFrame,
    *,
    key: Mapping[str, str] | None = None,
    scales: Sequence[tuple[str, Sequence[str]]] = (),
    group: str | None = None,
    reference: str | None = None,
    irt: bool = False,
) -> dict[str, Any]:
    """Analyse a wide response table; returns ``{"n", "scales", "items"}`` plus ``"dif"`` and ``"irt"`` when asked.

    Without ``scales`` every item forms one scale named ``"all"``. Items are the scale columns, else the keyed
    items, else every column that is neither an identifier nor the group column.
    """
    columns = [str(name) for name in frame.columns]
    frame = frame.set_axis(columns, axis=1).reset_index(drop=True)
    if group is not None and group not in columns:
        raise ItemAnalysisError("unknown_column", f"--group {group}: no such column (columns: {', '.join(columns)})")
    scale_map = _resolve_scales(columns, scales, key, group)
    items = list(dict.fromkeys(column for members in scale_map.values() for column in members))
    if key is not None:
        unkeyed = [item for item in items if item not in key]
        if unkeyed:
            raise ItemAnalysisError("unkeyed_item", f"no key for item(s): {', '.join(unkeyed)}")
    raw = frame[items]
    scores = _score(raw, key)
    if len(scores) == 0:
        raise ItemAnalysisError("no_rows", "the responses have no rows")

    report: dict[str, Any] = {"n": len(scores), "scales": {}, "items": {}}
    owner: dict[str, str] = {}
    for name, members in scale_map.items():
        for item in members:
            owner.setdefault(item, name)
    totals = {name: scores[members].sum(axis=1, skipna=True, min_count=1) for name, members in scale_map.items()}
    for name, members in scale_map.items():
        report["scales"][name] = _scale_stats(scores[members], name)
    for item in items:
        report["items"][item] = _item_stats(scores[item], totals[owner[item]], owner[item], len(scale_map[owner[item]]))
    if key is not None:
        overall = scores.sum(axis=1, skipna=True, min_count=1)
        for item in items:
            report["items"][item]["distractors"] = _distractors(raw[item], key[item], overall)
    if group is not None:
        report["dif"] = _dif(scores, frame[group], scale_map, totals, owner, reference)
    if irt:
        report["irt"] = _irt(scores, items)
    return report


def ets_class(d_dif: float, se: float, p_value: float) -> str:
    """ETS DIF category of one item from MH D-DIF, its standard error and the MH chi-square p-value.

    The ETS rules (Dorans & Holland, 1993, pp. 41-42; Zwick, 2012, ETS RR-12-08, p. 3):

    * A: |D-DIF| < 1.0, or D-DIF not significantly different from 0 (MH chi-square, 5 %);
    * C: |D-DIF| >= 1.5 AND |D-DIF| significantly greater than 1.0 (5 %);
    * B: every other item (significant, |D-DIF| >= 1.0, and not C).

    "Significantly greater than 1.0" is the interval-null test of Paek & Holland (2015, Psychometrika 80:406-411):
    H0 |Delta| <= 1 is rejected when (D/SE)^2 exceeds the 95th percentile of a noncentral chi-square with one
    degree of freedom and noncentrality (1/SE)^2.
    """
    if abs(d_dif) < ETS_B_THRESHOLD or p_value >= DIF_SIGNIFICANCE:
        return "A"
    if abs(d_dif) >= ETS_C_THRESHOLD:
        p_above_one = float(ncx2.sf((d_dif / se) ** 2, 1, (ETS_B_THRESHOLD / se) ** 2)) if se > 0 else 0.0
        if p_above_one < DIF_SIGNIFICANCE:
            return "C"
    return "B"


def render_text(report: Mapping[str, Any]) -> str:
    """The report as plain-text tables (scales, items, DIF, 2PL)."""
    lines = [f"persons: {report['n']}", "", f"{'scale':<16} {'items':>5} {'n':>6} {'alpha':>7}  95 % CI"]
    for name, scale in report["scales"].items():
        low, high = scale["ci95"]
        lines.append(
            f"{name:<16} {scale['items']:>5} {scale['n']:>6} {_fmt(scale['alpha'])}  [{_fmt(low, 0)}, {_fmt(high, 0)}]"
        )
    lines += ["", f"{'item':<16} {'scale':<10} {'n':>6} {'miss':>5} {'p/mean':>7} {'r_pb':>7} {'r_corr':>7}  flags"]
    for name, item in report["items"].items():
        lines.append(
            f"{name:<16} {item['scale']:<10} {item['n']:>6} {item['missing']:>5} {_fmt(item['difficulty'])} "
            f"{_fmt(item['point_biserial'])} {_fmt(item['corrected_item_total'])}  {', '.join(item['flags'])}"
        )
        if "distractors" in item:
            counts = item["distractors"]["all"]
            lines.append(f"{'':<16} options: " + "  ".join(f"{option}={count}" for option, count in counts.items()))
    if "dif" in report:
        dif = report["dif"]
        lines += [
            "",
            f"DIF (Mantel-Haenszel): reference {dif['reference']} (n={dif['n_reference']}), "
            f"focal {dif['focal']} (n={dif['n_focal']}); matched on {dif['matching']}",
            f"{'item':<16} {'alpha_MH':>9} {'D-DIF':>7} {'SE':>7} {'p':>7}  class",
        ]
        for name, row in dif["items"].items():
            lines.append(
                f"{name:<16} {_fmt(row['alpha_mh'], 9)} {_fmt(row['d_dif'])} {_fmt(row['se'])} "
                f"{_fmt(row['p_value'])}  {row['ets_class'] or row.get('note', '')}"
            )
    if "irt" in report:
        irt = report["irt"]
        if "skipped" in irt:
            lines += ["", f"2PL: skipped ({irt['skipped']})"]
        else:
            lines += ["", f"2PL ({irt['method']}, n={irt['n']})", f"{'item':<16} {'a':>7} {'b':>7}"]
            for name, row in irt["items"].items():
                lines.append(f"{name:<16} {_fmt(row['discrimination'])} {_fmt(row['difficulty'])}")
    return "\n".join(lines)


# --- reading -------------------------------------------------------------------------------------------------


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=list(MISSING_MARKS), skipinitialspace=True
        )
    except FileNotFoundError:
        raise ItemAnalysisError("missing_file", f"{path}: no such file") from None
    except IsADirectoryError:
        raise ItemAnalysisError("missing_file", f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise ItemAnalysisError("not_utf8", f"{path}: not UTF-8 text") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        raise ItemAnalysisError("bad_csv", f"{path}: not a readable CSV table ({error})") from None
    return frame


def _long_roles(lowered: list[str]) -> tuple[int, int, int] | None:
    def find(names: frozenset[str]) -> int | None:
        return next((index for index, name in enumerate(lowered) if name in names), None)

    subject, item, score = find(_LONG_SUBJECT), find(_LONG_ITEM), find(_LONG_SCORE)
    if subject is None or item is None or score is None:
        return None
    return subject, item, score


def _pivot_long(frame: pd.DataFrame, subject: int, item: int, score: int, *, path: Path) -> pd.DataFrame:
    names = list(frame.columns)
    long = frame.rename(columns={names[subject]: "subject", names[item]: "item", names[score]: "score"})
    duplicated = long.duplicated(["subject", "item"])
    if duplicated.any():
        first = long[duplicated].iloc[0]
        raise ItemAnalysisError(
            "long_duplicate", f"{path}: person {first['subject']} answers item {first['item']} twice"
        )
    wide = long.pivot(index="subject", columns="item", values="score")
    # pivot sorts labels; keep the order in which the file first names each person and item
    wide = wide.reindex(index=long["subject"].drop_duplicates(), columns=long["item"].drop_duplicates())
    wide.columns.name = None
    return wide.reset_index(names=names[subject])


# --- scoring -------------------------------------------------------------------------------------------------


def _is_id_column(name: str) -> bool:
    return name.strip().casefold() in ID_COLUMN_NAMES or name.startswith("Unnamed:")


def _resolve_scales(
    columns: list[str], scales: Sequence[tuple[str, Sequence[str]]], key: Mapping[str, str] | None, group: str | None
) -> dict[str, list[str]]:
    if scales:
        resolved: dict[str, list[str]] = {}
        for name, members in scales:
            if name in resolved:
                raise ItemAnalysisError("scale_syntax", f"--scale {name}: the scale is defined twice")
            unknown = [member for member in members if member not in columns]
            if unknown:
                raise ItemAnalysisError("unknown_column", f"--scale {name}: no such column(s): {', '.join(unknown)}")
            if group is not None and group in members:
                raise ItemAnalysisError("scale_syntax", f"--scale {name}: the group column {group} is not an item")
            resolved[name] = list(members)
        return resolved
    if key is not None:
        missing = [item for item in key if item not in columns]
        if missing:
            raise ItemAnalysisError("unknown_column", f"keyed item(s) not in the responses: {', '.join(missing)}")
        items = [column for column in columns if column in key]
    else:
        items = [column for column in columns if column != group and not _is_id_column(column)]
    if not items:
        raise ItemAnalysisError("no_items", "the responses have no item columns")
    return {ALL_ITEMS_SCALE: items}


def _score(raw: pd.DataFrame, key: Mapping[str, str] | None) -> pd.DataFrame:
    scored: dict[str, pd.Series] = {}
    for item in raw.columns:
        answers = raw[item].str.strip()
        if key is not None:
            correct = (answers.str.casefold() == key[item].casefold()).astype(float)
            scored[item] = correct.where(answers.notna())
            continue
        numbers = pd.to_numeric(answers, errors="coerce")
        bad = answers.notna() & numbers.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ItemAnalysisError(
                "non_numeric",
                f"item {item}, row {row + 1}: {answers.iloc[row]!r} is not a score; "
                "give --key KEY.csv for chosen options",
            )
        scored[item] = numbers.astype(float)
    return pd.DataFrame(scored, index=raw.index)


# --- statistics ----------------------------------------------------------------------------------------------


def _scale_stats(scores: pd.DataFrame, name: str) -> dict[str, Any]:
    answered = scores.dropna(how="all")
    if scores.shape[1] < 2:
        raise ItemAnalysisError("scale_too_small", f"--scale {name}: Cronbach's alpha needs at least two items")
    if len(answered) < 2:
        raise ItemAnalysisError("scale_too_small", f"scale {name}: fewer than two people answered it")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        alpha, ci = pingouin.cronbach_alpha(data=answered, nan_policy="pairwise")
    return {
        "alpha": _num(alpha),
        "ci95": [_num(ci[0]), _num(ci[1])],
        "n": len(answered),
        "n_complete": int(scores.notna().all(axis=1).sum()),
        "items": scores.shape[1],
    }


def _item_stats(item: pd.Series, total: pd.Series, scale: str, scale_size: int) -> dict[str, Any]:
    answered = item.dropna()
    stats: dict[str, Any] = {"scale": scale, "n": len(answered), "missing": int(item.isna().sum())}
    dichotomous = len(answered) > 0 and set(answered.unique()) <= {0.0, 1.0}
    stats["type"] = "dichotomous" if dichotomous else "polytomous"
    mean = float(answered.mean()) if len(answered) else math.nan
    if dichotomous:
        stats["difficulty"] = _num(mean)
    else:
        top = float(answered.max()) if len(answered) else math.nan
        stats["mean"] = _num(mean)
        stats["max"] = _num(top)
        stats["difficulty"] = _num(mean / top) if top > 0 else None
    both = item.notna() & total.notna()
    stats["point_biserial"] = _pearson(item[both], total[both])
    stats["corrected_item_total"] = _pearson(item[both], total[both] - item[both]) if scale_size > 1 else None
    flags: list[str] = []
    if len(answered) == 0 or answered.nunique() < 2:
        flags.append("no_variance")
    if dichotomous and not DIFFICULTY_LOW <= mean <= DIFFICULTY_HIGH:
        flags.append("difficulty_out_of_range")
    corrected = stats["corrected_item_total"]
    if corrected is not None and corrected < MIN_DISCRIMINATION:
        flags.append("low_discrimination")
    stats["flags"] = flags
    return stats


def _distractors(answers: pd.Series, correct: str, total: pd.Series) -> dict[str, Any]:
    stripped = answers.str.strip()
    # options are compared case-insensitively, as in scoring; each is shown as the key spells it, else as first seen
    spelling = {correct.casefold(): correct}
    for answer in stripped.dropna():
        spelling.setdefault(answer.casefold(), answer)
    chosen = stripped.map(lambda answer: spelling[answer.casefold()], na_action="ignore").fillna(OMITTED)
    options = [*sorted(spelling.values(), key=str.casefold), OMITTED]
    size = max(1, round(EXTREME_GROUP_FRACTION * len(chosen)))
    # stable sort: people tied on the total keep file order, so the groups are reproducible
    order = total.fillna(-math.inf).sort_values(ascending=False, kind="mergesort").index
    upper, lower = chosen[order[:size]], chosen[order[-size:]]

    def counts(values: pd.Series) -> dict[str, int]:
        tally = values.value_counts()
        return {option: int(tally.get(option, 0)) for option in options}

    def p_correct(values: pd.Series) -> float:
        return float((values == correct).mean())

    return {
        "key": correct,
        "all": counts(chosen),
        "upper": counts(upper),
        "lower": counts(lower),
        "group_size": size,
        "upper_lower_d": _num(p_correct(upper) - p_correct(lower)),
    }


def _dif(
    scores: pd.DataFrame,
    groups: pd.Series,
    scale_map: Mapping[str, list[str]],
    totals: Mapping[str, pd.Series],
    owner: Mapping[str, str],
    reference: str | None,
) -> dict[str, Any]:
    labels = groups.str.strip()
    values = sorted(labels.dropna().unique())
    if len(values) != 2:
        raise ItemAnalysisError(
            "group_values", f"--group {groups.name}: needs exactly two groups, found {len(values)}: {values}"
        )
    if reference is not None and reference not in values:
        raise ItemAnalysisError("group_values", f"--reference {reference}: not a value of {groups.name} ({values})")
    ref = reference if reference is not None else values[0]
    focal = values[1] if ref == values[0] else values[0]
    result: dict[str, Any] = {
        "reference": ref,
        "focal": focal,
        "n_reference": int((labels == ref).sum()),
        "n_focal": int((labels == focal).sum()),
        "matching": "scale total score including the studied item",
        "items": {},
    }
    for item in dict.fromkeys(column for members in scale_map.values() for column in members):
        answered = scores[item].dropna()
        if len(answered) == 0 or not set(answered.unique()) <= {0.0, 1.0}:
            continue
        total = totals[owner[item]]
        usable = scores[item].notna() & total.notna() & labels.notna()
        tables = []
        for level in sorted(total[usable].unique()):
            stratum = usable & (total == level)
            is_ref, is_focal = stratum & (labels == ref), stratum & (labels == focal)
            if not is_ref.any() or not is_focal.any():
                continue
            right_ref = int((scores[item][is_ref] == 1).sum())
            right_focal = int((scores[item][is_focal] == 1).sum())
            tables.append(
                [[right_ref, int(is_ref.sum()) - right_ref], [right_focal, int(is_focal.sum()) - right_focal]]
            )
        result["items"][item] = _mantel_haenszel(tables, StratifiedTable)
    return result


def _mantel_haenszel(tables: list[list[list[int]]], stratified: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "strata": len(tables),
        "alpha_mh": None,
        "d_dif": None,
        "se": None,
        "chi2": None,
        "p_value": None,
        "ets_class": None,
    }
    counts = np.array(tables, dtype=float)
    if len(tables) == 0:
        return {**row, "note": "not_estimable: no score level holds both groups"}
    n = counts.sum(axis=(1, 2))
    numerator = float((counts[:, 0, 0] * counts[:, 1, 1] / n).sum())
    denominator = float((counts[:, 0, 1] * counts[:, 1, 0] / n).sum())
    if numerator == 0 or denominator == 0:
        return {**row, "note": "not_estimable: the pooled odds ratio is 0 or infinite"}
    table = stratified(np.moveaxis(counts, 0, -1))
    test = table.test_null_odds(correction=True)
    alpha = float(table.oddsratio_pooled)
    d_dif = DELTA_SCALE * math.log(alpha)
    se = abs(DELTA_SCALE) * float(table.logodds_pooled_se)
    p_value = float(test.pvalue)
    return {
        **row,
        "alpha_mh": alpha,
        "d_dif": d_dif,
        "se": se,
        "chi2": float(test.statistic),
        "p_value": p_value,
        "ets_class": ets_class(d_dif, se, p_value),
        "favours": "reference" if d_dif < 0 else "focal",
    }


def _irt(scores: pd.DataFrame, items: Iterable[str]) -> dict[str, Any]:
    try:
        import girth  # noqa: PLC0415  the IRT fit is skipped, not failed, where girth is missing
    except ImportError:
        return {"skipped": "girth is not installed"}
    dichotomous = [
        item for item in items if len(scores[item].dropna()) and set(scores[item].dropna().unique()) <= {0.0, 1.0}
    ]
    if len(dichotomous) < 2:
        return {"skipped": "a 2PL fit needs at least two dichotomous items"}
    complete = scores[dichotomous].dropna()
    if len(complete) < 10:
        return {"skipped": "fewer than ten people answered every dichotomous item"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = girth.twopl_mml(complete.to_numpy(dtype=int).T)
    return {
        "method": "girth.twopl_mml (marginal maximum likelihood), complete cases",
        "n": len(complete),
        "items": {
            item: {"discrimination": _num(a), "difficulty": _num(b)}
            for item, a, b in zip(dichotomous, fit["Discrimination"], fit["Difficulty"], strict=True)
        },
    }


def _pearson(x: pd.Series, y: pd.Series) -> float | None:
    if len(x) < 2 or x.nunique() < 2 or y.nunique() < 2:
        return None
    return _num(np.corrcoef(x.to_numpy(dtype=float), y.to_numpy(dtype=float))[0, 1])


def _num(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _fmt(value: float | None, width: int = 7) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"
