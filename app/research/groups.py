"""The group definitions of the fairness audit, each with its source field, in one place.

A group value is derived from data the service already holds; a person whose source is missing
belongs to ``unknown`` (reported, never dropped). Sex and age band come from the IIN through the
rules core (``app.rules.iin``) and are never shown per person: the researcher sees only the
aggregates of ``app.research.figures``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import pandas as pd

from app.rules.errors import RulesError
from app.rules.iin import AGE_BANDS, OLDEST_AGE_BAND, IINInfo, InvalidIIN, age_band, age_on, parse_iin

UNKNOWN: Final = "unknown"
INTERSECTION: Final = "×"
"""Joins two group names (``sex×language``) and their values (``female×kk``)."""


@dataclass(frozen=True)
class GroupDefinition:
    """One way of splitting candidates: its name, the field it is read from, its known values."""

    name: str
    source: str
    values: tuple[str, ...]
    derive: Callable[[Mapping[str, Any]], str]
    columns: tuple[str, ...]
    """The record columns ``derive`` reads."""


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and str(value).strip() != ""


def _parsed(record: Mapping[str, Any]) -> IINInfo | None:
    """The record's IIN read by the rules core (``iin_info`` when ``group_columns`` parsed it already)."""
    if "iin_info" in record:
        info: IINInfo | None = record["iin_info"]
        return info
    try:
        return parse_iin(str(record["iin"]).strip())
    except InvalidIIN:
        return None


def _iin_sex(record: Mapping[str, Any]) -> str:
    if _present(record.get("iin")):
        info = _parsed(record)
        return UNKNOWN if info is None else info.sex
    value = record.get("sex")
    return str(value).strip() if _present(value) and str(value).strip() in ("male", "female") else UNKNOWN


def _iin_age_band(record: Mapping[str, Any]) -> str:
    iin, on = record.get("iin"), record.get("applied_on")
    if _present(iin) and _present(on):
        info = _parsed(record)
        if info is None:
            return UNKNOWN
        try:
            day = on if isinstance(on, date) else date.fromisoformat(str(on)[:10])
            return age_band(age_on(info, day))
        except (RulesError, ValueError):
            return UNKNOWN
    value = record.get("age_band")
    return str(value).strip() if _present(value) and str(value).strip() in _AGE_LABELS else UNKNOWN


def _field(name: str, values: tuple[str, ...] = ()) -> Callable[[Mapping[str, Any]], str]:
    def derive(record: Mapping[str, Any]) -> str:
        value = record.get(name)
        if not _present(value):
            return UNKNOWN
        text = str(value).strip()
        return text if not values or text in values else UNKNOWN

    return derive


def _flag(name: str) -> Callable[[Mapping[str, Any]], str]:
    def derive(record: Mapping[str, Any]) -> str:
        value = record.get(name)
        if not _present(value):
            return UNKNOWN
        text = str(value).strip().casefold()
        if text in ("1", "true", "yes", "y"):
            return "yes"
        if text in ("0", "false", "no", "n"):
            return "no"
        return UNKNOWN

    return derive


_AGE_LABELS: tuple[str, ...] = (*(label for _upper, label in AGE_BANDS), OLDEST_AGE_BAND)

GROUPS: Final[dict[str, GroupDefinition]] = {
    definition.name: definition
    for definition in (
        GroupDefinition(
            "sex",
            "IIN, 7th digit (app.rules.iin.parse_iin); a file may give `sex` instead",
            ("female", "male"),
            _iin_sex,
            ("iin", "iin_info", "sex"),
        ),
        GroupDefinition(
            "age_band",
            "IIN birth date on the application day (app.rules.iin.age_band); a file may give `age_band` instead",
            _AGE_LABELS,
            _iin_age_band,
            ("iin", "iin_info", "applied_on", "age_band"),
        ),
        GroupDefinition(
            "language",
            "the language the candidate chose for the tests and the essay",
            ("kk", "ru"),
            _field("language", ("kk", "ru")),
            ("language",),
        ),
        GroupDefinition("region", "the region of the personal file", (), _field("region"), ("region",)),
        GroupDefinition(
            "education", "the education level recorded with the application", (), _field("education"), ("education",)
        ),
        GroupDefinition(
            "accommodation",
            "an accommodation (extra time) was granted for the tests",
            ("no", "yes"),
            _flag("accommodation"),
            ("accommodation",),
        ),
        GroupDefinition(
            "reserve",
            "a member of the personnel reserve on the application day",
            ("no", "yes"),
            _flag("reserve"),
            ("reserve",),
        ),
    )
}
"""Every group definition; the order is the order of the reports."""

DEFAULT_GROUPS: Final[tuple[str, ...]] = (
    "sex",
    "age_band",
    "language",
    "region",
    "education",
    "accommodation",
    "reserve",
)

SOURCE_COLUMNS: Final[tuple[str, ...]] = (
    "iin",
    "applied_on",
    "sex",
    "age_band",
    "language",
    "region",
    "education",
    "accommodation",
    "reserve",
)
"""The columns a record may carry for the groups; ``iin`` and ``applied_on`` never leave this module."""


class UnknownGroup(ValueError):
    """A group name that is neither a definition nor an intersection of two."""


def parse_groups(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``sex,language,sex×language`` (``sex*language`` also) into checked names; empty: every definition."""
    if spec is None:
        return DEFAULT_GROUPS
    names = [part.strip() for part in (spec.split(",") if isinstance(spec, str) else spec) if part.strip()]
    if not names:
        return DEFAULT_GROUPS
    checked: list[str] = []
    for name in names:
        parts = name.replace("*", INTERSECTION).split(INTERSECTION)
        if len(parts) > 2 or any(part not in GROUPS for part in parts) or (len(parts) == 2 and parts[0] == parts[1]):
            raise UnknownGroup(
                f"unknown group {name!r}: choose from {', '.join(GROUPS)} or an intersection of two (e.g. sex*language)"
            )
        checked.append(INTERSECTION.join(parts))
    return tuple(dict.fromkeys(checked))


def parts_of(name: str) -> tuple[str, ...]:
    return tuple(name.split(INTERSECTION))


def group_columns(records: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """One column per group name (intersections included) derived from the source columns of ``records``.

    The result holds group values only: no source column (IIN, application day) is carried over.
    """
    singles = list(dict.fromkeys(part for name in names for part in parts_of(name)))
    sources = records.reindex(columns=[c for c in SOURCE_COLUMNS if c in records.columns])
    if "iin" in sources.columns and {"sex", "age_band"} & set(singles):
        # each IIN is read once by the rules core, whatever number of groups it feeds
        iins = sources["iin"].where(sources["iin"].map(_present), None)
        known = {iin: _parsed({"iin": iin}) for iin in iins.dropna().unique()}
        sources = sources.assign(iin_info=iins.map(known))
    out = pd.DataFrame(index=records.index)
    for single in singles:
        definition = GROUPS[single]
        # a definition is a function of its source columns: derive it once per distinct combination
        columns = [c for c in definition.columns if c in sources.columns]
        if not columns:
            out[single] = UNKNOWN
            continue
        distinct = sources[columns].drop_duplicates()
        derived = distinct.assign(_value=[definition.derive(row) for row in distinct.to_dict("records")])
        out[single] = sources[columns].merge(derived, on=columns, how="left")["_value"].to_numpy()
    for name in names:
        parts = parts_of(name)
        if len(parts) == 2:
            first, second = out[parts[0]], out[parts[1]]
            joined = first + INTERSECTION + second
            out[name] = joined.where((first != UNKNOWN) & (second != UNKNOWN), UNKNOWN)
    return out[list(names)]


def describe(names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each group name's source field(s), for the report."""
    return {name: {"source": [GROUPS[part].source for part in parts_of(name)]} for name in names}
