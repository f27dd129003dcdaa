"""Kazakh and Russian catalogues cover every user-facing problem title."""

from __future__ import annotations

import app.analytics.errors
import app.appointments.errors  # noqa: F401
from app.errors import declared_codes
from app.i18n import catalog_ids, negotiate, translate
from app.problems import TITLES


def test_every_problem_title_is_translated_into_kazakh_and_russian() -> None:
    titles = set(TITLES.values())
    assert titles <= catalog_ids("kk")
    assert titles <= catalog_ids("ru")
    assert catalog_ids("kk") == catalog_ids("ru")


def test_translation_and_fallback() -> None:
    assert translate("Not found", "kk") == "Табылмады"
    assert translate("Not found", "ru") == "Не найдено"
    assert translate("Not found", "en") == "Not found"
    assert translate("A message nobody translated", "ru") == "A message nobody translated"


def test_accept_language_negotiation_honours_quality_values() -> None:
    assert negotiate(None) == "kk"
    assert negotiate("ru-KZ") == "ru"
    assert negotiate("en;q=0.5, ru;q=0.9") == "ru"
    assert negotiate("de-DE, en;q=0.1") == "en"
    assert negotiate("fr") == "kk"


def test_the_appointment_and_analytics_codes_are_translated() -> None:
    titles = {code.title for code in declared_codes().values()}
    assert titles <= catalog_ids("kk")
    assert titles <= catalog_ids("ru")
