"""Time the fairness audit of one generated national year against a plain pandas group-by of the same rates.

Goal (issue 16): 200,000 applications over 10,000 competitions, every stage, audited for six group
definitions with intervals (Wilson and bootstrap), tests, ratios and suppression in ≤ 30 s. The
baseline, measured in the same run, derives the same group columns (the IIN read by the rules core) and
runs one pandas ``groupby(["stage", group]).selected.mean()`` per group definition on the joined table,
so the ratio says what the audit's extra figures cost. Wall and process CPU seconds are both printed:
this machine's 2 cores are shared, so the CPU seconds are the figure to compare across runs.

    python -m evaluation.bench.bench_fairness [--applications N] [--competitions C] [--seed S]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from app.research.audit import run_audit
from app.research.groups import group_columns, parse_groups
from app.rules.iin import iin_check_digit

GOAL_SECONDS = 30.0
GROUPS = "sex,age_band,language,region,education,sex*language"
REGIONS = (
    "Astana",
    "Almaty",
    "Shymkent",
    "Abai",
    "Akmola",
    "Aktobe",
    "Almaty region",
    "Atyrau",
    "East Kazakhstan",
    "Jambyl",
    "Jetisu",
    "Karaganda",
    "Kostanay",
    "Kyzylorda",
    "Mangystau",
    "North Kazakhstan",
    "Pavlodar",
    "Turkistan",
    "Ulytau",
    "West Kazakhstan",
)
STAGES = (
    ("application", 0.92),
    ("eligibility", 0.75),
    ("personal_qualities", 0.8),
    ("reasoning", 0.6),
    ("essay", 0.7),
    ("interview", 0.6),
    ("final", 0.4),
)


def national_year(applications: int, competitions: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``records``, ``stages`` and ``essays`` of a generated year: IINs with the check digit, a mild adverse
    impact on women at the reasoning stage, and scores at the scored stages."""
    rng = np.random.default_rng(seed)
    female = rng.random(applications) < 0.52
    years = rng.integers(60, 104, applications)  # born 1960-2003
    months, days = rng.integers(1, 13, applications), rng.integers(1, 29, applications)
    iins = []
    for i in range(applications):
        year = int(years[i])
        century = ("4" if female[i] else "3") if year < 100 else ("6" if female[i] else "5")
        stem = f"{year % 100:02d}{int(months[i]):02d}{int(days[i]):02d}{century}"
        for serial in range(i % 9000, i % 9000 + 20):
            check = iin_check_digit(f"{stem}{serial:04d}")
            if check is not None:
                iins.append(f"{stem}{serial:04d}{check}")
                break
    records = pd.DataFrame(
        {
            "application": np.arange(applications),
            "iin": iins,
            "applied_on": "2026-06-01",
            "language": rng.choice(["kk", "ru", ""], applications, p=[0.55, 0.44, 0.01]),
            "region": rng.choice(REGIONS, applications),
            "education": rng.choice(
                ["bachelor", "master", "doctorate", "technical_vocational"], applications, p=[0.6, 0.3, 0.03, 0.07]
            ),
            "accommodation": rng.choice(["no", "yes"], applications, p=[0.98, 0.02]),
            "reserve": rng.choice(["no", "yes"], applications, p=[0.9, 0.1]),
            "competition": rng.integers(0, competitions, applications),
        }
    ).set_index("application")
    alive = np.ones(applications, dtype=bool)
    parts = []
    for stage, rate in STAGES:
        ids = np.flatnonzero(alive)
        chance = np.full(len(ids), rate) * np.where((stage == "reasoning") & female[ids], 0.75, 1.0)
        selected = rng.random(len(ids)) < chance
        score = np.where(
            stage in ("personal_qualities", "essay", "interview", "final"),
            rng.normal(60, 15, len(ids)) + 5 * selected,
            np.nan,
        )
        parts.append(pd.DataFrame({"application": ids, "stage": stage, "selected": selected, "score": score}))
        alive[ids[~selected]] = False
    stages = pd.concat(parts, ignore_index=True)
    essay_ids = parts[4]["application"].to_numpy()
    human = rng.integers(1, 6, len(essay_ids))
    essays = pd.DataFrame(
        {
            "application": essay_ids,
            "human": human,
            "machine": np.clip(human + rng.integers(-1, 2, len(essay_ids)), 1, 5),
        }
    )
    return records.drop(columns="competition"), stages, essays


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--competitions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    records, stages, essays = national_year(args.applications, args.competitions, args.seed)
    generated = time.perf_counter() - started
    names = parse_groups(GROUPS)

    started, cpu = time.perf_counter(), time.process_time()
    report = run_audit(
        records=records, stages=stages, essays=essays, groups=names, min_cell=10, scope={"bench": "national year"}
    )
    audit_seconds, audit_cpu = time.perf_counter() - started, time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    joined = stages.join(group_columns(records, names), on="application")
    baseline_rates = {name: joined.groupby(["stage", name])["selected"].mean() for name in names}
    baseline_seconds, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu

    # the audit's published rates are the group-by's (where a row is published)
    for name in names:
        for stage, block in report["stages"].items():
            for row in block["by_group"][name]["groups"]:
                if "rate" in row:
                    assert abs(row["rate"] - baseline_rates[name][(stage, row["group"])]) < 1e-5
    result = {
        "applications": args.applications,
        "competitions": args.competitions,
        "stage_rows": len(stages),
        "group_definitions": len(names),
        "generate_s": round(generated, 2),
        "audit_s": round(audit_seconds, 2),
        "pandas_groupby_s": round(baseline_seconds, 3),
        "ratio": round(audit_seconds / baseline_seconds, 1),
        "audit_cpu_s": round(audit_cpu, 2),
        "pandas_groupby_cpu_s": round(baseline_cpu, 2),
        "goal_s": GOAL_SECONDS,
        "meets_goal": audit_seconds <= GOAL_SECONDS,
        "flags": sum(
            1
            for block in report["stages"].values()
            for figures in block["by_group"].values()
            for row in figures["groups"]
            if row.get("four_fifths_flag")
        ),
    }
    print(result)
    return result


if __name__ == "__main__":
    main()
