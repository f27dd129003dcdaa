"""Time ``replay`` (validate, run, print) on one seeded 10,000-candidate competition against a sort baseline.

Goal: a whole competition of 10,000 candidates in under 1 s. The baseline, measured in the
same run, is sorting the candidates' 10,000 exact totals with plain Python, so the ratio says
how many such sorts one replay costs on this machine.

    python -m evaluation.bench.bench_replay [--candidates N] [--repeat R] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from app.rules.policy import LEGISLATION_ACTS, SelectionPolicy
from app.rules.replay import replay

GOAL_SECONDS = 1.0


def random_competition(candidates: int, seed: int) -> dict[str, Any]:
    """A valid replay document: most candidates pass the early stages, some carry violations."""
    rng = random.Random(seed)
    policy = SelectionPolicy()
    questions = policy.legislation_questions
    levels = ("secondary", "technical_vocational", "bachelor", "master", "doctorate")
    stages = ("eligibility", "personal_qualities", "reasoning", "essay", "interview")
    people: list[dict[str, Any]] = []
    for index in range(candidates):
        person: dict[str, Any] = {
            "ref": f"c{index:05d}",
            "experience_months": rng.randrange(0, 360),
            "education_level": rng.choice(levels),
        }
        if rng.random() < 0.2:
            person["legislation_certificate_valid"] = True
        else:
            person["legislation"] = {act: rng.randint(questions[act] // 3, questions[act]) for act in LEGISLATION_ACTS}
        person["personal_qualities"] = {"percent": rng.randrange(3000, 10001) / 100, "reliable": rng.random() > 0.05}
        person["reasoning"] = {"text": rng.randint(5, 25), "numeric": rng.randint(5, 25)}
        members = rng.randint(3, 7)
        person["essay"] = [rng.randint(1, 5) for _ in range(members)]
        person["interview"] = [rng.randint(2, 5) for _ in range(members)]
        if rng.random() < 0.02:
            person["violations"] = [rng.choice(stages)]
        people.append(person)
    return {
        "competition": {"category": "C-1", "results_published_on": "2026-03-16"},
        "candidates": people,
    }


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The shortest of ``repeat`` wall-clock timings (the least disturbed run)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20260316)
    args = parser.parse_args(argv)

    document = random_competition(args.candidates, args.seed)
    output = replay(document)
    seconds = best_of(args.repeat, lambda: replay(document))

    rng = random.Random(args.seed)
    totals = [Fraction(rng.randrange(0, 5_000_000), 1_000_000) for _ in range(args.candidates)]
    baseline = best_of(args.repeat, lambda: sorted(totals, reverse=True))

    reasoning = output["stages"][2]  # type: ignore[index]
    print(f"replay of {args.candidates} candidates: {seconds:.3f} s (best of {args.repeat})")
    print(
        f"  reasoning: {len(reasoning['entered'])} entered, {len(reasoning['advanced'])} advanced; "
        f"winner {output['winner']}"
    )
    print(f"  goal under {GOAL_SECONDS:g} s: {'met' if seconds < GOAL_SECONDS else 'NOT met'}")
    print(f"baseline, sorting {args.candidates} exact totals: {baseline:.4f} s")
    print(f"  ratio replay / baseline: {seconds / baseline:.1f}x")


if __name__ == "__main__":
    main()
