"""A year of generated selection history across the three demo bodies, so the figures show real trends.

Deterministic (a seeded generator, fixed dates: November 2025 to October 2026), fast (under two hundred
competitions, plain rows), and marked: the vacancies' titles end in «(демо тарихы)», the people are
``history01``… accounts that cannot sign in (inactive), with no talent-pool consent. The competitions
carry their published outcome only, not the stage records: their replay input is empty.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import AlertDelivery, AlertSubscription
from app.applications.models import CONFIRMED, Application
from app.appointments.models import APPOINTED, REFUSED, Appointment
from app.auth.demo import DEMO_STATE_BODIES, demo_email
from app.auth.models import ADMINISTRATOR, HR_OFFICER, Account, StateBody
from app.auth.security import hash_password
from app.candidates.demo import make_iin
from app.candidates.schemas import ConsentsIn, EducationIn, LanguageIn, RegistrationIn
from app.candidates.service import create_candidate
from app.competitions.models import RESULTS_PUBLISHED, Competition
from app.rules.calendar import appointment_deadlines, is_working_day, nth_working_day_after
from app.rules.categories import stage_plan
from app.rules.policy import SelectionPolicy
from app.settings import get_settings
from app.vacancies.models import CLOSED, Vacancy

FIRST_MONTH = date(2025, 11, 1)
MONTHS = 12
PEOPLE = 48
SEED = 2026
TITLES = (
    ("Бас маман", "Главный специалист", "C-4"),
    ("Жетекші маман", "Ведущий специалист", "C-5"),
    ("Бөлім басшысы", "Руководитель отдела", "C-3"),
    ("Департамент директоры", "Директор департамента", "C-1"),
    ("Сарапшы", "Эксперт", "C-4"),
)
SURNAMES = (
    "Ахметов",
    "Омарова",
    "Сейітов",
    "Жұмабаева",
    "Ким",
    "Петрова",
    "Нұрланов",
    "Серікова",
    "Тоқтаров",
    "Исаева",
    "Бекова",
    "Қасымов",
)
GIVEN = ("Арман", "Айгүл", "Данияр", "Мадина", "Ержан", "Салтанат", "Тимур", "Әсел")
ROUTES = ("grant_graduate", "regional_reserve", "presidential_youth_reserve", "academy_graduate")


def _working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _month(index: int) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + index, 12)
    return date(FIRST_MONTH.year + year, month + 1, 1)


def _people(session: Session, rng: random.Random) -> list[int]:
    secret = get_settings().secret_key
    password = hash_password(secrets.token_urlsafe(24))  # nobody knows it, and the accounts are inactive
    ids = []
    for serial in range(1, PEOPLE + 1):
        sex = "female" if serial % 2 else "male"
        born = date(1985 + serial % 15, 1 + serial % 12, 1 + serial % 27)
        data = RegistrationIn(
            email=demo_email(f"history{serial:02d}"),
            password="unused-history-password",
            iin=make_iin(born, sex, 500 + serial),
            surname=SURNAMES[serial % len(SURNAMES)],
            given_name=GIVEN[serial % len(GIVEN)],
            patronymic=None,
            phone=f"+7 700 100 00 {serial:02d}",
            region=rng.choice(("Astana", "Almaty", "Kyzylorda", "Karaganda")),
            languages=[LanguageIn(language="kk", level="native")],
            education=[
                EducationIn(
                    level="bachelor",
                    field="Public administration",
                    institution="ENU",
                    start_date=date(2010 + serial % 10, 9, 1),
                    end_date=date(2014 + serial % 10, 6, 30),
                )
            ],
            work=[],
            consents=ConsentsIn(selection_rules=True, personal_data=True, talent_pool=False, vacancy_alerts=False),
        )
        candidate = create_candidate(
            session=session, data=data, secret_key=secret, password_hash=password, is_demo=True
        )
        candidate.account.is_active = False
        ids.append(candidate.id)
    session.flush()
    return ids


def _vacancy(session: Session, body: StateBody, creator: int, title: tuple[str, str, str], locality: str) -> Vacancy:
    kk, ru, category = title
    vacancy = Vacancy(
        state_body_id=body.id,
        category=category,
        managerial=category == "C-1",
        functional_area="legal",
        locality_type=locality,
        title_kk=f"{kk} (демо тарихы)",
        title_ru=f"{ru} (демо тарихы)",
        duties_kk="—",
        duties_ru="—",
        requirements={},
        status=CLOSED,
        created_by=creator,
    )
    session.add(vacancy)
    session.flush()
    return vacancy


class _History:
    """Writes one body's competitions and appointments month by month."""

    def __init__(self, session: Session, rng: random.Random, people: list[int], end: date) -> None:
        self.session, self.rng, self.people, self.end = session, rng, people, end
        self.counts = {"competitions": 0, "applications": 0, "appointments": 0, "direct_appointments": 0}
        self.applied: dict[int, set[int]] = {}

    def competition(self, body: StateBody, creator: int, month_index: int) -> Vacancy:
        rng = self.rng
        title = rng.choice(TITLES)
        vacancy = _vacancy(self.session, body, creator, title, "city" if body.region != "Astana" else "republican")
        published_on = _working_day_on_or_after(_month(month_index) + timedelta(days=rng.randint(0, 20)))
        # interest grows over the year: about 2 applicants a place at the start, about 4 at the end
        applicants = rng.sample(self.people, max(1, min(len(self.people), round(rng.gauss(2 + month_index / 5, 1.2)))))
        competition = Competition(
            vacancy_id=vacancy.id,
            state_body_id=body.id,
            category=title[2],
            managerial=title[2] == "C-1",
            stage_plan=list(stage_plan(title[2], title[2] == "C-1")),
            policy={},
            status=RESULTS_PUBLISHED,
            published_on=published_on,
            applications_close_on=nth_working_day_after(published_on, 7),
            documents_review_due=nth_working_day_after(published_on, 10),
        )
        self.session.add(competition)
        self.session.flush()
        codes = []
        for number, person in enumerate(applicants, 1):
            code = f"H{competition.id}-{number}"
            codes.append(code)
            self.session.add(
                Application(
                    competition_id=competition.id,
                    candidate_id=person,
                    anonymous_code=code,
                    status=CONFIRMED,
                    applied_on=published_on,
                    hr_confirmation_due=nth_working_day_after(published_on, 1),
                    qualified=True,
                    qualification=[],
                    experience_months=rng.randint(12, 180),
                    education_level="bachelor",
                )
            )
        self.applied.setdefault(vacancy.id, set()).update(applicants)
        stages, remaining = [], codes
        for stage, share in (("personal_qualities", 0.8), ("reasoning", 0.6), ("interview", 1.0)):
            if stage == "interview":
                remaining = remaining[:3]
            went_on = remaining[: max(0, round(len(remaining) * share))] if remaining else []
            stages.append(
                {
                    "stage": stage,
                    "entered": remaining,
                    "advanced": went_on,
                    "eliminated": {c: "below_pass_mark" for c in remaining if c not in went_on},
                }
            )
            remaining = went_on
        published = nth_working_day_after(published_on, rng.randint(18, 30))
        winner = remaining[0] if remaining and rng.random() < 0.85 else None
        deadlines = (
            appointment_deadlines(published, single_candidate=len(remaining) == 1, policy=SelectionPolicy())
            if remaining
            else None
        )
        competition.results_published_on = published
        competition.outcome = {
            "stages": stages,
            "ranking": [{"ref": c, "rank": i, "total": 0, "tie_break": None} for i, c in enumerate(remaining, 1)],
            "top3": remaining,
            "winner": winner,
            "deadlines": None
            if deadlines is None
            else {
                "appointment_from": deadlines.appointment_from.isoformat(),
                "appointment_until": deadlines.appointment_until.isoformat(),
                "documents_due": deadlines.documents_due.isoformat(),
            },
        }
        self.counts["competitions"] += 1
        self.counts["applications"] += len(codes)
        if winner is not None and deadlines is not None:
            self._appoint(competition, vacancy, applicants[codes.index(winner)], winner, published, deadlines)
        self.session.flush()
        return vacancy

    def _appoint(
        self, competition: Competition, vacancy: Vacancy, person: int, code: str, published: date, deadlines: Any
    ) -> None:
        day = nth_working_day_after(published, self.rng.choice((6, 7, 8, 9, 10, 10, 12)))
        refused = self.rng.random() < 0.08
        if day > self.end:
            return
        late = day > deadlines.appointment_until
        self.session.add(
            Appointment(
                vacancy_id=vacancy.id,
                state_body_id=competition.state_body_id,
                candidate_id=person,
                route="competition",
                competition_id=competition.id,
                anonymous_code=code,
                status=REFUSED if refused else APPOINTED,
                offered_on=published,
                window_from=deadlines.appointment_from,
                window_until=deadlines.appointment_until,
                documents_due=deadlines.documents_due,
                documents_required=True,
                documents_received_on=None if refused else deadlines.documents_due - timedelta(days=2),
                order_number=None if refused else f"{competition.id}-к",
                appointed_on=None if refused else day,
                outside_window=late and not refused,
                outside_window_reason="the winner's notice period at the former employer"
                if late and not refused
                else None,
                refused_on=day if refused else None,
                refusal_reason="took another offer" if refused else None,
            )
        )
        if not refused:
            self.counts["appointments"] += 1

    def direct(self, body: StateBody, creator: int, month_index: int, route: str) -> None:
        vacancy = _vacancy(self.session, body, creator, TITLES[0], "district" if route == "grant_graduate" else "city")
        day = _working_day_on_or_after(_month(month_index) + timedelta(days=10))
        self.session.add(
            Appointment(
                vacancy_id=vacancy.id,
                state_body_id=body.id,
                candidate_id=self.rng.choice(self.people),
                route=route,
                status=APPOINTED,
                offered_on=day,
                documents_required=False,
                order_number=f"{vacancy.id}-т",
                appointed_on=nth_working_day_after(day, 3),
                proposal_reason="demo history",
                proposed_by=creator,
            )
        )
        self.counts["direct_appointments"] += 1


def seed_demo_history(session: Session) -> dict[str, int]:
    """Twelve months of competitions, appointments (by competition and outside it) and alerts."""
    rng = random.Random(SEED)
    codes = [code for code, *_ in DEMO_STATE_BODIES]
    bodies = session.scalars(select(StateBody).where(StateBody.code.in_(codes)).order_by(StateBody.code)).all()
    admin = session.scalars(select(Account.id).where(Account.role == ADMINISTRATOR).order_by(Account.id)).first()
    assert admin is not None, "the identity seeder runs first"
    people = _people(session, rng)
    end = _month(MONTHS) - timedelta(days=1)
    history = _History(session, rng, people, end)
    vacancies: list[Vacancy] = []
    for month_index in range(MONTHS):
        for body in bodies:
            creator = (
                session.scalars(
                    select(Account.id)
                    .where(Account.role == HR_OFFICER, Account.state_body_id == body.id)
                    .order_by(Account.id)
                ).first()
                or admin
            )
            for _ in range(rng.randint(4, 6)):
                vacancies.append(history.competition(body, creator, month_index))
            if month_index % 3 == 2:
                history.direct(body, creator, month_index, ROUTES[(month_index // 3) % len(ROUTES)])
    subscribers = []
    for person in people[:16]:
        subscription = AlertSubscription(
            candidate_id=person, criteria={"demo": True}, frequency="immediate", locale="kk", active=False
        )
        session.add(subscription)
        subscribers.append(subscription)
    session.flush()
    alerts = 0
    for vacancy in vacancies[::3]:
        competition = session.scalars(select(Competition).where(Competition.vacancy_id == vacancy.id)).one()
        for subscription in rng.sample(subscribers, 4):
            session.add(
                AlertDelivery(
                    subscription_id=subscription.id,
                    vacancy_id=vacancy.id,
                    period_key=f"immediate:demo-{vacancy.id}",
                    delivered_at=_at_noon(competition.published_on),
                )
            )
            alerts += 1
    session.flush()
    return {**history.counts, "alerts": alerts, "people": len(people)}


def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)
