"""Bias audits for files: ``irikteu evaluate fairness --data CSV`` and item DIF by group, on app.research's figures.

The stage and model figures are ``app.research.audit.run_audit`` (the service's own code path); this
module reads a CSV into its three tables, writes the Markdown report with its plots, and runs the item
DIF of ``evaluation.items`` (Mantel–Haenszel with the ETS A/B/C classes) by a two-valued group.

CSV layout (one row per application and stage it entered; UTF-8, comma-separated):

- ``stage`` (``application``, ``eligibility``, ``personal_qualities``, ``reasoning``, ``essay``,
  ``practical``, ``interview``, ``final`` or any other name) and ``selected`` (1/0, true/false);
- ``application`` (any key; without it every row is its own application), ``score`` (scored stages);
- the group sources: ``iin`` with ``applied_on`` (sex and age band are derived, never written out), or
  ``sex`` / ``age_band`` directly; ``language``, ``region``, ``education``, ``accommodation``, ``reserve``;
- ``human`` and ``machine`` on a row: the final essay score and the model's suggestion (model figures).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from app.research.audit import flagged, run_audit
from app.research.figures import GROUP_SMD_MAX
from app.research.groups import SOURCE_COLUMNS, UnknownGroup, parse_groups
from app.research.thresholds import FOUR_FIFTHS
from evaluation.items import ItemAnalysisError, analyse

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}
LIKERT_AGREE_FROM = 4
"""A 1–6 Likert answer counts as agreement from this point (the DIF of ``evaluate items`` is for 0/1 items)."""


class FairnessInputError(ValueError):
    """Bad input for the fairness audit; the message is the one line the command prints."""


def read_data(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The CSV as ``records`` (per application), ``stages`` and ``essays`` (or ``None``) for ``run_audit``."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise FairnessInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise FairnessInputError(f"{path}: not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FairnessInputError(f"{path}: not a CSV table ({str(error).splitlines()[0]})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("stage", "selected") if c not in frame.columns]
    if missing:
        raise FairnessInputError(
            f"{path}: missing column(s) {', '.join(missing)} (columns: {', '.join(frame.columns)})"
        )
    if frame.empty:
        raise FairnessInputError(f"{path}: no rows")
    selected = frame["selected"].str.strip().str.casefold()
    bad = ~selected.isin(_TRUE | _FALSE)
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise FairnessInputError(
            f"{path}:{line}: selected must be 1/0 or true/false, got {frame['selected'][bad].iloc[0]!r}"
        )
    if "application" not in frame.columns:
        frame["application"] = [f"row{i}" for i in range(len(frame))]
    stages = pd.DataFrame(
        {
            "application": frame["application"].str.strip(),
            "stage": frame["stage"].str.strip(),
            "selected": selected.isin(_TRUE),
        }
    )
    if "score" in frame.columns:
        stages["score"] = _numbers(frame["score"], path, "score")
    records = frame.reindex(columns=["application", *[c for c in SOURCE_COLUMNS if c in frame.columns]])
    records = records.assign(application=records["application"].str.strip()).drop_duplicates("application")
    records = records.set_index("application")
    essays = None
    if {"human", "machine"} <= set(frame.columns):
        human, machine = _numbers(frame["human"], path, "human"), _numbers(frame["machine"], path, "machine")
        both = human.notna() & machine.notna()
        essays = pd.DataFrame(
            {
                "application": stages["application"][both],
                "human": human[both].astype(int),
                "machine": machine[both].astype(int),
            }
        ).drop_duplicates("application")
    return records, stages, essays


def _numbers(column: pd.Series, path: Path, name: str) -> pd.Series:
    text = column.str.strip().replace({"": None, "NA": None, "nan": None})
    values = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & values.isna()
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise FairnessInputError(f"{path}:{line}: {name} must be a number, got {text[bad].iloc[0]!r}")
    return values


def evaluate_file(
    path: Path,
    *,
    groups: str | None,
    min_cell: int,
    draws: int = 2000,
    progress: Callable[[str], None] = lambda _note: None,
) -> dict[str, Any]:
    """The fairness audit of a CSV (see the module docstring for its columns)."""
    try:
        names = parse_groups(groups)
    except UnknownGroup as error:
        raise FairnessInputError(str(error)) from None
    records, stages, essays = read_data(path)
    progress(f"read {len(stages)} stage rows of {len(records)} applications from {path}")
    report = run_audit(
        records=records,
        stages=stages,
        essays=essays,
        groups=names,
        min_cell=min_cell,
        scope={"data": str(path)},
        draws=draws,
        progress=progress,
    )
    report["flags"] = flagged(report)
    return report


# --- item DIF --------------------------------------------------------------------------------------------


def likert_dif(
    frame: pd.DataFrame,
    *,
    group: str,
    scales: Mapping[str, Sequence[str]],
    reference: str | None = None,
    agree_from: int = LIKERT_AGREE_FROM,
) -> dict[str, Any]:
    """Mantel–Haenszel DIF with the ETS classes (``evaluation.items``) of Likert items scored agree/disagree,
    matched on each scale's agree count; returns the DIF block and the items flagged B or C."""
    items = [item for members in scales.values() for item in members]
    scored = frame[items].apply(pd.to_numeric, errors="coerce")
    # analyse reads answers as the text of a CSV (missing: NaN), so the 0/1 scores go in as "0"/"1"
    binary = (scored >= agree_from).astype(int).astype(str).where(scored.notna())
    data = binary.assign(**{group: frame[group].astype("string")})
    try:
        report = analyse(
            data, scales=[(name, list(members)) for name, members in scales.items()], group=group, reference=reference
        )
    except ItemAnalysisError as error:
        raise FairnessInputError(error.message) from None
    dif = report["dif"]
    flags = [
        {"item": item, **{k: row[k] for k in ("ets_class", "d_dif", "p_value", "favours")}}
        for item, row in dif["items"].items()
        if row.get("ets_class") in ("B", "C")
    ]
    return {"dif": dif, "flagged": flags, "scoring": f"agree = answer >= {agree_from}"}


# --- the Markdown report ---------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    return str(value)


def _save(figure: Figure, path: Path) -> str:
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path.name


def _plots(report: Mapping[str, Any], folder: Path) -> dict[str, list[str]]:
    written: dict[str, list[str]] = {}
    stages = list(report["stages"])
    for name in report["groups"]:
        safe = name.replace("×", "_x_")
        figure = Figure(figsize=(max(6.0, 1.3 * len(stages)), 4.0))
        rates, ratios = figure.subplots(1, 2)
        values = sorted(
            {
                row["group"]
                for stage in stages
                for row in report["stages"][stage]["by_group"][name]["groups"]
                if "suppressed" not in row
            }
        )
        for offset, value in enumerate(values):
            xs, ys, lows, highs, rx, ry = [], [], [], [], [], []
            for x, stage in enumerate(stages):
                row = next(
                    (
                        r
                        for r in report["stages"][stage]["by_group"][name]["groups"]
                        if r["group"] == value and "suppressed" not in r
                    ),
                    None,
                )
                if row is None:
                    continue
                position = x + (offset - len(values) / 2) * 0.08
                xs.append(position)
                ys.append(row["rate"])
                lows.append(row["rate"] - row["wilson"][0])
                highs.append(row["wilson"][1] - row["rate"])
                if row["impact_ratio"] is not None:
                    rx.append(position)
                    ry.append(row["impact_ratio"])
            rates.errorbar(xs, ys, yerr=[lows, highs], fmt="o", capsize=3, label=value)
            ratios.plot(rx, ry, "o", label=value)
        for axis, title in ((rates, f"selection rate by {name} (95 % Wilson)"), (ratios, "impact ratio")):
            axis.set_xticks(range(len(stages)), stages, rotation=30, ha="right", fontsize=8)
            axis.set_title(title, fontsize=9)
        ratios.axhline(FOUR_FIFTHS, color="red", linestyle="--", linewidth=1, label="0.8")
        if rates.get_legend_handles_labels()[0]:  # every group suppressed: nothing to name
            rates.legend(fontsize=7)
        ratios.legend(fontsize=7)
        written.setdefault("stages", []).append(_save(figure, folder / f"fairness-{safe}.png"))
    model = report.get("essay_model")
    if model:
        figure = Figure(figsize=(7.0, 4.0))
        axis = figure.subplots()
        labels, values = [], []
        for name, figures in model["by_group"].items():
            for row in figures["groups"]:
                if "suppressed" not in row and row["smd"] is not None:
                    labels.append(f"{name}: {row['group']}")
                    values.append(row["smd"])
        axis.barh(
            range(len(values)), values, color=["tab:red" if abs(v) > GROUP_SMD_MAX else "tab:blue" for v in values]
        )
        axis.set_yticks(range(len(labels)), labels, fontsize=7)
        for edge in (-GROUP_SMD_MAX, GROUP_SMD_MAX):
            axis.axvline(edge, color="red", linestyle="--", linewidth=1)
        axis.set_title("SMD machine vs human by group (flag beyond ±0.10)", fontsize=9)
        written["model"] = [_save(figure, folder / "fairness-smd.png")]
    return written


def write_report(report: Mapping[str, Any], folder: Path) -> Path:
    """``folder/fairness-report.md`` with its PNG plots beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = _plots(report, folder)
    lines = [
        "# Fairness audit",
        "",
        f"Scope: `{report['scope']}` · minimum cell {report['min_cell']} "
        "(smaller groups and counts are suppressed, with complementary suppression) · groups under 2 % of a "
        "stage are listed but left out of the ratios.",
        "",
    ]
    lines += ["## Flags", ""]
    flags = report.get("flags") or []
    lines += [
        f"- {f['stage']} · {f['group']} = {f['value']}: {f['kind']} "
        f"{_cell(f.get('impact_ratio', f.get('smd', f.get('d_dif'))))}"
        for f in flags
    ] or ["- none"]
    lines += ["", "## Unknown group values (source missing)", ""]
    lines += [f"- {name}: {count}" for name, count in report["unknown"].items()]
    for stage, block in report["stages"].items():
        lines += ["", f"## Stage `{stage}` ({_cell(block['entered'])} entered)", ""]
        for name, figures in block["by_group"].items():
            lines += [
                f"### by {name}",
                "",
                "| group | n | selected | rate | Wilson 95 % | bootstrap 95 % | impact ratio | 4/5 flag | "
                "Fisher p | z-test p | scoring rate | scoring IR |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for row in figures["groups"]:
                if "suppressed" in row:
                    lines.append(f"| {row['group']} | suppressed ({row['suppressed']}) |||||||||||")
                    continue
                lines.append(
                    " | ".join(
                        [
                            "",
                            row["group"],
                            _cell(row["n"]),
                            _cell(row["selected"]),
                            _cell(row["rate"]),
                            _cell(row["wilson"]),
                            _cell(row["bootstrap"]),
                            _cell(row["impact_ratio"]),
                            _cell(row["four_fifths_flag"]),
                            _cell(row["fisher_p"]),
                            _cell(row["z_p"]),
                            _cell(row.get("scoring_rate")),
                            _cell(row.get("scoring_impact_ratio")),
                            "",
                        ]
                    ).strip()
                )
            excluded = ", ".join(figures["excluded_under_min_share"]) or "none"
            lines += [
                "",
                f"Excluded from ratios (under 2 %): {excluded}"
                f" · Fairlearn demographic-parity ratio {_cell(figures['demographic_parity_ratio'])}",
                "",
            ]
    for name in plots.get("stages", []):
        lines += [f"![{name}]({name})", ""]
    model = report.get("essay_model")
    if model:
        lines += ["## Essay pre-scoring model vs final human scores", ""]
        for name, figures in model["by_group"].items():
            lines += [
                f"### by {name} (overall QWK {_cell(figures['qwk'])}, SMD {_cell(figures['smd'])})",
                "",
                "| group | n | QWK | exact | SMD | flag |",
                "|---|---|---|---|---|---|",
            ]
            for row in figures["groups"]:
                lines.append(
                    f"| {row['group']} | suppressed |||||"
                    if "suppressed" in row
                    else f"| {row['group']} | {row['n']} | {_cell(row['qwk'])} | {_cell(row['exact'])} | "
                    f"{_cell(row['smd'])} | {_cell(row['smd_flag'])} |"
                )
            fairness = figures.get("fairness")
            if fairness:
                lines += [
                    "",
                    "RSMTool fairness (OLS): "
                    + "; ".join(
                        f"{key.upper()} R² {_cell(block.get('r2_gain', block['r2']))}, p {_cell(block['p'])}"
                        for key, block in fairness.items()
                    ),
                    "",
                ]
        for name in plots.get("model", []):
            lines += [f"![{name}]({name})", ""]
    dif = report.get("item_dif")
    if dif and dif.get("by_group"):
        lines += [
            "## Test items: Mantel–Haenszel DIF (ETS A/B/C)",
            "",
            f"{_cell(dif['sessions'])} submitted test sessions.",
            "",
        ]
        for name, block in dif["by_group"].items():
            if block.get("status") != "ok":
                lines.append(f"- by {name}: {block.get('status')}")
                continue
            flagged_items = (
                ", ".join(
                    f"{f['item']} ({f['ets_class']}, D-DIF {_cell(f['d_dif'])}, favours {f['favours']})"
                    for f in block["flagged"]
                )
                or "none"
            )
            lines.append(
                f"- by {name} (reference {block['reference']}, focal {block['focal']}): "
                f"{len(block['items'])} items analysed; B/C for expert review: {flagged_items}"
            )
        lines.append("")
    path = folder / "fairness-report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
