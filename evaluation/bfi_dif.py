"""Item DIF by gender on real data: the 25 Big-Five items of ``psych::bfi`` (2,800 people), Mantel–Haenszel
with the ETS A/B/C classes of ``evaluation.items``, each item scored agree (4–6) / disagree (1–3) and matched
on its own scale's agree count (A, C, E, N, O).

``../shared/data/psychometrics/bfi.csv`` holds the items (reverse-keyed ones recoded) but not gender; the
``psych`` package's own ``bfi`` (with ``gender``: 1 male, 2 female) is joined on the respondent number.
Give its path with ``--gender``; it is read from outside the repository, never copied into it.

    python -m evaluation.bfi_dif --gender var/bfi/psych_bfi_with_gender.csv [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.bias import likert_dif

DEFAULT_ITEMS = Path("../shared/data/psychometrics/bfi.csv")
SCALES = {factor: [f"{factor}{k}" for k in range(1, 6)] for factor in "ACENO"}
GENDER = {"1": "male", "2": "female"}


def evaluate(items: Path, gender: Path) -> dict[str, Any]:
    answers = pd.read_csv(items, dtype=str)
    answers = answers.rename(columns={answers.columns[0]: "id"})
    people = pd.read_csv(gender, dtype=str)
    people = (
        people.rename(columns={"X": "id"})
        if "X" in people.columns
        else people.rename(columns={people.columns[0]: "id"})
    )
    joined = answers.merge(people[["id", "gender"]], on="id", how="left")
    joined["gender"] = joined["gender"].map(GENDER)
    found = likert_dif(joined, group="gender", scales=SCALES, reference="male")
    found["n_joined"] = int(joined["gender"].notna().sum())
    return found


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, default=DEFAULT_ITEMS)
    parser.add_argument("--gender", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for path in (args.items, args.gender):
        if not path.exists():
            print(f"bfi_dif: {path}: no such file", file=sys.stderr)
            raise SystemExit(2)
    found = evaluate(args.items, args.gender)
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        dif = found["dif"]
        print(
            f"reference {dif['reference']} ({dif['n_reference']}), focal {dif['focal']} ({dif['n_focal']}); "
            f"{found['scoring']}"
        )
        print("| item | MH D-DIF | p | ETS | favours |")
        print("|---|---|---|---|---|")
        for item, row in dif["items"].items():
            d, p = row["d_dif"], row["p_value"]
            print(
                f"| {item} | {'–' if d is None else f'{d:+.2f}'} | {'–' if p is None else f'{p:.2g}'} | "
                f"{row['ets_class']} | {row.get('favours', '')} |"
            )
    return found


if __name__ == "__main__":
    main()
