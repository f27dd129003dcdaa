"""Small cells are suppressed, and no suppressed cell can be computed back from what is published."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from app.research.audit import run_audit
from app.research.figures import stage_figures
from app.research.privacy import recoverable_rows, suppress


def _consistent_values(
    values: list[str],
    counts: dict[str, int],
    hidden: set[str],
    margins: list[list[str]],
) -> dict[str, tuple[int, int]]:
    """The smallest and largest count each hidden row can have while every published margin sum still holds
    (integer programs over the hidden counts, SciPy's ``milp``): an outsider's best bounds."""
    unknown = [v for v in values if v in hidden]
    rows, targets = [], []
    for margin in margins:
        rows.append([1.0 if v in margin else 0.0 for v in unknown])
        targets.append(sum(counts[v] for v in margin if v in hidden))
    constraint = LinearConstraint(np.array(rows), targets, targets)
    integral = np.ones(len(unknown))
    found = {}
    for i, value in enumerate(unknown):
        goal = np.zeros(len(unknown))
        goal[i] = 1.0
        low = milp(goal, constraints=constraint, integrality=integral, bounds=Bounds(0, np.inf))
        high = milp(-goal, constraints=constraint, integrality=integral, bounds=Bounds(0, np.inf))
        found[value] = (round(low.x[i]), round(high.x[i]))
    return found


def test_a_lone_small_group_takes_a_complement_and_neither_is_recoverable() -> None:
    counts = {"a": [40, 20, 20], "b": [30, 15, 15], "c": [4, 1, 3], "d": [25, 12, 13]}
    found = suppress(counts, min_cell=10)
    assert found.hidden == {"c": "small", "d": "complementary"}
    sizes = {v: c[0] for v, c in counts.items()}
    possible = _consistent_values(list(counts), sizes, set(found.hidden), [list(counts)])
    assert all(low < high for low, high in possible.values())
    assert recoverable_rows(list(counts), found.hidden) == []


def test_an_intersection_is_protected_against_its_margins() -> None:
    cells = {"f×kk": 3, "f×ru": 30, "m×kk": 25, "m×ru": 41}
    counts = {v: [n] for v, n in cells.items()}
    found = suppress(counts, min_cell=10, intersection=True)
    assert found.hidden["f×kk"] == "small" and len(found.hidden) == 4  # a 2×2 with one small cell needs all four hidden
    margins = [list(cells), ["f×kk", "f×ru"], ["m×kk", "m×ru"], ["f×kk", "m×kk"], ["f×ru", "m×ru"]]
    possible = _consistent_values(list(cells), cells, set(found.hidden), margins)
    assert possible["f×kk"][0] < possible["f×kk"][1]


def test_a_3x2_intersection_hides_a_rectangle_and_publishes_the_rest() -> None:
    cells = {"a×kk": 4, "a×ru": 50, "b×kk": 40, "b×ru": 45, "c×kk": 60, "c×ru": 70}
    found = suppress({v: [n] for v, n in cells.items()}, min_cell=10, intersection=True)
    assert "a×kk" in found.hidden and len(found.hidden) == 4 and "c×ru" not in found.hidden
    margins = [
        list(cells),
        ["a×kk", "a×ru"],
        ["b×kk", "b×ru"],
        ["c×kk", "c×ru"],
        ["a×kk", "b×kk", "c×kk"],
        ["a×ru", "b×ru", "c×ru"],
    ]
    possible = _consistent_values(list(cells), cells, set(found.hidden), margins)
    assert all(low < high for low, high in possible.values())


def test_stage_figures_publish_nothing_of_a_suppressed_row() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(["a", "b", "c"], [200, 150, 6])
    frame = pd.DataFrame({"g": groups, "selected": rng.random(len(groups)) < 0.5})
    result = stage_figures(frame, "g", min_cell=10)
    hidden = {row["group"]: row for row in result["groups"] if "suppressed" in row}
    assert set(hidden) == {"b", "c"} and hidden["c"] == {"group": "c", "suppressed": "small"}
    shown = next(row for row in result["groups"] if row["group"] == "a")
    # the published total minus the published row is the two hidden rows together, never one alone
    assert result["n"] - shown["n"] == 156
    assert result["reference"] == "a"


def test_a_table_that_is_small_altogether_hides_its_total() -> None:
    frame = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 3, "selected": [True, False] * 4})
    result = stage_figures(frame, "g", min_cell=10)
    assert result["n"] is None and result["total_suppressed"] is True
    assert all("suppressed" in row for row in result["groups"])


def test_a_row_hidden_at_a_stage_stays_hidden_at_the_later_stages() -> None:
    # reasoning: group b has 30 entrants, 22 pass and 8 fail (a cell under 10: hidden); the interview's 22
    # entrants of b (11 pass, 11 fail) would publish the 22 and give the hidden 22/8 back
    groups = ["a"] * 60 + ["b"] * 30 + ["c"] * 40
    passed = [True] * 30 + [False] * 30 + [True] * 22 + [False] * 8 + [True] * 20 + [False] * 20
    entered = [i for i, ok in enumerate(passed) if ok]
    stages = pd.concat(
        [
            pd.DataFrame({"application": range(len(groups)), "stage": "reasoning", "selected": passed}),
            pd.DataFrame(
                {"application": entered, "stage": "interview", "selected": [k % 2 == 0 for k in range(len(entered))]}
            ),
        ]
    )
    report = run_audit(
        records=pd.DataFrame({"region": groups}), stages=stages, essays=None, groups=["region"], min_cell=10, scope={}
    )
    reasoning = report["stages"]["reasoning"]["by_group"]["region"]
    interview = report["stages"]["interview"]["by_group"]["region"]
    assert reasoning["suppressed"]["b"] == "small"
    assert interview["suppressed"]["b"] == "earlier_stage"
    assert all("n" not in row for row in interview["groups"] if row["group"] == "b")
