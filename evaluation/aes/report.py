"""What a run prints and writes: the plain-text summary, the Markdown report with its tables and PNG plots."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.aes.data import ASAP_PROMPTS
from evaluation.aes.metrics import PUBLISHED_CROSS_PROMPT, PUBLISHED_SAME_PROMPT, QWK_MIN
from evaluation.aes.run import AesEvaluation


def _cell(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _save(figure: Any, path: Path) -> str:
    """Lay out, write (PNG, 100 dpi) and close one figure; its file name."""
    import matplotlib.pyplot as plt  # noqa: PLC0415  matplotlib loads in about a second; only a report draws

    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path.name


def per_prompt_table(report: dict[str, Any]) -> list[str]:
    """Markdown rows of the same-prompt table with the mean row."""
    lines = [
        "| prompt | range | n | human QWK | QWK (fold mean) | QWK pooled | Pearson | exact | adjacent | SMD | "
        "degradation | QWK ≥ .70 | abs SMD ≤ .15 | degr. ≤ .10 | meets ETS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|:-:|:-:|",
    ]
    for prompt, row in report["per_prompt"].items():
        low, high = row["score_range"]
        lines.append(
            f"| {prompt} | {low}–{high} | {row['n']} | {_cell(row['human_qwk'])} | **{_cell(row['qwk'])}** | "
            f"{_cell(row['qwk_pooled'])} | {_cell(row['pearson'])} | {_cell(row['exact'])} | "
            f"{_cell(row['adjacent'])} | {_cell(row['smd'])} | {_cell(row['degradation'])} | "
            f"{_cell(row['qwk_ok'])} | {_cell(row['smd_ok'])} | {_cell(row['degradation_ok'])} | "
            f"{_cell(row['meets_ets'])} |"
        )
    rows = list(report["per_prompt"].values())
    lines.append(
        f"| **mean** | | {sum(row['n'] for row in rows)} | "
        f"{_cell(float(np.mean([row['human_qwk'] for row in rows])))} | **{_cell(report['mean_qwk'])}** | "
        f"{_cell(float(np.mean([row['qwk_pooled'] for row in rows])))} | | | | | | | | | "
        f"{_cell(report['all_prompts_meet_ets'])} |"
    )
    return lines


def render_text(report: dict[str, Any]) -> str:
    """The plain-text summary the command prints without ``--json``."""
    lines = [
        f"{'prompt':<7}{'n':>6}{'human':>8}{'QWK':>8}{'pooled':>8}{'r':>8}{'exact':>8}{'adj':>8}{'SMD':>8}"
        f"{'degr':>8}  ETS"
    ]
    for prompt, row in report["per_prompt"].items():
        lines.append(
            f"{prompt:<7}{row['n']:>6}{_cell(row['human_qwk']):>8}{_cell(row['qwk']):>8}"
            f"{_cell(row['qwk_pooled']):>8}{_cell(row['pearson']):>8}{_cell(row['exact']):>8}"
            f"{_cell(row['adjacent']):>8}{_cell(row['smd']):>8}{_cell(row['degradation']):>8}  "
            f"{'meets' if row['meets_ets'] else 'misses'}"
        )
    lines.append(f"mean QWK {report['mean_qwk']:.3f} (published: NPCR 0.817, R2BERT 0.794, multi-scale BERT 0.791)")
    if report["learning_curve"]:
        lines.append(
            "learning curve: " + ", ".join(f"{n}: {value:.3f}" for n, value in report["learning_curve"].items())
        )
    if report["cross_prompt"]:
        lines.append(
            f"cross-prompt mean QWK {report['cross_prompt']['mean_qwk']:.3f} (PAES 0.657, CTS 0.670): "
            + ", ".join(f"{prompt}: {row['qwk']:.3f}" for prompt, row in report["cross_prompt"]["per_prompt"].items())
        )
    return "\n".join(lines)


def _plots(evaluation: AesEvaluation, folder: Path) -> list[str]:
    import matplotlib  # noqa: PLC0415  matplotlib loads in about a second; only a report draws

    matplotlib.use("Agg")  # files only, no display: chosen before pyplot is first imported
    import matplotlib.pyplot as plt  # noqa: PLC0415  after the backend is chosen

    report = evaluation.report
    written = []
    prompts = list(report["per_prompt"])
    x = np.arange(len(prompts))

    figure, axes = plt.subplots(figsize=(8, 4))
    axes.bar(x - 0.2, [report["per_prompt"][p]["qwk"] for p in prompts], 0.4, label="machine–human QWK")
    axes.bar(
        x + 0.2, [report["per_prompt"][p]["human_qwk"] for p in prompts], 0.4, label="human–human QWK", color="tab:gray"
    )
    axes.axhline(QWK_MIN, color="tab:red", linestyle="--", label=f"ETS threshold {QWK_MIN:.2f}")
    axes.set(
        xticks=x,
        xticklabels=prompts,
        xlabel="ASAP prompt",
        ylabel="QWK",
        ylim=(0, 1),
        title=f"Same-prompt QWK (mean {report['mean_qwk']:.3f})",
    )
    axes.legend(loc="lower right")
    written.append(_save(figure, folder / "aes-per-prompt-qwk.png"))

    if report["learning_curve"]:
        curve = report["learning_curve"]
        sizes = [size for size in curve if size != "all"]
        figure, axes = plt.subplots(figsize=(6, 4))
        axes.plot([int(size) for size in sizes], [curve[size] for size in sizes], marker="o", label="n essays")
        axes.axhline(curve["all"], color="tab:green", linestyle=":", label=f"all training essays ({curve['all']:.3f})")
        axes.axhline(QWK_MIN, color="tab:red", linestyle="--", label=f"ETS threshold {QWK_MIN:.2f}")
        axes.set(
            xscale="log",
            xlabel="training essays per prompt",
            ylabel="mean QWK over prompts",
            ylim=(0, 1),
            title="Learning curve",
        )
        axes.set_xticks([int(size) for size in sizes], labels=sizes)
        axes.legend(loc="lower right")
        written.append(_save(figure, folder / "aes-learning-curve.png"))

    if report["cross_prompt"]:
        cross = report["cross_prompt"]
        held = list(cross["per_prompt"])
        figure, axes = plt.subplots(figsize=(8, 4))
        axes.bar(
            np.arange(len(held)),
            [cross["per_prompt"][p]["qwk"] for p in held],
            0.6,
            label=f"ours (mean {cross['mean_qwk']:.3f})",
        )
        for (name, value), style in zip(PUBLISHED_CROSS_PROMPT.items(), (":", "--"), strict=True):
            axes.axhline(
                value,
                color="tab:orange" if name == "PAES" else "tab:purple",
                linestyle=style,
                label=f"{name} mean {value:.3f}",
            )
        axes.set(
            xticks=np.arange(len(held)),
            xticklabels=held,
            xlabel="held-out prompt",
            ylabel="QWK",
            ylim=(0, 1),
            title="Cross-prompt (leave one prompt out)",
        )
        axes.legend(loc="lower right")
        written.append(_save(figure, folder / "aes-cross-prompt.png"))

    same = evaluation.predictions
    if not same.empty:
        same = same[same["part"] == "same_prompt"]
        columns = min(4, len(prompts))
        grid_rows = math.ceil(len(prompts) / columns)
        figure, axes_grid = plt.subplots(grid_rows, columns, figsize=(4 * columns, 3.8 * grid_rows), squeeze=False)
        for index, prompt in enumerate(prompts):
            axes = axes_grid[index // columns][index % columns]
            low, high = ASAP_PROMPTS[int(prompt)].score_range
            rows = same[same["prompt"] == int(prompt)]
            size = high - low + 1
            matrix = np.zeros((size, size), dtype=np.int64)
            np.add.at(matrix, (rows["human"].to_numpy() - low, rows["machine"].to_numpy() - low), 1)
            shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
            axes.imshow(
                shares,
                cmap="Blues",
                vmin=0,
                vmax=1,
                origin="lower",
                extent=(low - 0.5, high + 0.5, low - 0.5, high + 0.5),
            )
            if size <= 13:
                for h in range(size):
                    for m in range(size):
                        if matrix[h, m]:
                            axes.text(
                                low + m,
                                low + h,
                                str(matrix[h, m]),
                                ha="center",
                                va="center",
                                fontsize=7,
                                color="white" if shares[h, m] > 0.5 else "black",
                            )
            axes.set(title=f"prompt {prompt}", xlabel="machine", ylabel="human")
        for index in range(len(prompts), grid_rows * columns):
            axes_grid[index // columns][index % columns].axis("off")
        figure.suptitle("Pooled test folds: counts, shaded by share of each human score")
        written.append(_save(figure, folder / "aes-confusion.png"))
    return written


def write_report(evaluation: AesEvaluation, folder: str | Path) -> Path:
    """``folder/aes-report.md`` with the tables and its PNG plots beside it; also the predictions as CSV."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    report = evaluation.report
    plots = _plots(evaluation, out)
    if not evaluation.predictions.empty:
        evaluation.predictions.to_csv(out / "aes-predictions.csv", index=False)
    settings = report["settings"]
    lines = [
        "# Essay scorer on ASAP-AES",
        "",
        f"Prompts {', '.join(str(p) for p in settings['prompts'])}; {settings['essays']} essays"
        + (
            f" (first {settings['limit']} per prompt: a quick run, not comparable with published figures)"
            if settings["limit"]
            else ""
        )
        + f"; {report['seconds']} s. Embedder `{report['embedder']}`.",
        "",
    ]
    if report.get("model"):
        lines += [f"Model: `{report['model'].get('name')}` {report['model'].get('version', '')}", ""]
    lines += [
        "## Same prompt (5 folds of Taghipour & Ng 2016)",
        "",
        "Each prompt its own model, fitted on the fold's train + dev essays (the scorer tunes itself by "
        "internal cross-validation) and scored on its test essays. QWK is the mean of the 5 fold QWKs; the "
        "other figures are on the 5 test folds pooled. SMD = (mean machine − mean human) / "
        "sqrt((var machine + var human) / 2); degradation = human–human QWK − QWK. Thresholds (Williamson "
        "et al. 2012): QWK ≥ 0.70, |SMD| ≤ 0.15, degradation ≤ 0.10.",
        "",
        *per_prompt_table(report),
        "",
        "Published mean QWK on these folds: "
        + ", ".join(f"{name} {value:.3f}" for name, value in PUBLISHED_SAME_PROMPT.items())
        + ".",
        "",
        "![per-prompt QWK](aes-per-prompt-qwk.png)",
        "",
    ]
    if report["learning_curve"]:
        detail = report["learning_curve_per_prompt"]
        header = "| training essays | mean QWK | " + " | ".join(f"prompt {p}" for p in report["per_prompt"]) + " |"
        lines += [
            "## Learning curve",
            "",
            f"Each prompt's model trained on the first n essays of a seeded permutation of each fold's training "
            f"essays (folds 0..{settings['curve_folds'] - 1}): what a new topic can expect.",
            "",
            header,
            "|---|---:|" + "---:|" * len(report["per_prompt"]),
        ]
        for size, value in report["learning_curve"].items():
            lines.append(
                f"| {size} | **{_cell(value)}** | "
                + " | ".join(_cell(detail[size].get(p)) for p in report["per_prompt"])
                + " |"
            )
        lines += ["", "![learning curve](aes-learning-curve.png)", ""]
    if report["cross_prompt"]:
        cross = report["cross_prompt"]
        lines += [
            "## Cross prompt (leave one prompt out)",
            "",
            f"One model trained on the other prompts, {cross['scale']}. Published: PAES 0.657, CTS 0.670.",
            "",
            "| held-out prompt | trained on | training essays | test essays | QWK | Pearson | exact | adjacent |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for prompt, row in cross["per_prompt"].items():
            lines.append(
                f"| {prompt} | {', '.join(str(p) for p in row['trained_on'])} | {row['n_train']} | "
                f"{row['n']} | {_cell(row['qwk'])} | {_cell(row['pearson'])} | {_cell(row['exact'])} | "
                f"{_cell(row['adjacent'])} |"
            )
        lines += [
            f"| **mean** | | | | **{_cell(cross['mean_qwk'])}** | | | |",
            "",
            f"Above CTS (0.670): {_cell(cross['above_cts'])}.",
            "",
            "![cross-prompt QWK](aes-cross-prompt.png)",
            "",
        ]
    if "aes-confusion.png" in plots:
        lines += ["## Confusion (same prompt, pooled test folds)", "", "![confusion matrices](aes-confusion.png)", ""]
    path = out / "aes-report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
