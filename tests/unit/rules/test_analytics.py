"""The state's figures on a small fixed history, each value computed by hand.

Working days: A published Monday 16.03.2026, appointed Friday 27.03.2026: 17-20 March (4),
Nauryz 21-25 off, 26 and 27 March: 6. C published Thursday 30.04.2026, appointed Tuesday
12.05.2026: 1 May off, 4, 5, 6 May (3), 7 May off (Defender of the Fatherland Day), 8 May (4),
Victory Day on Saturday 9 May observed on Monday 11 May, 12 May (5): 5.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from app.rules.analytics import (
    AlertCell,
    AlertRecord,
    AppointmentCell,
    AppointmentRecord,
    CompetitionCell,
    CompetitionRecord,
    Where,
    candidates_per_place_target,
    figures_of_cells,
    selection_figures,
)

MINFIN = Where("MINFIN", "Astana", "C-4")
KYZ = Where("KYZ", "Kyzylorda", "C-1")
END = date(2026, 12, 31)

COMPETITIONS = [
    CompetitionRecord(
        MINFIN,
        date(2026, 3, 16),
        12,
        (("personal_qualities", 12, 9), ("interview", 3, 3)),
        results_published=True,
        winner=True,
        appointed_on=date(2026, 3, 27),
    ),
    CompetitionRecord(MINFIN, date(2026, 4, 29), 3, (("personal_qualities", 3, 1),), results_published=True),
    CompetitionRecord(
        KYZ,
        date(2026, 4, 30),
        10,
        (("personal_qualities", 10, 5), ("interview", 3, 3)),
        results_published=True,
        winner=True,
        appointed_on=date(2026, 5, 12),
    ),
    CompetitionRecord(KYZ, date(2026, 5, 4), 0),  # still open
]
APPOINTMENTS = [
    AppointmentRecord(MINFIN, date(2026, 3, 27), "competition"),
    AppointmentRecord(KYZ, date(2026, 5, 12), "competition"),
    AppointmentRecord(KYZ, date(2026, 5, 20), "grant_graduate"),
]
ALERTS = [AlertRecord(MINFIN, date(2026, 4, 2), applied) for applied in (True, False, False, False)]


def by(key: str | None, min_cell: int = 1) -> dict[str, dict[str, Any]]:
    return {
        g["key"]: g
        for g in selection_figures(COMPETITIONS, APPOINTMENTS, ALERTS, by=key, min_cell=min_cell, period_end=END)
    }


def value(figure: object) -> object:
    assert isinstance(figure, dict)
    return figure["value"]


def test_targets_by_year() -> None:
    assert [candidates_per_place_target(y) for y in (2023, 2024, 2026, 2029, 2031)] == [
        None,
        Fraction(5, 2),
        Fraction(7, 2),
        Fraction(5),
        Fraction(5),
    ]


def test_per_body() -> None:
    groups = by("body")
    minfin, kyz = groups["MINFIN"], groups["KYZ"]
    # MINFIN: 15 applications for 2 places; one of two published results without a winner
    assert (minfin["competitions"], minfin["places"], minfin["applications"], minfin["appointments"]) == (2, 2, 15, 1)
    assert minfin["candidates_per_place"] == {"value": 7.5, "n": 15, "suppressed": False, "target": 3.5}
    assert value(minfin["no_winner_share"]) == 0.5
    assert minfin["time_to_fill_working_days"] == {"value": 6.0, "n": 1, "suppressed": False, "median": 6.0}
    assert {k: value(v) for k, v in minfin["pass_rate"].items()} == {"personal_qualities": 0.6667, "interview": 1.0}
    assert {k: value(v) for k, v in minfin["route_share"].items()} == {"competition": 1.0}
    assert minfin["alert_reach"] == {"value": 0.25, "n": 4, "suppressed": False}
    # KYZ: 10 applications for 2 places (one still open); appointments 1 by competition, 1 graduate
    assert value(kyz["candidates_per_place"]) == 5.0
    assert kyz["no_winner_share"] == {"value": 0.0, "n": 1, "suppressed": False}
    assert value(kyz["time_to_fill_working_days"]) == 5.0
    assert {k: value(v) for k, v in kyz["route_share"].items()} == {"competition": 0.5, "grant_graduate": 0.5}
    assert kyz["alert_reach"] == {"value": None, "n": 0, "suppressed": False}


def test_all_together_and_by_month() -> None:
    everything = by(None)["all"]
    assert value(everything["candidates_per_place"]) == 6.25  # 25 / 4
    assert value(everything["no_winner_share"]) == 0.3333  # 1 / 3
    assert everything["time_to_fill_working_days"]["value"] == 5.5  # (6 + 5) / 2
    assert everything["time_to_fill_working_days"]["median"] == 5.5
    assert value(everything["pass_rate"]["personal_qualities"]) == 0.6  # 15 / 25
    months = by("month")
    assert sorted(months) == ["2026-03", "2026-04", "2026-05"]
    assert value(months["2026-04"]["candidates_per_place"]) == 6.5  # 13 / 2
    assert months["2026-05"]["appointments"] == 2
    assert months["2026-03"]["candidates_per_place"]["target"] == 3.5


def test_small_cells_are_suppressed() -> None:
    minfin = by("body", min_cell=10)["MINFIN"]
    assert minfin["candidates_per_place"] == {"value": 7.5, "n": 15, "suppressed": False, "target": 3.5}
    assert minfin["no_winner_share"] == {"value": None, "n": 2, "suppressed": True}
    assert minfin["time_to_fill_working_days"] == {"value": None, "n": 1, "suppressed": True, "median": None}
    assert minfin["route_share"]["competition"] == {"value": None, "n": 1, "suppressed": True, "count": None}
    assert value(minfin["pass_rate"]["personal_qualities"]) == 0.6667  # 10 / 15
    assert minfin["pass_rate"]["interview"]["suppressed"] is True
    with pytest.raises(ValueError, match="by must be one of"):
        selection_figures([], [], [], by="planet", min_cell=10, period_end=END)
    assert selection_figures([], [], [], by=None, min_cell=10, period_end=END)[0]["competitions"] == 0


def test_cells_counted_by_the_database_give_the_same_figures() -> None:
    cells = [
        CompetitionCell(
            MINFIN,
            "2026-03",
            3,
            30,
            results_published=3,
            without_winner=1,
            stages=(("personal_qualities", 30, 12),),
            fill_days={4: 2, 9: 1},
        )
    ]
    [group] = figures_of_cells(
        cells,
        [AppointmentCell(MINFIN, "2026-03", "competition", 2)],
        [AlertCell(MINFIN, "2026-03", 8, 2)],
        by="body",
        min_cell=1,
        period_end=END,
    )
    assert value(group["candidates_per_place"]) == 10.0
    assert value(group["no_winner_share"]) == 0.3333
    # (4 + 4 + 9) / 3 and the middle of 4, 4, 9
    assert group["time_to_fill_working_days"] == {"value": 5.6667, "n": 3, "suppressed": False, "median": 4.0}
    assert value(group["pass_rate"]["personal_qualities"]) == 0.4
    assert value(group["alert_reach"]) == 0.25
