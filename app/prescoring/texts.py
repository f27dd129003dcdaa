"""Why an essay has no pre-score, in Kazakh and Russian, per reason code (the commission's view shows them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from app.prescoring.gate import REASON_HELD_BACK, held_back_message
from ml.essay_scoring.api import (
    REASON_EMPTY,
    REASON_LANGUAGE_MISMATCH,
    REASON_NO_MODEL,
    REASON_NOT_TEXT,
    REASON_OVER_WORD_LIMIT,
)

REASON_SWITCHED_OFF: Final = "switched_off"
"""An administrator switched the ``essay_prescoring`` module off."""
REASON_PENDING: Final = "pending"
"""The pre-scoring job has not finished yet."""
REASON_NOT_RUN: Final = "not_run"
"""The essay stage closed (or results were published) with no pre-score for the essay: none will come."""

UNAVAILABLE_TEXTS: Final[dict[str, dict[str, str]]] = {
    REASON_EMPTY: {
        "kk": "Эссе бос: алдын ала бағалайтын мәтін жоқ.",
        "ru": "Эссе пустое: предварительно оценивать нечего.",
    },
    REASON_NOT_TEXT: {
        "kk": "Эссеге мәтін емес таңбалар араласқан, сондықтан модель оны бағаламайды.",
        "ru": "В эссе есть нетекстовые символы, поэтому модель его не оценивает.",
    },
    REASON_LANGUAGE_MISMATCH: {
        "kk": "Эссе тақырыптың тілінде (қазақ немесе орыс тілінде) жазылмаған, сондықтан модель оны бағаламайды.",
        "ru": "Эссе написано не на языке темы (казахском или русском), поэтому модель его не оценивает.",
    },
    REASON_OVER_WORD_LIMIT: {
        "kk": "Эссе сөз санының шегінен асады, сондықтан модель оны бағаламайды.",
        "ru": "Эссе превышает допустимое число слов, поэтому модель его не оценивает.",
    },
    REASON_NO_MODEL: {
        "kk": "Алдын ала баға жоқ: бұл тақырып бойынша да, басқа тақырыптар бойынша да модельді оқытуға "
        "комиссияның қорытынды бағалары әлі жеткіліксіз.",
        "ru": "Предварительной оценки нет: итоговых оценок комиссии пока недостаточно, чтобы обучить модель "
        "ни по этой теме, ни по другим темам.",
    },
    REASON_SWITCHED_OFF: {
        "kk": "Әкімші эсселерді алдын ала бағалауды өшірді; комиссия эсселерді модельсіз бағалайды.",
        "ru": "Администратор отключил предварительную оценку эссе; комиссия оценивает эссе без модели.",
    },
    REASON_PENDING: {
        "kk": "Алдын ала баға әлі есептеліп жатыр; сәлден соң қайта қараңыз.",
        "ru": "Предварительная оценка ещё рассчитывается; загляните чуть позже.",
    },
    REASON_NOT_RUN: {
        "kk": "Бұл эссе алдын ала бағаланбады: эссе кезеңі алдын ала баға дайын болғанша жабылды.",
        "ru": "Это эссе не получило предварительной оценки: этап эссе закрылся раньше, чем она была готова.",
    },
}


def unavailable_message(reason: str, model: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The kk/ru sentence for ``reason`` (a reason code of ``ml.essay_scoring.api``, ``switched_off``,
    ``pending``, ``not_run`` or ``model_held_back``, which quotes the held-back ``model``'s QWK and essays);
    ``KeyError`` for an unknown code, so a new reason cannot reach the view unexplained."""
    if reason == REASON_HELD_BACK:
        return held_back_message(model or {})
    return dict(UNAVAILABLE_TEXTS[reason])
