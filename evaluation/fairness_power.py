"""How often the stage audit flags a known adverse impact, and how often it flags none that exists.

Simulated stages: candidates split evenly into groups A and B; A passes at 50 %; B passes at 0.6 × A's
rate (30 %, a known adverse impact) or at A's rate (none). For 50, 200 and 1,000 candidates per stage
each scenario is drawn ``--replicates`` times and audited by ``app.research.figures.stage_figures``
(the service's own figures). Reported per cell: the share of draws where B's impact ratio is under 0.8
(the four-fifths flag), where Fisher's exact test against A gives p < 0.05, where both hold, and
where, under the default minimum cell of 10, B's row is suppressed (so nothing can be flagged).

    python -m evaluation.fairness_power [--replicates R] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
import pandas as pd

from app.research.figures import stage_figures
from app.research.privacy import suppress

SIZES = (50, 200, 1000)
RATE_A = 0.5
IMPACT = 0.6


def simulate(size: int, ratio: float, replicates: int, rng: np.random.Generator, min_cell: int) -> dict[str, Any]:
    groups = np.array(["A", "B"] * (size // 2) + ["A"] * (size % 2))
    rates = np.where(groups == "A", RATE_A, RATE_A * ratio)
    four_fifths = fisher = both = suppressed = flagged_private = 0
    for _ in range(replicates):
        frame = pd.DataFrame({"g": groups, "selected": rng.random(size) < rates})
        figures = stage_figures(frame, "g", min_cell=0, draws=50)
        row = next(r for r in figures["groups"] if r["group"] == "B")
        ratio_b = row["impact_ratio"] if figures["reference"] == "A" else 1.0
        flag = ratio_b is not None and ratio_b < 0.8
        significant = figures["reference"] == "A" and row["fisher_p"] is not None and row["fisher_p"] < 0.05
        four_fifths += flag
        fisher += significant
        both += flag and significant
        counts = {r["group"]: [r["n"], r["selected"], r["n"] - r["selected"]] for r in figures["groups"]}
        hidden = "B" in suppress(counts, min_cell=min_cell).hidden  # what stage_figures would hide
        suppressed += hidden
        flagged_private += (not hidden) and flag and significant
    return {
        "candidates": size,
        "b_rate_ratio": ratio,
        "replicates": replicates,
        "four_fifths_flag": four_fifths / replicates,
        "fisher_p_lt_05": fisher / replicates,
        "flag_and_significant": both / replicates,
        "b_suppressed_at_min_cell": suppressed / replicates,
        "flag_and_significant_after_suppression": flagged_private / replicates,
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=400)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--min-cell", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = [simulate(size, ratio, args.replicates, rng, args.min_cell) for size in SIZES for ratio in (IMPACT, 1.0)]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(
            "| candidates | B/A true | 4/5 flag | Fisher p<.05 | both | B suppressed (min cell) | both, after "
            "suppression |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['candidates']} | {r['b_rate_ratio']} | {r['four_fifths_flag']:.3f} | "
                f"{r['fisher_p_lt_05']:.3f} | {r['flag_and_significant']:.3f} | {r['b_suppressed_at_min_cell']:.3f}"
                f" | {r['flag_and_significant_after_suppression']:.3f} |"
            )
    return rows


if __name__ == "__main__":
    main()
