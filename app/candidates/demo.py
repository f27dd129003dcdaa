"""Twelve demo candidates with personal files (Kazakh and Russian names, valid generated IINs), marked ``is_demo``."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.auth.demo import demo_email
from app.auth.security import hash_password
from app.candidates.schemas import ConsentsIn, EducationIn, LanguageIn, RegistrationIn, WorkIn
from app.candidates.service import create_candidate
from app.rules.iin import iin_check_digit
from app.settings import get_settings

DEMO_CANDIDATE_PASSWORD = "demo-candidate-2026"
_CENTURY_SEX_DIGIT = {(1900, "male"): "3", (1900, "female"): "4", (2000, "male"): "5", (2000, "female"): "6"}


def make_iin(birth_date: date, sex: str, serial: int) -> str:
    """A valid IIN for ``birth_date`` and ``sex``; serial numbers no IIN is issued with are skipped."""
    century = 1900 if birth_date.year < 2000 else 2000
    number = serial
    while True:
        first11 = f"{birth_date:%y%m%d}{_CENTURY_SEX_DIGIT[(century, sex)]}{number % 10000:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            return f"{first11}{check}"
        number += 1


def _edu(level: str, field: str, institution: str, start: str, end: str | None) -> dict[str, Any]:
    return {"level": level, "field": field, "institution": institution, "start_date": start, "end_date": end}


def _job(employer: str, position: str, start: str, end: str | None, area: str) -> dict[str, Any]:
    return {"employer": employer, "position": position, "start_date": start, "end_date": end, "functional_area": area}


# (login, surname, given name, patronymic, birth date, sex, region, languages, education, work, talent pool)
DEMO_CANDIDATES: tuple[tuple[Any, ...], ...] = (
    (
        "candidate01",
        "Сәрсенов",
        "Асқар",
        "Болатұлы",
        date(1988, 4, 12),
        "male",
        "Astana",
        {"kk": "native", "ru": "C2", "en": "B2"},
        [
            _edu("bachelor", "Finance", "L.N. Gumilyov Eurasian National University", "2005-09-01", "2009-06-30"),
            _edu("master", "Public administration", "Academy of Public Administration", "2012-09-01", "2014-06-30"),
        ],
        [
            _job("Halyk Bank", "Analyst", "2009-08-01", "2013-12-31", "budget_planning"),
            _job("Ministry of Finance", "Chief expert", "2014-01-15", None, "budget_planning"),
        ],
        True,
    ),
    (
        "candidate02",
        "Нұрланова",
        "Әйгерім",
        "Серікқызы",
        date(1993, 11, 3),
        "female",
        "Almaty",
        {"kk": "native", "ru": "C1"},
        [_edu("bachelor", "Law", "Al-Farabi Kazakh National University", "2010-09-01", "2014-06-30")],
        [
            _job("Law firm «Заң»", "Lawyer", "2014-09-01", "2019-05-31", "legal"),
            _job("Akimat of Almaty", "Legal adviser", "2019-06-01", None, "legal"),
        ],
        True,
    ),
    (
        "candidate03",
        "Иванов",
        "Сергей",
        "Петрович",
        date(1985, 2, 20),
        "male",
        "Karaganda",
        {"ru": "native", "kk": "B1"},
        [_edu("bachelor", "Computer science", "Karaganda Technical University", "2002-09-01", "2006-06-30")],
        [
            _job("Kazakhtelecom", "Engineer", "2006-08-01", "2015-03-31", "digitalisation"),
            _job("Digital Government Support Centre", "Lead engineer", "2015-04-01", None, "digitalisation"),
        ],
        False,
    ),
    (
        "candidate04",
        "Оспанова",
        "Динара",
        "Маратқызы",
        date(1996, 7, 9),
        "female",
        "Shymkent",
        {"kk": "native", "ru": "C1", "en": "B1"},
        [_edu("bachelor", "Economics", "M. Auezov South Kazakhstan University", "2013-09-01", "2017-06-30")],
        [
            _job("Akimat of Shymkent", "Specialist", "2017-09-01", "2021-08-31", "public_procurement"),
            # A part-time job that overlaps the first one: counted once.
            _job("Procurement consultancy", "Consultant", "2020-01-01", "2022-12-31", "public_procurement"),
        ],
        True,
    ),
    (
        "candidate05",
        "Петрова",
        "Анна",
        "Викторовна",
        date(1990, 9, 30),
        "female",
        "Pavlodar",
        {"ru": "native", "kk": "A2", "en": "C1"},
        [
            _edu("technical_vocational", "Accounting", "Pavlodar College of Economics", "2006-09-01", "2009-06-30"),
            _edu("bachelor", "Accounting and audit", "Toraighyrov University", "2009-09-01", "2013-06-30"),
        ],
        [_job("Pavlodar Oil Chemistry Refinery", "Accountant", "2013-07-01", None, "accounting")],
        False,
    ),
    (
        "candidate06",
        "Жақыпов",
        "Ерболат",
        None,
        date(1999, 1, 17),
        "male",
        "Aktobe",
        {"kk": "native", "ru": "B2"},
        [
            _edu(
                "bachelor",
                "Public administration",
                "K. Zhubanov Aktobe Regional University",
                "2016-09-01",
                "2020-06-30",
            )
        ],
        [_job("Akimat of Aktobe region", "Specialist", "2020-09-01", None, "social_protection")],
        True,
    ),
    (
        "candidate07",
        "Ким",
        "Виктория",
        "Александровна",
        date(1987, 5, 25),
        "female",
        "Almaty",
        {"ru": "native", "kk": "B2", "en": "C1"},
        [
            _edu("bachelor", "International relations", "KIMEP University", "2004-09-01", "2008-06-30"),
            _edu("doctorate", "Economics", "Al-Farabi Kazakh National University", "2012-09-01", "2015-06-30"),
        ],
        [
            _job("Ministry of Foreign Affairs", "Attaché", "2008-09-01", "2012-08-31", "international_cooperation"),
            _job("Al-Farabi Kazakh National University", "Associate professor", "2015-09-01", None, "education_policy"),
        ],
        True,
    ),
    (
        "candidate08",
        "Төлегенов",
        "Айбек",
        "Қайратұлы",
        date(2001, 12, 1),
        "male",
        "Kyzylorda",
        {"kk": "native", "ru": "C1"},
        [_edu("bachelor", "Agronomy", "Korkyt Ata Kyzylorda University", "2019-09-01", "2023-06-30")],
        [_job("Farm «Сырдария»", "Agronomist", "2023-07-01", None, "agriculture")],
        False,
    ),
    (
        "candidate09",
        "Смагулова",
        "Жанар",
        "Ерланқызы",
        date(1982, 3, 8),
        "female",
        "Astana",
        {"kk": "native", "ru": "native", "en": "A2"},
        [_edu("bachelor", "Human resources management", "Kazakh University of Economics", "1999-09-01", "2003-06-30")],
        [
            _job("KazMunayGas", "HR specialist", "2003-08-01", "2010-12-31", "hr_management"),
            _job("Agency for Civil Service Affairs", "Head of unit", "2011-01-10", None, "hr_management"),
        ],
        True,
    ),
    (
        "candidate10",
        "Сидоренко",
        "Максим",
        "Игоревич",
        date(1994, 6, 14),
        "male",
        "Ust-Kamenogorsk",
        {"ru": "native", "kk": "A2"},
        [
            _edu(
                "technical_vocational",
                "Electrical engineering",
                "East Kazakhstan Polytechnic College",
                "2010-09-01",
                "2013-06-30",
            )
        ],
        [
            _job("Kazzinc", "Electrician", "2013-07-01", "2018-06-30", "industry"),
            _job("Akimat of East Kazakhstan region", "Specialist", "2018-07-01", None, "housing_and_utilities"),
        ],
        False,
    ),
    (
        "candidate11",
        "Ахметжанова",
        "Мадина",
        "Нұрланқызы",
        date(1997, 10, 21),
        "female",
        "Atyrau",
        {"kk": "native", "ru": "C1", "en": "B2"},
        [
            _edu("bachelor", "Medicine", "Astana Medical University", "2014-09-01", "2020-06-30"),
            _edu("master", "Public health", "Astana Medical University", "2020-09-01", "2022-06-30"),
        ],
        [_job("Atyrau regional hospital", "Physician", "2022-08-01", None, "healthcare")],
        True,
    ),
    (
        "candidate12",
        "Бекмұхамбетов",
        "Нұржан",
        "Серікұлы",
        date(1979, 8, 5),
        "male",
        "Astana",
        {"kk": "native", "ru": "C2"},
        [
            _edu("secondary", "General secondary", "School No. 12", "1986-09-01", "1996-06-30"),
            _edu("bachelor", "Finance", "Kazakh University of Economics", "1996-09-01", "2000-06-30"),
        ],
        [
            _job("Tax committee", "Inspector", "2000-08-01", "2008-12-31", "tax_administration"),
            _job("Ministry of Finance", "Deputy head of department", "2009-01-01", None, "budget_planning"),
        ],
        True,
    ),
)


def seed_candidates(session: Session, *, secret_key: str | None = None) -> dict[str, int]:
    """The demo candidates with their files and consents (no audit event per row: ``demo.seeded`` covers them)."""
    secret = secret_key or get_settings().secret_key
    password_hash = hash_password(DEMO_CANDIDATE_PASSWORD)
    for serial, (
        login,
        surname,
        given,
        patronymic,
        born,
        sex,
        region,
        languages,
        education,
        work,
        talent_pool,
    ) in enumerate(DEMO_CANDIDATES, start=1):
        data = RegistrationIn(
            email=demo_email(login),
            password=DEMO_CANDIDATE_PASSWORD,
            iin=make_iin(born, sex, 100 + serial),
            surname=surname,
            given_name=given,
            patronymic=patronymic,
            phone=f"+7 700 000 00 {serial:02d}",
            region=region,
            locale="ru" if languages.get("ru") == "native" and languages.get("kk") != "native" else "kk",
            languages=[
                LanguageIn.model_validate({"language": code, "level": level}) for code, level in languages.items()
            ],
            education=[EducationIn.model_validate(item) for item in education],
            work=[WorkIn.model_validate(item) for item in work],
            consents=ConsentsIn(
                selection_rules=True, personal_data=True, talent_pool=talent_pool, vacancy_alerts=talent_pool
            ),
        )
        create_candidate(session=session, data=data, secret_key=secret, password_hash=password_hash, is_demo=True)
    return {"candidates": len(DEMO_CANDIDATES)}
