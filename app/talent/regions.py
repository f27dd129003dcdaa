"""Regions (өңір) a search or an alert may name: the 17 oblasts, the 3 cities of republican status, and the
regional centres people often write instead of their oblast (files store the region as the person typed it)."""

from __future__ import annotations

KNOWN_REGIONS: tuple[str, ...] = (
    "Astana",
    "Almaty",
    "Shymkent",
    "Abai",
    "Akmola",
    "Aktobe",
    "Almaty Region",
    "Atyrau",
    "East Kazakhstan",
    "Jambyl",
    "Jetisu",
    "Karaganda",
    "Kostanay",
    "Kyzylorda",
    "Mangystau",
    "North Kazakhstan",
    "Pavlodar",
    "Turkistan",
    "Ulytau",
    "West Kazakhstan",
    # regional centres
    "Semey",
    "Kokshetau",
    "Konaev",
    "Ust-Kamenogorsk",
    "Oskemen",
    "Taraz",
    "Taldykorgan",
    "Aktau",
    "Petropavl",
    "Petropavlovsk",
    "Turkestan",
    "Zhezkazgan",
    "Oral",
    "Uralsk",
)

_BY_KEY = {name.casefold(): name for name in KNOWN_REGIONS}


def known_region(name: str) -> str | None:
    """The catalogue's spelling of ``name`` (case and outer spaces ignored), ``None`` when it is not a region."""
    return _BY_KEY.get(" ".join(name.split()).casefold())
