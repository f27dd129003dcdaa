"""The pages' language: Kazakh or Russian from the cookie, else Accept-Language; texts from the web catalogues.

The catalogues are ``app/web/i18n/web.{kk,ru}.po`` (English msgids), compiled in memory by
Babel once per process; dates and numbers are formatted by Babel for the page's locale.
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

from app.competitions.clock import KAZAKHSTAN
from app.i18n import negotiate

PAGE_LOCALES: tuple[str, ...] = ("kk", "ru")
LANGUAGE_COOKIE = "irikteu_lang"
LOCALE_NAMES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский"}
"""Each language named in itself, as a language switch shows it."""
_CATALOGUES = Path(__file__).parent / "i18n"


@lru_cache
def translations(locale: str) -> Translations:
    with (_CATALOGUES / f"web.{locale}.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def catalogue_ids(locale: str) -> set[str]:
    """Every msgid translated in ``locale`` (a test checks the templates use no other)."""
    with (_CATALOGUES / f"web.{locale}.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string}


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
