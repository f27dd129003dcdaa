"""Names of the selection's stages and education levels in Kazakh and Russian: one table each for
notifications, the protocol, the qualification check, the matcher and pages."""

from __future__ import annotations

from typing import Final

STAGE_NAMES: Final[dict[str, dict[str, str]]] = {
    "eligibility": {"kk": "Заңнаманы білуге тестілеу", "ru": "Тестирование на знание законодательства"},
    "personal_qualities": {"kk": "Жеке қасиеттерді бағалау", "ru": "Оценка личных качеств"},
    "reasoning": {
        "kk": "Мәтіндік және сандық ақпаратпен жұмыс істеу қабілетін бағалау",
        "ru": "Оценка способности работать с текстовой и числовой информацией",
    },
    "essay": {"kk": "Эссе жазу", "ru": "Написание эссе"},
    "practical": {"kk": "Практикалық бағалау", "ru": "Практическая оценка"},
    "interview": {"kk": "Конкурстық комиссиямен әңгімелесу", "ru": "Собеседование с конкурсной комиссией"},
    "final": {"kk": "Конкурс қорытындысы", "ru": "Итоги конкурса"},
}
"""The stage codes of ``app.rules.categories`` → {locale: name}."""

EDUCATION_LEVEL_NAMES: Final[dict[str, dict[str, str]]] = {
    "secondary": {
        "kk": "орта білім",
        "ru": "среднее образование",
        "kk_short": "орта білім",
        "ru_short": "среднее образование",
    },
    "technical_vocational": {
        "kk": "техникалық және кәсіптік білім",
        "ru": "техническое и профессиональное образование",
        "kk_short": "техникалық және кәсіптік білім",
        "ru_short": "техническое и профессиональное",
    },
    "bachelor": {
        "kk": "жоғары білім (бакалавр)",
        "ru": "высшее образование (бакалавр)",
        "kk_short": "бакалавр",
        "ru_short": "бакалавр",
    },
    "master": {
        "kk": "жоғары оқу орнынан кейінгі білім (магистр)",
        "ru": "послевузовское образование (магистр)",
        "kk_short": "магистр",
        "ru_short": "магистр",
    },
    "doctorate": {"kk": "докторантура", "ru": "докторантура", "kk_short": "доктор", "ru_short": "доктор"},
}
"""The education levels of ``app.rules.policy.EDUCATION_LEVELS`` → their names. ``kk`` and ``ru``: the official
names people read (the qualification check). ``kk_short`` and ``ru_short``: the words job postings use, which the
matcher writes into the profile and vacancy texts it embeds and indexes (other words there change its rankings)."""
