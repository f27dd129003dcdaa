"""The pages' language: Kazakh or Russian from the cookie, else Accept-Language; texts from the web catalogues.

The catalogues are ``app/web/i18n/*.{kk,ru}.po`` (English msgids): ``web`` for the candidate pages and
one per staff area (``commission``, ``hr``, ...), merged and compiled in memory by Babel once per process;
dates and numbers are formatted by Babel for the page's locale.
Titles of domain error codes come from the service's own catalogues (``app.i18n``).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.requests import Request

from app.clock import KAZAKHSTAN
from app.i18n import negotiate

PAGE_LOCALES: tuple[str, ...] = ("kk", "ru")
LANGUAGE_COOKIE = "irikteu_lang"
LOCALE_NAMES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский"}
"""Each language named in itself, as a language switch shows it."""
_CATALOGUES = Path(__file__).parent / "i18n"


def catalogue_files(locale: str) -> list[Path]:
    """The page catalogues of ``locale``: ``web`` first, then each area's, by name."""
    return sorted(_CATALOGUES.glob(f"*.{locale}.po"), key=lambda path: (path.name != f"web.{locale}.po", path.name))


def _compile(path: Path, locale: str) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


@lru_cache
def translations(locale: str) -> Translations:
    first, *others = catalogue_files(locale)
    merged = _compile(first, locale)
    for path in others:
        merged.merge(_compile(path, locale))
    return merged


def catalogue_ids(locale: str) -> set[str]:
    """Every msgid translated in ``locale`` (a test checks the templates use no other)."""
    found: set[str] = set()
    for path in catalogue_files(locale):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        found |= {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string}
    return found


def page_locale(request: Request) -> str:
    """The cookie's language when it is one of the pages' languages, else the best for Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in PAGE_LOCALES:
        return chosen
    negotiated = negotiate(request.headers.get("accept-language"))
    return negotiated if negotiated in PAGE_LOCALES else PAGE_LOCALES[0]


class Texts:
    """Gettext, plurals, dates and numbers bound to one locale (what a template calls ``_`` and friends)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._translations = translations(locale)

    def gettext(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, count)
        return text % {"count": self.number(count), **values}

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, format="long", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=KAZAKHSTAN, locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)
