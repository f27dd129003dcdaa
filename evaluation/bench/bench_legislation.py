"""Throughput of the vectorised legislation scorer against the floor ``(responses == key).sum(axis=1)``.

The floor only counts correct answers per sheet; the scorer also counts per act and applies
both pass marks. Goal: ratio (our sheets/second over the floor's) >= 0.5, measured in one run.

    python -m evaluation.bench.bench_legislation [--sheets N] [--repeats R]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from app.rules.legislation import score_legislation_sheets
from app.rules.policy import SelectionPolicy

GOAL_RATIO = 0.5
SEED = 20260302


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` timed runs (the least disturbed by other work on the machine)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sheets", type=int, default=1_000_000, help="answer sheets (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each, best kept (default 5)")
    args = parser.parse_args(argv)

    policy = SelectionPolicy()
    questions = policy.legislation_questions_total
    rng = np.random.default_rng(SEED)
    key = rng.integers(0, 4, questions, dtype=np.uint8)
    responses = rng.integers(0, 4, (args.sheets, questions), dtype=np.uint8)

    floor = (responses == key).sum(axis=1)
    ours = score_legislation_sheets(responses, key, policy)
    if not np.array_equal(ours.total, floor):
        raise SystemExit("the scorer's totals differ from the floor's")

    floor_s = best_seconds(lambda: (responses == key).sum(axis=1), args.repeats)
    ours_s = best_seconds(lambda: score_legislation_sheets(responses, key, policy), args.repeats)
    floor_rate = args.sheets / floor_s
    ours_rate = args.sheets / ours_s
    ratio = ours_rate / floor_rate
    print(f"sheets: {args.sheets:,} x {questions} uint8, best of {args.repeats}")
    print(f"floor (responses == key).sum(axis=1): {floor_rate:,.0f} sheets/s ({floor_s * 1000:.1f} ms)")
    print(f"score_legislation_sheets:             {ours_rate:,.0f} sheets/s ({ours_s * 1000:.1f} ms)")
    print(f"ratio: {ratio:.2f}")
    print(f"goal ratio >= {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
