"""Item analysis: hand-computed statistics, key scoring, long-format pivot, DIF, references, CLI exit codes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.items import (
    ItemAnalysisError,
    analyse,
    ets_class,
    parse_scale,
    read_key,
    read_responses,
)

ROOT = Path(__file__).resolve().parents[3]
PSYCHOMETRICS = ROOT.parent / "shared" / "data" / "psychometrics"
needs_shared = pytest.mark.skipif(
    not PSYCHOMETRICS.is_dir(),
    reason=f"reference data {PSYCHOMETRICS} is absent (the shared data folder next to the repository)",
)


def _frame(columns: Mapping[str, Sequence[object]]) -> pd.DataFrame:
    """Cells as strings with None for missing, the way read_responses hands them over."""
    return pd.DataFrame(
        {name: [None if value is None else str(value) for value in values] for name, values in columns.items()}
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- per-item statistics -------------------------------------------------------------------------------------

DICHOTOMOUS = {"I1": [1, 1, 0, 0], "I2": [1, 0, 1, 0], "I3": [1, 1, 1, 0], "I4": [1, 1, 1, 1]}


def test_difficulty_and_point_biserial_match_hand_computation() -> None:
    report = analyse(_frame(DICHOTOMOUS))
    item = report["items"]["I1"]
    # totals 4,3,3,1; I1 splits them into {4,3} and {3,1}: r = (M1 - M0) * sqrt(pq) / s = 0.75 / sqrt(19/16)
    assert item["difficulty"] == 0.5
    assert item["type"] == "dichotomous"
    assert item["n"] == 4 and item["missing"] == 0
    assert item["point_biserial"] == pytest.approx(3 / math.sqrt(19), abs=1e-12)
    # rest scores 3,2,3,1: r = 0.5 * 0.5 / sqrt(11/16)
    assert item["corrected_item_total"] == pytest.approx(1 / math.sqrt(11), abs=1e-12)
    assert report["items"]["I3"]["difficulty"] == 0.75
    assert item["flags"] == []


def test_constant_item_is_flagged_without_correlations() -> None:
    item = analyse(_frame(DICHOTOMOUS))["items"]["I4"]
    assert item["difficulty"] == 1.0
    assert item["point_biserial"] is None and item["corrected_item_total"] is None
    assert item["flags"] == ["no_variance", "difficulty_out_of_range"]


def test_difficulty_flag_boundaries() -> None:
    # 20 people; an anchor pair makes everyone's rest score vary with ability
    ability = list(range(20))
    easy = [1] * 19 + [0]  # p = 0.95: inside the range
    hard = [0] * 16 + [1] * 4  # p = 0.20: inside the range
    too_hard = [0] * 17 + [1] * 3  # p = 0.15
    anchor = [int(a >= 10) for a in ability]
    report = analyse(_frame({"easy": easy, "hard": hard, "too_hard": too_hard, "anchor": anchor}))
    assert report["items"]["easy"]["difficulty"] == 0.95
    assert "difficulty_out_of_range" not in report["items"]["easy"]["flags"]
    assert report["items"]["hard"]["difficulty"] == 0.2
    assert "difficulty_out_of_range" not in report["items"]["hard"]["flags"]
    assert "difficulty_out_of_range" in report["items"]["too_hard"]["flags"]


def test_item_against_the_rest_is_flagged_low_discrimination() -> None:
    good = [0, 0, 0, 1, 1, 1]
    report = analyse(_frame({"a": good, "b": good, "c": good, "bad": [1, 1, 1, 0, 0, 0]}))
    assert report["items"]["bad"]["corrected_item_total"] == pytest.approx(-1.0)
    assert report["items"]["bad"]["flags"] == ["low_discrimination"]
    assert report["items"]["a"]["flags"] == []


def test_polytomous_item_reports_mean_and_mean_over_max() -> None:
    item = analyse(_frame({"L1": [1, 2, 3, 4, 5], "L2": [2, 2, 3, 5, 5]}))["items"]["L2"]
    assert item["type"] == "polytomous"
    assert item["mean"] == pytest.approx(3.4)
    assert item["max"] == 5.0
    assert item["difficulty"] == pytest.approx(0.68)
    assert "difficulty_out_of_range" not in item["flags"]


def test_missing_answers_are_counted_and_left_out() -> None:
    item = analyse(_frame({"I1": [1, None, 0, 1], "I2": [1, 0, 0, 1]}))["items"]["I1"]
    assert item["n"] == 3 and item["missing"] == 1
    assert item["difficulty"] == pytest.approx(2 / 3)


def test_identifier_and_group_columns_are_not_items() -> None:
    frame = _frame({"id": ["p1", "p2", "p3"], "Unnamed: 0": [1, 2, 3], "I1": [1, 0, 1], "I2": [1, 0, 0]})
    assert list(analyse(frame)["items"]) == ["I1", "I2"]


# --- scales --------------------------------------------------------------------------------------------------


def test_alpha_of_parallel_items_and_scale_membership() -> None:
    frame = _frame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [4, 3, 2, 1], "d": [2, 2, 3, 3]})
    report = analyse(frame, scales=[parse_scale("S=a,b"), parse_scale("T=c,d")])
    assert report["scales"]["S"]["alpha"] == pytest.approx(1.0)
    assert report["scales"]["S"]["n"] == 4 and report["scales"]["S"]["items"] == 2
    assert report["items"]["c"]["scale"] == "T"
    assert set(report["items"]) == {"a", "b", "c", "d"}


def test_scale_specification_errors() -> None:
    assert parse_scale("A = A1, A2") == ("A", ["A1", "A2"])
    for bad in ("A", "=A1,A2", "A=", "A=A1,A1"):
        with pytest.raises(ItemAnalysisError):
            parse_scale(bad)
    with pytest.raises(ItemAnalysisError, match="no such column"):
        analyse(_frame(DICHOTOMOUS), scales=[("S", ["I1", "nope"])])
    with pytest.raises(ItemAnalysisError, match="at least two items"):
        analyse(_frame(DICHOTOMOUS), scales=[("S", ["I1"])])


def test_non_numeric_scores_without_key_are_refused() -> None:
    with pytest.raises(ItemAnalysisError, match=r"item I2, row 2: 'B' is not a score") as caught:
        analyse(_frame({"I1": [1, 0], "I2": [1, "B"]}))
    assert caught.value.code == "non_numeric"


# --- key scoring and distractors ----------------------------------------------------------------------------


def test_key_scores_options_and_counts_distractors(tmp_path: Path) -> None:
    key = read_key(_write(tmp_path / "key.csv", "item,key\nQ1,B\nQ2,c\nQ3,A\n"))
    assert key == {"Q1": "B", "Q2": "c", "Q3": "A"}
    frame = _frame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "Q1": ["B", "B", "A", None],
            "Q2": ["C", "D", "D", "c"],
            "Q3": ["A", "A", "B", "B"],
        }
    )
    report = analyse(frame, key=key)
    # scores: Q1 1,1,0,-; Q2 1,0,0,1 (case-insensitive); Q3 1,1,0,0; totals 3,2,0,1
    q1 = report["items"]["Q1"]
    assert q1["difficulty"] == pytest.approx(2 / 3) and q1["missing"] == 1
    assert report["items"]["Q2"]["difficulty"] == 0.5
    distractors = q1["distractors"]
    assert distractors["key"] == "B"
    assert distractors["all"] == {"A": 1, "B": 2, "(omitted)": 1}
    # 27 % of 4 people rounds to one: the top scorer (total 3) and the bottom one (total 0)
    assert distractors["group_size"] == 1
    assert distractors["upper"] == {"A": 0, "B": 1, "(omitted)": 0}
    assert distractors["lower"] == {"A": 1, "B": 0, "(omitted)": 0}
    assert distractors["upper_lower_d"] == 1.0
    assert report["items"]["Q2"]["distractors"]["all"] == {"c": 2, "D": 2, "(omitted)": 0}


def test_key_errors(tmp_path: Path) -> None:
    with pytest.raises(ItemAnalysisError, match="columns 'item' and 'key'"):
        read_key(_write(tmp_path / "k1.csv", "question,answer\nQ1,A\n"))
    with pytest.raises(ItemAnalysisError, match="keyed twice"):
        read_key(_write(tmp_path / "k2.csv", "item,key\nQ1,A\nQ1,B\n"))
    with pytest.raises(ItemAnalysisError, match="not in the responses"):
        analyse(_frame({"Q1": ["A"]}), key={"Q1": "A", "Q9": "B"})


# --- reading -------------------------------------------------------------------------------------------------


def test_long_format_is_detected_and_pivoted(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.csv", "Subj,Items,Scores\n7,Q2,5\n3,Q1,2\n7,Q1,4\n3,Q2,1\n")
    table = read_responses(path)
    assert table.layout == "long"
    assert list(table.frame.columns) == ["Subj", "Q2", "Q1"]
    assert table.frame.to_dict("records") == [{"Subj": "7", "Q2": "5", "Q1": "4"}, {"Subj": "3", "Q2": "1", "Q1": "2"}]
    assert list(analyse(table.frame)["items"]) == ["Q2", "Q1"]


def test_long_format_duplicate_answer_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.csv", "Subj,Items,Scores\n1,Q1,2\n1,Q1,3\n2,Q1,1\n")
    with pytest.raises(ItemAnalysisError, match="answers item Q1 twice"):
        read_responses(path)


def test_wide_file_with_r_style_na(tmp_path: Path) -> None:
    table = read_responses(_write(tmp_path / "wide.csv", '"","A1","A2"\n"1",5,NA\n"2",3,4\n"3",2,1\n'))
    assert table.layout == "wide"
    report = analyse(table.frame)
    assert list(report["items"]) == ["A1", "A2"]
    assert report["items"]["A2"]["missing"] == 1


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ItemAnalysisError, match="no such file") as caught:
        read_responses(tmp_path / "absent.csv")
    assert caught.value.code == "missing_file"


# --- DIF -----------------------------------------------------------------------------------------------------


def _rasch_two_groups(shift: float) -> pd.DataFrame:
    """1,000 people per group of equal ability on ten Rasch items; item I3 is ``shift`` logits harder for "M"."""
    rng = np.random.default_rng(4)
    n = 1000
    theta = rng.normal(size=2 * n)
    difficulty = np.tile(np.linspace(-1.5, 1.5, 10), (2 * n, 1))
    difficulty[n:, 3] += shift
    correct = rng.random(difficulty.shape) < 1 / (1 + np.exp(-(theta[:, None] - difficulty)))
    frame = pd.DataFrame(correct.astype(int).astype(str), columns=[f"I{i}" for i in range(10)])
    frame["sex"] = ["F"] * n + ["M"] * n
    return frame


def test_biased_item_is_class_c_and_fair_item_class_a() -> None:
    frame = _rasch_two_groups(1.5)
    dif = analyse(frame, group="sex")["dif"]
    assert (dif["reference"], dif["focal"], dif["n_reference"], dif["n_focal"]) == ("F", "M", 1000, 1000)
    biased, fair = dif["items"]["I3"], dif["items"]["I8"]
    assert biased["ets_class"] == "C"
    assert biased["d_dif"] < -1.5 and biased["favours"] == "reference"
    assert fair["ets_class"] == "A"
    assert abs(fair["d_dif"]) < 1.0

    # alpha_MH recomputed by hand from the strata of the total score (studied item included)
    scores = frame[[f"I{i}" for i in range(10)]].astype(int)
    total = scores.sum(axis=1)
    numerator = denominator = 0.0
    for level in sorted(total.unique()):
        stratum = frame[total == level]
        ref, foc = stratum[stratum["sex"] == "F"]["I3"].astype(int), stratum[stratum["sex"] == "M"]["I3"].astype(int)
        if len(ref) == 0 or len(foc) == 0:
            continue
        size = len(ref) + len(foc)
        numerator += ref.sum() * (len(foc) - foc.sum()) / size
        denominator += (len(ref) - ref.sum()) * foc.sum() / size
    assert biased["alpha_mh"] == pytest.approx(numerator / denominator, rel=1e-12)
    assert biased["d_dif"] == pytest.approx(-2.35 * math.log(numerator / denominator), rel=1e-12)


def test_reference_group_can_be_chosen_and_flips_the_sign() -> None:
    frame = _rasch_two_groups(1.5)
    default = analyse(frame, group="sex")["dif"]["items"]["I3"]
    flipped = analyse(frame, group="sex", reference="M")["dif"]["items"]["I3"]
    assert flipped["d_dif"] == pytest.approx(-default["d_dif"])
    assert flipped["favours"] == "focal"


def test_group_errors() -> None:
    frame = _frame({"I1": [1, 0, 1], "I2": [1, 0, 0], "g": ["a", "b", "c"]})
    with pytest.raises(ItemAnalysisError, match="exactly two groups"):
        analyse(frame, group="g")
    with pytest.raises(ItemAnalysisError, match="no such column"):
        analyse(frame, group="nope")
    with pytest.raises(ItemAnalysisError, match="not a value"):
        analyse(frame.assign(g=["a", "b", "b"]), group="g", reference="z")


@pytest.mark.parametrize(
    ("d_dif", "se", "p_value", "expected"),
    [
        (-0.99, 0.01, 0.0, "A"),  # small, however significant
        (-2.0, 0.1, 0.06, "A"),  # large but not significant
        (1.2, 0.1, 0.001, "B"),  # significant, between 1.0 and 1.5
        (-1.6, 0.1, 0.001, "C"),  # (1.6/0.1)^2 = 256 far beyond the noncentral chi-square (nc 100) 95th percentile
        (-1.6, 0.5, 0.001, "B"),  # >= 1.5 but not significantly above 1.0 with SE 0.5
        (1.5, 0.05, 0.001, "C"),  # boundary |D| = 1.5 counts, significantly above 1
        (1.0, 0.01, 0.001, "B"),  # boundary |D| = 1.0 is not A
    ],
)
def test_ets_class_rule(d_dif: float, se: float, p_value: float, expected: str) -> None:
    assert ets_class(d_dif, se, p_value) == expected


# --- 2PL -----------------------------------------------------------------------------------------------------


def test_two_parameter_fit_orders_difficulties() -> None:
    frame = _rasch_two_groups(0.0).drop(columns="sex")
    irt = analyse(frame, irt=True)["irt"]
    assert irt["n"] == 2000
    difficulties = [irt["items"][f"I{i}"]["difficulty"] for i in range(10)]
    assert difficulties == sorted(difficulties)
    assert all(0.5 < row["discrimination"] < 1.5 for row in irt["items"].values())


def test_two_parameter_fit_skips_polytomous_data() -> None:
    irt = analyse(_frame({"L1": [1, 2, 3, 4, 5], "L2": [2, 2, 3, 5, 5]}), irt=True)["irt"]
    assert irt == {"skipped": "a 2PL fit needs at least two dichotomous items"}


# --- reference data sets -------------------------------------------------------------------------------------


@needs_shared
def test_pingouin_cronbach_alpha_reference() -> None:
    table = read_responses(PSYCHOMETRICS / "cronbach_alpha.csv")
    assert table.layout == "long"
    scale = analyse(table.frame)["scales"]["all"]
    assert round(scale["alpha"], 4) == 0.5917
    assert scale["ci95"] == [0.195, 0.84]
    assert scale["n"] == 15 and scale["items"] == 10


@needs_shared
def test_bfi_reference_alphas() -> None:
    table = read_responses(PSYCHOMETRICS / "bfi.csv")
    scales = [(factor, [f"{factor}{i}" for i in range(1, 6)]) for factor in "ACENO"]
    report = analyse(table.frame, scales=scales)
    alphas = {name: round(scale["alpha"], 3) for name, scale in report["scales"].items()}
    assert alphas == {"A": 0.703, "C": 0.727, "E": 0.762, "N": 0.814, "O": 0.600}
    assert report["n"] == 2800
    assert sum(item["missing"] for item in report["items"].values()) == 508


# --- command line --------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "evaluate", "items", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_cli_json_report(tmp_path: Path) -> None:
    responses = _write(tmp_path / "r.csv", "id,Q1,Q2,Q3\np1,B,C,A\np2,B,D,A\np3,A,D,B\np4,,C,B\n")
    key = _write(tmp_path / "key.csv", "item,key\nQ1,B\nQ2,C\nQ3,A\n")
    result = _cli(str(responses), "--key", str(key), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["input"]["scored_with_key"] is True
    assert set(report["scales"]["all"]) >= {"alpha", "ci95", "n"}
    assert report["items"]["Q1"]["distractors"]["all"] == {"A": 1, "B": 2, "(omitted)": 1}


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    missing = _cli(str(tmp_path / "absent.csv"))
    assert missing.returncode == 2
    assert "absent.csv: no such file" in missing.stderr

    responses = _write(tmp_path / "r.csv", "I1,I2\n1,0\n0,1\n1,1\n")
    unknown = _cli(str(responses), "--scale", "S=I1,I9")
    assert unknown.returncode == 2
    assert "--scale S: no such column(s): I9" in unknown.stderr

    letters = _write(tmp_path / "letters.csv", "I1,I2\nA,B\nC,D\n")
    non_numeric = _cli(str(letters))
    assert non_numeric.returncode == 2
    assert "is not a score; give --key KEY.csv" in non_numeric.stderr
    assert non_numeric.stdout == ""


def test_cli_text_report(tmp_path: Path) -> None:
    responses = _write(tmp_path / "r.csv", "I1,I2,I3,I4\n1,1,1,1\n1,0,1,1\n0,1,1,1\n0,0,0,1\n")
    result = _cli(str(responses))
    assert result.returncode == 0, result.stderr
    assert "alpha" in result.stdout and "difficulty_out_of_range" in result.stdout
