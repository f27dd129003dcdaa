"""Group values come from their source fields; a missing or unreadable source is `unknown`, never dropped."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from app.research.groups import UnknownGroup, group_columns, parse_groups
from app.rules.iin import age_band, age_on, iin_check_digit, parse_iin


def _iin(stem: str) -> str:
    for serial in range(100):
        check = iin_check_digit(f"{stem}{serial:04d}")
        if check is not None:
            return f"{stem}{serial:04d}{check}"
    raise AssertionError(stem)


def test_sex_and_age_band_are_the_iin_rules_and_missing_sources_are_unknown() -> None:
    woman, man, young = _iin("8503154"), _iin("7011203"), _iin("0402296")
    records = pd.DataFrame(
        {
            "iin": [woman, man, young, "123", None, None],
            "applied_on": [
                date(2026, 3, 14),
                "2026-03-16",
                date(2026, 10, 1),
                date(2026, 1, 1),
                date(2026, 1, 1),
                None,
            ],
            "sex": [None, None, None, None, "female", None],
            "language": ["kk", "ru", "en", None, "kk", "ru"],
            "region": ["Astana", "", "Almaty", "Astana", None, "Abai"],
            "accommodation": ["yes", "0", "true", None, "maybe", "no"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    out = group_columns(records, parse_groups("sex,age_band,language,region,accommodation,sex*language"))
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert list(out["sex"]) == [
        parse_iin(woman).sex,
        parse_iin(man).sex,
        parse_iin(young).sex,
        "unknown",
        "female",
        "unknown",
    ]
    assert list(out["age_band"]) == [
        age_band(age_on(parse_iin(woman), date(2026, 3, 14))),
        age_band(age_on(parse_iin(man), date(2026, 3, 16))),
        age_band(age_on(parse_iin(young), date(2026, 10, 1))),
        "unknown",
        "unknown",
        "unknown",
    ]
    assert list(out["age_band"])[:3] == ["35-44", "55+", "18-24"]  # 40 (a day before turning 41), 55, 22
    assert list(out["language"]) == ["kk", "ru", "unknown", "unknown", "kk", "ru"]
    assert list(out["region"]) == ["Astana", "unknown", "Almaty", "Astana", "unknown", "Abai"]
    assert list(out["accommodation"]) == ["yes", "no", "yes", "unknown", "unknown", "no"]
    assert list(out["sex×language"]) == ["female×kk", "male×ru", "unknown", "unknown", "female×kk", "unknown"]
    assert set(out.columns) == {"sex", "age_band", "language", "region", "accommodation", "sex×language"}


def test_group_names_are_checked() -> None:
    assert parse_groups("sex, language*region") == ("sex", "language×region")
    assert parse_groups(None)[0] == "sex"
    for bad in ("height", "sex*sex", "sex*language*region"):
        with pytest.raises(UnknownGroup):
            parse_groups(bad)
