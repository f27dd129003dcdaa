"""A candidate's personal file on a day against a vacancy's requirements (``app.rules.qualification``): the
check an application runs when it is made, the matching's filter and the vacancy page's "you qualify" note."""

from __future__ import annotations

from datetime import date

from app.candidates.models import Candidate
from app.candidates.service import experience_months, functional_area_months
from app.rules.qualification import QualificationCheck, check_qualification
from app.vacancies.models import Vacancy
from app.vacancies.schemas import requirements_from_json


def diplomas_on(candidate: Candidate, on: date) -> list[tuple[str, str | None]]:
    """``(level, field)`` of every diploma obtained by ``on``."""
    return [
        (record.level, record.field)
        for record in candidate.education
        if record.end_date is not None and record.end_date <= on
    ]


def qualification_of(candidate: Candidate, vacancy: Vacancy, on: date) -> QualificationCheck:
    """The vacancy's requirements checked against the candidate's file on ``on``."""
    areas = {job.functional_area for job in candidate.work}
    return check_qualification(
        requirements_from_json(vacancy.requirements),
        education=diplomas_on(candidate, on),
        experience_months=experience_months(candidate, on),
        functional_area_months={area: functional_area_months(candidate, area, on) for area in areas},
    )
