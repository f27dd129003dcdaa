"""The figures as a Markdown report with plots against the national targets (matplotlib, no display needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from app.rules.analytics import candidates_per_place_target


def _values(groups: list[dict[str, Any]], figure: str) -> list[float | None]:
    return [g[figure]["value"] for g in groups]


def _save(figure: Figure, path: Path) -> str:
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return path.name


def _trend(axes: Any, x: np.ndarray, values: list[float | None], label: str) -> None:
    """A least-squares line through the months that have a value (two at least)."""
    known = [(i, v) for i, v in zip(x, values, strict=True) if v is not None]
    if len(known) >= 2:
        xs, ys = np.array([k[0] for k in known], dtype=float), np.array([k[1] for k in known], dtype=float)
        slope, intercept = np.polyfit(xs, ys, 1)
        axes.plot(x, slope * x + intercept, linestyle=":", color="tab:gray", label=label)


def _series(axes: Any, months: list[str], values: list[float | None], label: str) -> np.ndarray:
    x = np.arange(len(months), dtype=float)
    axes.plot(x, [np.nan if v is None else v for v in values], marker="o", label=label)
    step = max(1, len(months) // 12)
    axes.set_xticks(x[::step], months[::step], rotation=45, ha="right")
    return x


def plots(monthly: dict[str, Any], overall: dict[str, Any], folder: Path) -> list[str]:
    """Monthly trends (candidates per place with the target, no-winner share, time to fill) and the
    period's pass rates and routes; the file names written."""
    groups = monthly["groups"]
    months = [g["key"] for g in groups]
    written = []

    figure = Figure(figsize=(9, 4))
    axes = figure.subplots()
    values = _values(groups, "candidates_per_place")
    x = _series(axes, months, values, "candidates per place")
    targets = [candidates_per_place_target(int(m[:4])) for m in months]
    axes.step(
        x,
        [np.nan if t is None else float(t) for t in targets],
        where="mid",
        color="tab:red",
        linestyle="--",
        label="national target (2.5 in 2024 → 5 in 2029)",
    )
    _trend(axes, x, values, "trend")
    axes.set(ylabel="applications per place", title="Candidates per place by month")
    axes.legend(loc="upper left")
    written.append(_save(figure, folder / "candidates-per-place.png"))

    figure = Figure(figsize=(9, 4))
    axes = figure.subplots()
    values = _values(groups, "no_winner_share")
    x = _series(axes, months, values, "share without a winner")
    _trend(axes, x, values, "trend")
    axes.set(ylabel="share", ylim=(0, 1), title="Competitions that ended without a winner, by month")
    axes.legend(loc="upper left")
    written.append(_save(figure, folder / "no-winner-share.png"))

    figure = Figure(figsize=(9, 4))
    axes = figure.subplots()
    values = _values(groups, "time_to_fill_working_days")
    x = _series(axes, months, values, "mean working days")
    _trend(axes, x, values, "trend")
    axes.set(ylabel="working days", title="Time to fill: vacancy published → appointment ordered")
    axes.legend(loc="upper left")
    written.append(_save(figure, folder / "time-to-fill.png"))

    everything = overall["groups"][0] if overall["groups"] else None
    if everything is not None:
        figure = Figure(figsize=(9, 4))
        left, right = figure.subplots(1, 2)
        stages = [s for s, f in everything["pass_rate"].items() if f["value"] is not None]
        left.bar(stages, [everything["pass_rate"][s]["value"] for s in stages])
        left.set(ylim=(0, 1), title="Pass rate per stage")
        left.tick_params(axis="x", rotation=45)
        routes = [r for r, f in everything["route_share"].items() if f["value"] is not None]
        right.bar(routes, [everything["route_share"][r]["value"] for r in routes], color="tab:green")
        right.set(ylim=(0, 1), title="Appointments by route")
        right.tick_params(axis="x", rotation=45)
        written.append(_save(figure, folder / "stages-and-routes.png"))
    return written


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def markdown(report: dict[str, Any], overall: dict[str, Any], images: list[str]) -> str:
    lines = [
        f"# Selection figures {report['from'] or '…'} – {report['to'] or '…'}",
        "",
        f"Cells computed over fewer than {report['min_cell']} are suppressed (—).",
        "",
        f"| {report['by'] or 'all'} | competitions | applications | per place | target | no winner | "
        "time to fill (wd) | appointments | alert reach |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for g in report["groups"]:
        lines.append(
            f"| {g['key']} | {g['competitions']} | {g['applications']} | {_cell(g['candidates_per_place']['value'])} "
            f"| {_cell(g['candidates_per_place']['target'])} | {_cell(g['no_winner_share']['value'])} | "
            f"{_cell(g['time_to_fill_working_days']['value'])} | {g['appointments']} | "
            f"{_cell(g['alert_reach']['value'])} |"
        )
    if overall["groups"]:
        everything = overall["groups"][0]
        lines += [
            "",
            "Pass rate per stage: " + ", ".join(f"{s} {_cell(f['value'])}" for s, f in everything["pass_rate"].items()),
            "Appointments by route: "
            + ", ".join(f"{r} {_cell(f['value'])}" for r, f in everything["route_share"].items()),
            "Done fully online: "
            + ", ".join(f"{kind} {_cell(f['value'])}" for kind, f in everything["online_share"].items()),
        ]
    lines += ["", *(f"![{name}]({name})" for name in images), ""]
    return "\n".join(lines)


def write_report(report: dict[str, Any], monthly: dict[str, Any], overall: dict[str, Any], folder: Path) -> Path:
    """``report.md``, ``figures.json`` and the plots in ``folder``; the Markdown file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    images = plots(monthly, overall, folder)
    (folder / "figures.json").write_text(json.dumps(report, default=str, ensure_ascii=False, indent=2) + "\n")
    path = folder / "report.md"
    path.write_text(markdown(report, overall, images))
    return path
