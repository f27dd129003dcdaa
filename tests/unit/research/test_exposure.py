"""The exposure ratio of matching and alerts, against values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from app.research.exposure import exposure_figures, exposure_report


def _list(start: int, groups: list[tuple[str, int, int]]) -> tuple[pd.DataFrame, dict[int, str]]:
    """One ranked list: for each (value, eligible, exposed) that many candidates, the first ``exposed`` shown."""
    candidates, exposed, labels = [], [], {}
    key = start
    for value, eligible, shown in groups:
        for i in range(eligible):
            candidates.append(key)
            exposed.append(i < shown)
            labels[key] = value
            key += 1
    return pd.DataFrame({"candidate": candidates, "exposed": exposed}, dtype=object), labels


def _records(labels: dict[int, str], column: str) -> pd.DataFrame:
    return pd.DataFrame({column: labels}).rename_axis("candidate")


def test_one_top_ten_two_of_forty_women_shown_gives_ratio_zero_point_four() -> None:
    frame, labels = _list(1, [("female", 20, 2), ("male", 20, 8)])
    report = exposure_report([frame], _records(labels, "sex"), ["sex"], min_cell=0)
    rows = {r["group"]: r for r in report["by_group"]["sex"]["groups"]}
    # female: exposed share 2/10 = 0.2, eligible share 20/40 = 0.5, ratio 0.4 < 0.8
    assert rows["female"] == {
        "group": "female",
        "eligible": 20,
        "exposed": 2,
        "eligible_share": 0.5,
        "exposed_share": 0.2,
        "exposure_ratio": 0.4,
        "flag": True,
    }
    # male: 8/10 = 0.8 against 0.5, ratio 1.6
    assert (rows["male"]["exposure_ratio"], rows["male"]["flag"]) == (1.6, False)
    assert report["by_group"]["sex"]["flagged"] == ["female"]
    assert (report["eligible"], report["exposed"]) == (40, 10)


def test_a_search_and_a_campaign_are_pooled_by_counts() -> None:
    search, first = _list(1, [("kk", 10, 1), ("ru", 30, 9)])
    campaign, second = _list(100, [("kk", 20, 15), ("ru", 20, 5)])
    report = exposure_report([search, campaign], _records({**first, **second}, "language"), ["language"], min_cell=0)
    rows = {r["group"]: r for r in report["by_group"]["language"]["groups"]}
    # pooled: eligible kk 30, ru 50 (80); exposed kk 16, ru 14 (30)
    # kk: (16/30) / (30/80) = 0.533333 / 0.375 = 1.42222; ru: (14/30) / (50/80) = 0.466667 / 0.625 = 0.746667
    assert (rows["kk"]["eligible"], rows["kk"]["exposed"]) == (30, 16)
    assert rows["kk"]["exposure_ratio"] == pytest.approx(1.42222, abs=1e-5)
    assert rows["ru"]["exposure_ratio"] == pytest.approx(0.746667, abs=1e-6)
    assert (rows["kk"]["flag"], rows["ru"]["flag"]) == (False, True)
    assert report["lists"] == 2


def test_a_small_group_is_suppressed_with_a_complement_and_unknown_is_never_flagged() -> None:
    frame = pd.DataFrame(
        {
            "sex": ["female"] * 30 + ["male"] * 30 + ["unknown"] * 5,
            "exposed": [True] * 12 + [False] * 18 + [True] * 15 + [False] * 15 + [True] + [False] * 4,
        }
    )
    figures = exposure_figures(frame, "sex", min_cell=10)
    # unknown (5 eligible, 1 exposed) is small; female (tied in size with male, first by name) hides with it so
    # that neither follows from the totals
    assert figures["suppressed"] == {"unknown": "small", "female": "complementary"}
    male = next(r for r in figures["groups"] if r["group"] == "male")
    # male: (15/28) / (30/65) = 0.535714 / 0.461538 = 1.16071
    assert male["exposure_ratio"] == pytest.approx(1.16071, abs=1e-5)
    assert (figures["eligible"], figures["exposed"]) == (65, 28)
    open_figures = exposure_figures(frame, "sex", min_cell=0)
    unknown = next(r for r in open_figures["groups"] if r["group"] == "unknown")
    # unknown: (1/28) / (5/65) = 0.464286 < 0.8, shown but not flagged
    assert unknown["exposure_ratio"] == pytest.approx(0.464286, abs=1e-6)
    assert unknown["flag"] is None
