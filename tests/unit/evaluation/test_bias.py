"""``irikteu evaluate fairness --data CSV`` as a user runs it: the figures, the report, exit 2, no identifiers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from typer.testing import CliRunner

from app.cli import cli
from app.rules.iin import iin_check_digit, parse_iin
from evaluation.bias import likert_dif

runner = CliRunner()


def _iin(birth: str, century_sex: str, serial: int) -> str:
    for bump in range(100):
        first = f"{birth}{century_sex}{(serial + bump) % 10000:04d}"
        check = iin_check_digit(first)
        if check is not None:
            return f"{first}{check}"
    raise AssertionError("no IIN")


@pytest.fixture
def applications_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(300):
        female = i % 2 == 0
        iin = _iin("880315" if i % 3 else "011120", ("4" if female else "3") if i % 3 else ("6" if female else "5"), i)
        language = "kk" if i % 5 < 3 else "ru"
        base = {
            "application": f"A{i}",
            "iin": iin,
            "applied_on": "2026-10-01",
            "language": language,
            "region": ["Astana", "Almaty", "Shymkent"][i % 3],
            "name": f"Person Number{i}",
            "phone": f"+7701{i:07d}",
            "education": "master" if i % 4 == 0 else "bachelor",
        }
        passed = rng.random() < (0.35 if female else 0.6)
        rows.append({**base, "stage": "application", "selected": int(passed), "score": ""})
        if passed:
            human = int(rng.integers(1, 6))
            machine = int(np.clip(human + rng.integers(-1, 2), 1, 5))
            rows.append(
                {
                    **base,
                    "stage": "essay",
                    "selected": int(human >= 3),
                    "score": human,
                    "human": human,
                    "machine": machine,
                }
            )
    path = tmp_path / "applications.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_the_csv_audit_prints_fairlearn_rates_and_writes_the_report_without_identifiers(
    applications_csv: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        cli,
        [
            "evaluate",
            "fairness",
            "--data",
            str(applications_csv),
            "--groups",
            "sex,language,sex*language",
            "--min-cell",
            "5",
            "--json",
            "--report",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    frame = pd.read_csv(applications_csv, dtype=str)
    stage = frame[frame["stage"] == "application"]
    sexes = stage["iin"].map(lambda iin: parse_iin(iin).sex)
    truth = MetricFrame(
        metrics=selection_rate,
        y_true=stage["selected"].astype(int),
        y_pred=stage["selected"].astype(int),
        sensitive_features=sexes,
    ).by_group
    rows = {row["group"]: row for row in report["stages"]["application"]["by_group"]["sex"]["groups"]}
    assert rows["female"]["rate"] == pytest.approx(truth["female"], abs=1e-6)
    assert rows["male"]["rate"] == pytest.approx(truth["male"], abs=1e-6)
    assert rows["female"]["four_fifths_flag"] is True
    assert {f["group"] for f in report["flags"] if f["stage"] == "application"} >= {"sex"}
    assert report["essay_model"]["by_group"]["language"]["n"] == int((frame["stage"] == "essay").sum())
    written = (tmp_path / "out" / "fairness-report.md").read_text(encoding="utf-8")
    assert "## Stage `application`" in written and (tmp_path / "out" / "fairness-sex.png").stat().st_size > 0
    assert (tmp_path / "out" / "fairness-smd.png").exists()
    for column in ("iin", "name", "phone", "application"):
        for value in frame[column].unique()[:50]:
            assert value not in result.stdout and value not in written, (column, value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "nowhere.csv"], "nowhere.csv: no such file"),
        (["--competition", "1", "--data", "x.csv"], "give exactly one scope"),
        (["--data", "{csv}", "--groups", "height"], "unknown group 'height'"),
    ],
)
def test_bad_input_exits_2_with_one_line(applications_csv: Path, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["evaluate", "fairness", *[a.replace("{csv}", str(applications_csv)) for a in args]])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_bad_selected_value_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("stage,selected\napplication,1\napplication,maybe\n", encoding="utf-8")
    result = runner.invoke(cli, ["evaluate", "fairness", "--data", str(path)])
    assert result.exit_code == 2 and f"{path}:3: selected must be 1/0" in result.stderr


def test_likert_dif_finds_an_item_planted_to_favour_one_group() -> None:
    rng = np.random.default_rng(2)
    n = 1200
    group = np.where(np.arange(n) % 2 == 0, "f", "m")
    trait = rng.normal(0, 1, n)
    items = {}
    for k in range(12):  # enough items that the planted one hardly moves the matching score
        shift = 1.0 * (group == "f") if k == 0 else 0.0
        items[f"Q{k}"] = np.clip(np.round(3.5 + trait + shift + rng.normal(0, 0.8, n)), 1, 6)
    frame = pd.DataFrame({**items, "gender": group})
    found = likert_dif(frame, group="gender", scales={"all": [f"Q{k}" for k in range(12)]}, reference="m")
    assert [(row["item"], row["ets_class"], row["favours"]) for row in found["flagged"]] == [("Q0", "C", "focal")]
