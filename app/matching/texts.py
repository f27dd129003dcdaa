"""The texts the matcher embeds and indexes, built from a profile's and a vacancy's structured fields.

A profile is written with the labels of the person's main language (Kazakh or Russian: the
one they know best, Kazakh on a tie, Russian when neither is listed); its content is what the
person entered. A vacancy carries both its Kazakh and Russian title and duties. Each text
also comes as named fields, so an explanation can say which field a term matched in. The
``title`` fields (a vacancy's title, a candidate's positions) feed the title signals of the blend.
"""

from __future__ import annotations

from typing import Final

from app.candidates.models import LANGUAGE_LEVELS, Candidate
from app.i18n.domain import EDUCATION_LEVEL_NAMES
from app.vacancies.models import Vacancy

LABELS: Final[dict[str, dict[str, str]]] = {
    "positions": {"kk": "Лауазымдар", "ru": "Должности"},
    "work": {"kk": "Еңбек тәжірибесі", "ru": "Опыт работы"},
    "education": {"kk": "Білімі", "ru": "Образование"},
    "languages": {"kk": "Тілдер", "ru": "Языки"},
    "area": {"kk": "бағыт", "ru": "направление"},
    "requirements": {"kk": "Біліктілік талаптары", "ru": "Квалификационные требования"},
}
LANGUAGE_NAMES: Final[dict[str, dict[str, str]]] = {
    "kk": {"kk": "қазақ тілі", "ru": "казахский язык"},
    "ru": {"kk": "орыс тілі", "ru": "русский язык"},
    "en": {"kk": "ағылшын тілі", "ru": "английский язык"},
}
PROFILE_FIELDS: Final[tuple[str, ...]] = ("title", "work", "education", "languages")
VACANCY_FIELDS: Final[tuple[str, ...]] = ("title", "functional_area", "duties", "requirements")


def area_words(area: str) -> str:
    """A functional-area code as words (``budget_planning`` → ``budget planning``)."""
    return area.replace("_", " ").strip()


def profile_language(candidate: Candidate) -> str:
    """``kk`` or ``ru``: the one of the two the candidate knows best (Kazakh on a tie, Russian without either)."""
    levels = {
        row.language: LANGUAGE_LEVELS.index(row.level) for row in candidate.languages if row.language in ("kk", "ru")
    }
    if not levels:
        return "ru"
    return max(("kk", "ru"), key=lambda language: (levels.get(language, -1), language == "kk"))


def profile_fields(candidate: Candidate) -> dict[str, str]:
    """The profile as named fields: title (positions held), work, education, languages."""
    lang = profile_language(candidate)
    jobs = sorted(candidate.work, key=lambda job: job.start_date, reverse=True)
    positions = "; ".join(dict.fromkeys(job.position.strip() for job in jobs if job.position.strip()))
    work = "; ".join(
        f"{job.position}, {job.employer} ({LABELS['area'][lang]}: {area_words(job.functional_area)})" for job in jobs
    )
    education = "; ".join(
        f"{EDUCATION_LEVEL_NAMES.get(record.level, {}).get(f'{lang}_short', record.level)}, {record.field}, "
        f"{record.institution}"
        for record in sorted(candidate.education, key=lambda record: record.start_date, reverse=True)
    )
    languages = ", ".join(
        f"{LANGUAGE_NAMES.get(row.language, {}).get(lang, row.language)} {row.level}" for row in candidate.languages
    )
    return {"title": positions, "work": work, "education": education, "languages": languages}


def profile_text(candidate: Candidate) -> str:
    """The profile as one passage (labels in the person's language)."""
    lang = profile_language(candidate)
    fields = profile_fields(candidate)
    parts = [
        f"{LABELS['positions'][lang]}: {fields['title']}" if fields["title"] else "",
        f"{LABELS['work'][lang]}: {fields['work']}" if fields["work"] else "",
        f"{LABELS['education'][lang]}: {fields['education']}" if fields["education"] else "",
        f"{LABELS['languages'][lang]}: {fields['languages']}" if fields["languages"] else "",
    ]
    return ". ".join(part for part in parts if part)


def _requirements_text(vacancy: Vacancy) -> str:
    stored = vacancy.requirements or {}
    levels = list(stored.get("education_levels") or [])
    if stored.get("min_education_level"):
        levels.append(stored["min_education_level"])
    names = [
        f"{EDUCATION_LEVEL_NAMES[level]['ru_short']} / {EDUCATION_LEVEL_NAMES[level]['kk_short']}"
        for level in dict.fromkeys(levels)
        if level in EDUCATION_LEVEL_NAMES
    ]
    fields = [str(field) for field in stored.get("education_fields") or []]
    return "; ".join(part for part in (", ".join(names), ", ".join(fields)) if part)


def vacancy_fields(vacancy: Vacancy) -> dict[str, str]:
    """The vacancy as named fields: title (ru and kk), functional area, duties (ru and kk), requirements."""
    title = " / ".join(dict.fromkeys(part.strip() for part in (vacancy.title_ru, vacancy.title_kk) if part.strip()))
    duties = "\n".join(part.strip() for part in (vacancy.duties_ru, vacancy.duties_kk) if part.strip())
    return {
        "title": title,
        "functional_area": area_words(vacancy.functional_area),
        "duties": duties,
        "requirements": _requirements_text(vacancy),
    }


def vacancy_text(vacancy: Vacancy) -> str:
    """The vacancy as one passage: titles, area, duties and the education it asks for."""
    fields = vacancy_fields(vacancy)
    parts = [
        fields["title"],
        fields["functional_area"],
        fields["duties"],
        f"{LABELS['requirements']['ru']}: {fields['requirements']}" if fields["requirements"] else "",
    ]
    return ". ".join(part for part in parts if part)
