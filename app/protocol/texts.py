"""Every word of the protocol document in Kazakh and Russian (the document's own small dictionary).

The document is legal text signed by the commission, so its wording is fixed here rather than
in the service's gettext catalogues, which hold the API's messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.i18n.domain import STAGE_NAMES as DOMAIN_STAGE_NAMES

DOCUMENT_LOCALES: Final[tuple[str, ...]] = ("kk", "ru")

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "kk": {
        "title": "Конкурстық комиссия отырысының хаттамасы",
        "number": "Хаттама №",
        "drawn_up_on": "Жасалған күні",
        "state_body": "Мемлекеттік орган",
        "vacancy": "Лауазым",
        "category": "Санат",
        "managerial": "Басшы лауазым",
        "yes": "иә",
        "no": "жоқ",
        "anonymity_note": (
            "Кандидаттар дербес сәйкестендіру нөмірлерімен көрсетілген; аты-жөні тек қорытынды рейтингте келтірілген."
        ),
        "commission": "Конкурстық комиссияның құрамы",
        "full_name": "Аты-жөні",
        "role": "Рөлі",
        "stages": "Кезеңдердің нәтижелері",
        "entered": "Қатысқаны",
        "advanced": "Келесі кезеңге өткені",
        "places": "Орын саны",
        "cutoff": "Өту шегі",
        "code": "Код",
        "result": "Нәтижесі",
        "passed": "өтті",
        "eliminated": "шықты",
        "member_scores": "Комиссия мүшелерінің бағалары",
        "nobody": "кандидат жоқ",
        "ranking": "Қорытынды рейтинг",
        "rank": "Орны",
        "total": "Жалпы балл",
        "tie_break": "Тең балл кезінде шешті",
        "top3": "Үздік үш кандидат",
        "winner": "Жеңімпаз",
        "no_winner": "анықталмады",
        "unresolved_tie": "бірінші орынға тең нәтиже: комиссия шешеді",
        "deadlines": "Мерзімдер",
        "results_published_on": "Нәтижелер жарияланған күн",
        "appointment": "Тағайындау мерзімі",
        "documents_due": "Жеңімпаздың құжаттарды тапсыру мерзімі",
        "not_set": "белгіленбеген",
        "signatures": "Комиссия мүшелерінің қолдары",
        "signatures_note": (
            "Хаттамаға комиссия мүшелері электрондық цифрлық қолтаңбамен (ЭЦҚ) қол қояды; "
            "қолтаңбалар осы құжаттың PDF нұсқасына бөлек (CMS/PKCS#7) сақталады."
        ),
    },
    "ru": {
        "title": "Протокол заседания конкурсной комиссии",
        "number": "Протокол №",
        "drawn_up_on": "Дата составления",
        "state_body": "Государственный орган",
        "vacancy": "Должность",
        "category": "Категория",
        "managerial": "Руководящая должность",
        "yes": "да",
        "no": "нет",
        "anonymity_note": (
            "Кандидаты указаны под персональными идентификационными номерами; ФИО приведены только в итоговом рейтинге."
        ),
        "commission": "Состав конкурсной комиссии",
        "full_name": "ФИО",
        "role": "Роль",
        "stages": "Результаты этапов",
        "entered": "Участвовали",
        "advanced": "Прошли на следующий этап",
        "places": "Число мест",
        "cutoff": "Проходной порог",
        "code": "Код",
        "result": "Результат",
        "passed": "прошёл",
        "eliminated": "выбыл",
        "member_scores": "Оценки членов комиссии",
        "nobody": "кандидатов нет",
        "ranking": "Итоговый рейтинг",
        "rank": "Место",
        "total": "Общий балл",
        "tie_break": "При равенстве баллов решило",
        "top3": "Три лучших кандидата",
        "winner": "Победитель",
        "no_winner": "не определён",
        "unresolved_tie": "равенство результатов на первое место: решает комиссия",
        "deadlines": "Сроки",
        "results_published_on": "Дата опубликования результатов",
        "appointment": "Срок назначения",
        "documents_due": "Срок представления документов победителем",
        "not_set": "не установлен",
        "signatures": "Подписи членов комиссии",
        "signatures_note": (
            "Протокол подписывается членами комиссии электронной цифровой подписью (ЭЦП); "
            "подписи хранятся отдельно (CMS/PKCS#7) к PDF-версии этого документа."
        ),
    },
}

STAGE_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    locale: {stage: names[locale] for stage, names in DOMAIN_STAGE_NAMES.items()} for locale in ("kk", "ru")
}

ELIMINATION_REASONS: Final[Mapping[str, Mapping[str, str]]] = {
    "kk": {
        "legislation_total_below_minimum": "заңнама бойынша барлық актілерде дұрыс жауаптар жеткіліксіз",
        "legislation_act_below_minimum": "заңнама бойынша бір актіде дұрыс жауаптар жеткіліксіз",
        "personal_qualities_below_minimum": "жеке қасиеттерді бағалау нәтижесі шекті мәннен төмен",
        "personal_qualities_unreliable": "жеке қасиеттерді бағалау жауаптары сенімсіз деп танылды",
        "personal_qualities_quality_below_minimum": "бір қасиет бойынша нәтиже шекті мәннен төмен",
        "reasoning_below_cutoff": "талдау кезеңінде үздіктердің қатарына кірмеді",
        "essay_below_minimum": "эссе бағасы шекті мәннен төмен",
        "practical_below_minimum": "практикалық тапсырма бағасы шекті мәннен төмен",
        "not_shortlisted_for_interview": "әңгімелесуге іріктелмеді",
        "not_in_top_n": "әңгімелесуден өтті, бірақ үздік үштікке кірмеді",
        "proctor_violation": "проктор растаған бұзушылық",
        "no_result": "кезеңнің нәтижесі жоқ (келмеді)",
    },
    "ru": {
        "legislation_total_below_minimum": "недостаточно верных ответов по законодательству в сумме",
        "legislation_act_below_minimum": "недостаточно верных ответов по одному из актов законодательства",
        "personal_qualities_below_minimum": "результат оценки личных качеств ниже порога",
        "personal_qualities_unreliable": "ответы оценки личных качеств признаны недостоверными",
        "personal_qualities_quality_below_minimum": "результат по одному из качеств ниже порога",
        "reasoning_below_cutoff": "не вошёл в число лучших на этапе анализа информации",
        "essay_below_minimum": "оценка эссе ниже порога",
        "practical_below_minimum": "оценка практического задания ниже порога",
        "not_shortlisted_for_interview": "не отобран на собеседование",
        "not_in_top_n": "прошёл собеседование, но не вошёл в число трёх лучших",
        "proctor_violation": "нарушение, подтверждённое проктором",
        "no_result": "нет результата этапа (неявка)",
    },
}

COMMISSION_ROLES: Final[Mapping[str, Mapping[str, str]]] = {
    "kk": {"chair": "комиссия төрағасы", "member": "комиссия мүшесі", "secretary": "комиссия хатшысы"},
    "ru": {"chair": "председатель комиссии", "member": "член комиссии", "secretary": "секретарь комиссии"},
}

TIE_BREAKS: Final[Mapping[str, Mapping[str, str]]] = {
    "kk": {"experience": "еңбек өтілі ұзағырақ", "education": "білім деңгейі жоғарырақ"},
    "ru": {"experience": "больший стаж работы", "education": "более высокий уровень образования"},
}
