"""Helpers for tests: a competition with published results and its ranked candidates (not used by the service)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.applications.models import CONFIRMED, Application
from app.auth.models import HR_OFFICER, Account
from app.candidates.models import Candidate
from app.competitions.models import RESULTS_PUBLISHED, Competition
from app.rules.categories import stage_plan
from app.vacancies.models import PUBLISHED, Vacancy
from tests.factories.accounts import make_account
from tests.factories.candidates import make_candidate


@dataclass(frozen=True)
class PublishedCompetition:
    competition_id: int
    vacancy_id: int
    hr_officer: Account
    candidates: dict[str, Candidate]
    """Anonymous code -> candidate, in rank order (the winner first)."""


def make_published_competition(
    session: Session,
    *,
    secret_key: str,
    published_on: date,
    ranked: int = 3,
    policy: dict[str, Any] | None = None,
    deadlines: dict[str, str] | None = None,
) -> PublishedCompetition:
    """A C-4 competition published on ``published_on`` with ``ranked`` interviewed candidates ranked 1..n.

    ``deadlines`` is what the core stored in the outcome (pass the hand-computed window).
    """
    hr = make_account(session, role=HR_OFFICER)
    assert hr.state_body_id is not None
    vacancy = Vacancy(
        state_body_id=hr.state_body_id,
        category="C-4",
        managerial=False,
        functional_area="legal",
        locality_type="city",
        title_kk="Бас маман",
        title_ru="Главный специалист",
        duties_kk="—",
        duties_ru="—",
        requirements={},
        status=PUBLISHED,
        created_by=hr.id,
    )
    session.add(vacancy)
    session.flush()
    prefix = uuid.uuid4().hex[:6].upper()
    codes = [f"A-{prefix}-{i}" for i in range(1, ranked + 1)]
    outcome = {
        "stages": [{"stage": "interview", "entered": codes, "advanced": codes, "eliminated": {}}],
        "ranking": [{"ref": code, "rank": i, "total": 10.0 - i, "tie_break": None} for i, code in enumerate(codes, 1)],
        "top3": codes[:3],
        "winner": codes[0] if codes else None,
        "deadlines": deadlines,
    }
    competition = Competition(
        vacancy_id=vacancy.id,
        state_body_id=hr.state_body_id,
        category="C-4",
        managerial=False,
        stage_plan=list(stage_plan("C-4", False)),
        policy=policy or {},
        status=RESULTS_PUBLISHED,
        published_on=date(2026, 2, 2),
        applications_close_on=date(2026, 2, 16),
        documents_review_due=date(2026, 2, 19),
        results_published_on=published_on,
        outcome=outcome,
    )
    session.add(competition)
    session.flush()
    candidates: dict[str, Candidate] = {}
    for i, code in enumerate(codes, 1):
        candidate = make_candidate(
            session, secret_key=secret_key, given_name=f"Үміткер{i}", birth_date=date(1990, 1, i)
        )
        session.add(
            Application(
                competition_id=competition.id,
                candidate_id=candidate.id,
                anonymous_code=code,
                status=CONFIRMED,
                applied_on=date(2026, 2, 3),
                hr_confirmation_due=date(2026, 2, 4),
                qualified=True,
                qualification=[],
                experience_months=36,
                education_level="bachelor",
            )
        )
        candidates[code] = candidate
    session.flush()
    return PublishedCompetition(competition.id, vacancy.id, hr, candidates)
