"""User-facing text in Kazakh and Russian (English for developers), from gettext catalogues read with Babel.

The catalogues are plain ``.po`` files beside this module, read once with Babel's
``read_po``; the locale comes from ``Accept-Language`` (``kk``, ``ru``; ``en`` falls
back to the message id, which is English).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LOCALE = "kk"
_HERE = Path(__file__).parent


@lru_cache
def _catalog(locale: str) -> Catalog | None:
    path = _HERE / f"messages.{locale}.po"
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def translate(message: str, locale: str) -> str:
    """``message`` (an English msgid) in ``locale``; the msgid itself when there is no translation."""
    catalog = _catalog(locale)
    if catalog is None:
        return message
    entry = catalog.get(message)
    if entry is None or not entry.string or entry.fuzzy:
        return message
    return str(entry.string)


def negotiate(accept_language: str | None) -> str:
    """The best of ``LOCALES`` for an ``Accept-Language`` header (quality values honoured)."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            weighted.append((-quality, index, tag.replace("-", "_")))
    preferred = [tag for _q, _i, tag in sorted(weighted) if tag != "*"]
    return negotiate_locale(preferred, list(LOCALES), sep="_", aliases={}) or DEFAULT_LOCALE


def catalog_ids(locale: str) -> set[str]:
    """Every msgid with a translation in ``locale`` (the tests check kk and ru cover the same ids)."""
    catalog = _catalog(locale)
    return set() if catalog is None else {str(m.id) for m in catalog if m.id and m.string}
