"""Helpers for tests: a competition with its commission, ready for a protocol (never used by the service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account
from app.competitions.models import RESULTS_PUBLISHED, CommissionMember, Competition
from app.protocol.sample import SAMPLE_COMMISSION
from app.rules.categories import stage_plan
from app.vacancies.models import CLOSED, Vacancy
from tests.factories.accounts import make_account


@dataclass(frozen=True)
class CompetitionWithCommission:
    competition: Competition
    hr_officer: Account
    members: tuple[Account, ...]
    """In the order of ``SAMPLE_COMMISSION`` (chair, member, member, secretary)."""


def make_competition_with_commission(session: Session) -> CompetitionWithCommission:
    """A C-1 competition with published results, its HR officer and the four seats of the sample commission."""
    hr_officer = make_account(session, role=HR_OFFICER)
    assert hr_officer.state_body_id is not None
    vacancy = Vacancy(
        state_body_id=hr_officer.state_body_id,
        category="C-1",
        managerial=True,
        functional_area="digitalisation",
        title_kk="Басқарма басшысы",
        title_ru="Руководитель управления",
        duties_kk="—",
        duties_ru="—",
        requirements={},
        status=CLOSED,
        created_by=hr_officer.id,
    )
    session.add(vacancy)
    session.flush()
    published = date(2026, 3, 16)
    competition = Competition(
        vacancy_id=vacancy.id,
        state_body_id=hr_officer.state_body_id,
        category="C-1",
        managerial=True,
        stage_plan=list(stage_plan("C-1", True)),
        policy={},
        status=RESULTS_PUBLISHED,
        published_on=date(2026, 2, 2),
        applications_close_on=date(2026, 2, 16),
        documents_review_due=date(2026, 2, 19),
        results_published_on=published,
    )
    session.add(competition)
    session.flush()
    members = []
    for seat in SAMPLE_COMMISSION:
        account = make_account(session, role=COMMISSION_MEMBER, display_name=seat.full_name)
        session.add(
            CommissionMember(
                competition_id=competition.id, account_id=account.id, role=seat.role, added_by=hr_officer.id
            )
        )
        members.append(account)
    session.flush()
    return CompetitionWithCommission(competition, hr_officer, tuple(members))
