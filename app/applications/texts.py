"""The qualification check explained to the candidate, in Kazakh and Russian, per reason code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.i18n.domain import EDUCATION_LEVEL_NAMES

_NONE = {"kk": "жоқ", "ru": "нет"}

REASON_TEXTS: dict[str, dict[str, str]] = {
    "education_level_met": {
        "kk": "Білім деңгейі талапқа сай: талап — {required}, сізде — {actual}.",
        "ru": "Уровень образования соответствует: требуется — {required}, у вас — {actual}.",
    },
    "education_level_below_minimum": {
        "kk": "Білім деңгейі жеткіліксіз: кемінде {required} қажет, сізде — {actual}.",
        "ru": "Недостаточный уровень образования: требуется не ниже — {required}, у вас — {actual}.",
    },
    "education_level_not_allowed": {
        "kk": "Білім деңгейі талапқа сай емес: рұқсат етілгені — {required}, сізде — {actual}.",
        "ru": "Уровень образования не соответствует: допускается — {required}, у вас — {actual}.",
    },
    "education_missing": {
        "kk": "Жеке істе білім туралы мәлімет жоқ: {required} қажет.",
        "ru": "В личном деле нет сведений об образовании: требуется — {required}.",
    },
    "education_field_met": {
        "kk": "Білім бағыты талапқа сай: талап — {required}, сізде — {actual}.",
        "ru": "Направление образования соответствует: требуется — {required}, у вас — {actual}.",
    },
    "education_field_not_matching": {
        "kk": "Білім бағыты талапқа сай емес: талап — {required}, сізде — {actual}.",
        "ru": "Направление образования не соответствует: требуется — {required}, у вас — {actual}.",
    },
    "experience_met": {
        "kk": "Жұмыс өтілі жеткілікті: кемінде {required} ай қажет, сізде — {actual} ай.",
        "ru": "Стаж работы достаточен: требуется не менее {required} мес., у вас — {actual} мес.",
    },
    "experience_below_minimum": {
        "kk": "Жұмыс өтілі жеткіліксіз: кемінде {required} ай қажет, сізде — {actual} ай.",
        "ru": "Недостаточный стаж работы: требуется не менее {required} мес., у вас — {actual} мес.",
    },
    "functional_area_experience_met": {
        "kk": "Функционалдық бағыттағы өтіл жеткілікті: кемінде {required} ай қажет, сізде — {actual} ай.",
        "ru": "Стаж в функциональном направлении достаточен: требуется не менее {required} мес., у вас — {actual} мес.",
    },
    "functional_area_experience_below_minimum": {
        "kk": "Функционалдық бағыттағы өтіл жеткіліксіз: кемінде {required} ай қажет, сізде — {actual} ай.",
        "ru": "Недостаточный стаж в функциональном направлении: требуется не менее {required} мес., "
        "у вас — {actual} мес.",
    },
}


def _value(value: Any, locale: str) -> str:
    if value is None:
        return _NONE[locale]
    if isinstance(value, str) and value in EDUCATION_LEVEL_NAMES:
        return EDUCATION_LEVEL_NAMES[value][locale]
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(item, locale) for item in value) if value else _NONE[locale]
    return str(value)


def explain(reason: str, required: Any, actual: Any) -> dict[str, str]:
    """The reason in both languages with the required and actual values filled in."""
    texts = REASON_TEXTS[reason]
    return {
        locale: texts[locale].format(required=_value(required, locale), actual=_value(actual, locale))
        for locale in ("kk", "ru")
    }


def explain_all(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**result, "explanation": explain(result["reason"], result["required"], result["actual"])} for result in results
    ]
