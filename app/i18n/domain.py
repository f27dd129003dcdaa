"""Names of the selection's stages in Kazakh and Russian: one table for notifications, protocol and pages."""

from __future__ import annotations

from typing import Final

STAGE_NAMES: Final[dict[str, dict[str, str]]] = {
    "eligibility": {"kk": "Заңнаманы білуге тестілеу", "ru": "Тестирование на знание законодательства"},
    "personal_qualities": {"kk": "Жеке қасиеттерді бағалау", "ru": "Оценка личных качеств"},
    "reasoning": {"kk": "Мәтіндік және сандық ақпаратпен жұмыс істеу қабілетін бағалау",
                  "ru": "Оценка способности работать с текстовой и числовой информацией"},
    "essay": {"kk": "Эссе жазу", "ru": "Написание эссе"},
    "practical": {"kk": "Практикалық бағалау", "ru": "Практическая оценка"},
    "interview": {"kk": "Конкурстық комиссиямен әңгімелесу", "ru": "Собеседование с конкурсной комиссией"},
    "final": {"kk": "Конкурс қорытындысы", "ru": "Итоги конкурса"},
}
"""The stage codes of ``app.rules.categories`` → {locale: name}."""
