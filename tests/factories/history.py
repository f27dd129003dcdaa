"""Helpers for tests: a small fixed selection history written straight to the tables (not used by the service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.alerts.models import AlertDelivery, AlertSubscription
from app.applications.models import CONFIRMED, Application
from app.appointments.models import APPOINTED, Appointment
from app.auth.models import HR_OFFICER, Account, StateBody
from app.candidates.models import Candidate
from app.competitions.models import OPEN, RESULTS_PUBLISHED, Competition
from app.rules.categories import stage_plan
from app.vacancies.models import CLOSED, PUBLISHED, Vacancy
from tests.factories.accounts import make_account, make_state_body
from tests.factories.candidates import make_candidate


@dataclass(frozen=True)
class History:
    minfin: StateBody
    kyzylorda: StateBody
    minfin_hr: Account
    kyzylorda_hr: Account


def _stages(*counts: tuple[str, int, int]) -> list[dict[str, Any]]:
    return [
        {
            "stage": stage,
            "entered": [f"x{i}" for i in range(entered)],
            "advanced": [f"x{i}" for i in range(advanced)],
            "eliminated": {},
        }
        for stage, entered, advanced in counts
    ]


class _Writer:
    def __init__(self, session: Session, people: list[Candidate]) -> None:
        self.session = session
        self.people = people
        self.codes = 0

    def competition(
        self,
        hr: Account,
        category: str,
        published_on: date,
        applicants: int,
        stages: list[dict[str, Any]] | None,
        winner: bool,
        appointed_on: date | None,
    ) -> Vacancy:
        assert hr.state_body_id is not None
        vacancy = Vacancy(
            state_body_id=hr.state_body_id,
            category=category,
            managerial=category == "C-1",
            functional_area="legal",
            title_kk="Маман",
            title_ru="Специалист",
            duties_kk="—",
            duties_ru="—",
            requirements={},
            status=PUBLISHED if stages is None else CLOSED,
            created_by=hr.id,
        )
        self.session.add(vacancy)
        self.session.flush()
        outcome = (
            None
            if stages is None
            else {"stages": stages, "ranking": [], "top3": [], "winner": "x0" if winner else None, "deadlines": None}
        )
        competition = Competition(
            vacancy_id=vacancy.id,
            state_body_id=hr.state_body_id,
            category=category,
            managerial=category == "C-1",
            stage_plan=list(stage_plan(category, category == "C-1")),
            policy={},
            status=OPEN if stages is None else RESULTS_PUBLISHED,
            published_on=published_on,
            applications_close_on=published_on,
            documents_review_due=published_on,
            results_published_on=None if stages is None else published_on,
            outcome=outcome,
        )
        self.session.add(competition)
        self.session.flush()
        for person in self.people[:applicants]:
            self.codes += 1
            self.session.add(
                Application(
                    competition_id=competition.id,
                    candidate_id=person.id,
                    anonymous_code=f"H-{competition.id}-{self.codes}",
                    status=CONFIRMED,
                    applied_on=published_on,
                    hr_confirmation_due=published_on,
                    qualified=True,
                    qualification=[],
                    experience_months=24,
                    education_level="bachelor",
                )
            )
        if appointed_on is not None:
            self.session.add(
                Appointment(
                    vacancy_id=vacancy.id,
                    state_body_id=hr.state_body_id,
                    candidate_id=self.people[0].id,
                    route="competition",
                    competition_id=competition.id,
                    status=APPOINTED,
                    offered_on=published_on,
                    order_number="1",
                    appointed_on=appointed_on,
                )
            )
        self.session.flush()
        return vacancy


def make_history(session: Session, *, secret_key: str) -> History:
    """The history of ``tests/unit/rules/test_analytics.py`` in the tables.

    MINFIN (Astana, C-4): published 16.03.2026 with 12 applications, personal qualities 12 -> 9, interview
    3 -> 3, a winner appointed 27.03.2026; published 29.04.2026 with 3 applications (candidates 1-3),
    personal qualities 3 -> 1, no winner; four alerts of that vacancy delivered 29.04.2026 to candidates
    1, 4, 5, 6 (one applied). KYZ (Kyzylorda, C-1): published 30.04.2026 with 10 applications, 10 -> 5,
    3 -> 3, appointed 12.05.2026; published 04.05.2026, still open; a grant graduate appointed without
    competition 20.05.2026.
    """
    minfin = make_state_body(session, code="MINFIN", region="Astana")
    kyzylorda = make_state_body(session, code="KYZ", region="Kyzylorda")
    minfin_hr = make_account(session, role=HR_OFFICER, state_body_id=minfin.id)
    kyzylorda_hr = make_account(session, role=HR_OFFICER, state_body_id=kyzylorda.id)
    people = [
        make_candidate(session, secret_key=secret_key, given_name=f"Адам{i}", birth_date=date(1991, 2, i))
        for i in range(1, 13)
    ]
    writer = _Writer(session, people)
    writer.competition(
        minfin_hr,
        "C-4",
        date(2026, 3, 16),
        12,
        _stages(("personal_qualities", 12, 9), ("interview", 3, 3)),
        True,
        date(2026, 3, 27),
    )
    alerted = writer.competition(
        minfin_hr, "C-4", date(2026, 4, 29), 3, _stages(("personal_qualities", 3, 1)), False, None
    )
    writer.competition(
        kyzylorda_hr,
        "C-1",
        date(2026, 4, 30),
        10,
        _stages(("personal_qualities", 10, 5), ("interview", 3, 3)),
        True,
        date(2026, 5, 12),
    )
    writer.competition(kyzylorda_hr, "C-1", date(2026, 5, 4), 0, None, False, None)
    direct = Vacancy(
        state_body_id=kyzylorda.id,
        category="E-G-4",
        managerial=False,
        functional_area="legal",
        locality_type="rural",
        title_kk="Маман",
        title_ru="Специалист",
        duties_kk="—",
        duties_ru="—",
        requirements={},
        status=CLOSED,
        created_by=kyzylorda_hr.id,
    )
    session.add(direct)
    session.flush()
    session.add(
        Appointment(
            vacancy_id=direct.id,
            state_body_id=kyzylorda.id,
            candidate_id=people[11].id,
            route="grant_graduate",
            status=APPOINTED,
            offered_on=date(2026, 5, 18),
            order_number="9",
            appointed_on=date(2026, 5, 20),
            documents_required=False,
        )
    )
    for index in (0, 3, 4, 5):
        subscription = AlertSubscription(candidate_id=people[index].id, criteria={}, frequency="immediate", locale="kk")
        session.add(subscription)
        session.flush()
        session.add(
            AlertDelivery(
                subscription_id=subscription.id,
                vacancy_id=alerted.id,
                period_key="immediate:1",
                delivered_at=datetime(2026, 4, 29, 6, 0, tzinfo=UTC),
            )
        )
    session.flush()
    return History(minfin, kyzylorda, minfin_hr, kyzylorda_hr)
