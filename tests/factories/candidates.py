"""Helpers for tests: valid IINs and candidates with a personal file, straight into the database."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.candidates import service
from app.candidates.demo import make_iin as demo_iin
from app.candidates.models import Candidate
from app.candidates.schemas import ConsentsIn, EducationIn, LanguageIn, RegistrationIn, WorkIn
from tests.factories.accounts import TEST_PASSWORD

_serials = itertools.count(1)
_issued: set[str] = set()


def make_iin(birth_date: date, sex: str, serial: int | None = None) -> str:
    """A valid IIN for ``birth_date`` and ``sex`` (a fresh one in this process unless ``serial`` is given).

    The demo's ``make_iin`` skips serial numbers no IIN is issued with, so serial n may give the IIN of
    serial n + 1; the set of issued IINs keeps two calls from ever returning the same one.
    """
    if serial is not None:
        return demo_iin(birth_date, sex, serial)
    while True:
        iin = demo_iin(birth_date, sex, next(_serials))
        if iin not in _issued:
            _issued.add(iin)
            return iin


def make_candidate(
    session: Session,
    *,
    secret_key: str,
    iin: str | None = None,
    email: str | None = None,
    surname: str = "Сәрсенов",
    given_name: str = "Асқар",
    patronymic: str | None = None,
    birth_date: date = date(1990, 5, 17),
    sex: str = "male",
    region: str = "Astana",
    education: list[dict[str, Any]] | None = None,
    work: list[dict[str, Any]] | None = None,
    languages: list[dict[str, str]] | None = None,
    talent_pool: bool = False,
    vacancy_alerts: bool = False,
    password: str = TEST_PASSWORD,
) -> Candidate:
    """A registered candidate (account, file, consents, audit event) in the caller's transaction.

    ``education`` / ``work`` are lists of dicts with the fields of ``EducationIn`` / ``WorkIn``;
    sign in with ``tests.factories.accounts.auth_headers(app, candidate.account)``.
    """
    iin = iin or make_iin(birth_date, sex)
    data = RegistrationIn(
        email=email or f"candidate-{iin}@test.irikteu.kz",
        password=password,
        iin=iin,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        phone="+7 701 000 00 00",
        region=region,
        languages=[LanguageIn.model_validate(item) for item in (languages or [{"language": "kk", "level": "native"}])],
        education=[EducationIn.model_validate(item) for item in (education or [])],
        work=[WorkIn.model_validate(item) for item in (work or [])],
        consents=ConsentsIn(
            selection_rules=True, personal_data=True, talent_pool=talent_pool, vacancy_alerts=vacancy_alerts
        ),
    )
    return service.register_new(session=session, data=data, secret_key=secret_key)
