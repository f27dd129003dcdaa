"""The state's selection figures from the stored history: counted by the database per body, region, category
and month, computed from those counts by ``app.rules.analytics.figures_of_cells`` (the one place the figures
are defined).

What each figure counts is in ``app.rules.analytics``; this module only reads:

- competitions opened (the vacancy's publication) in the period, with their number of applications,
  the stages of the published outcome (entered and advanced per stage), the winner, and the day the
  competition's appointment was ordered;
- appointments ordered in the period, by route (competition and the routes outside it);
- vacancy alerts delivered in the period, and whether the person then applied to that vacancy.

An HR officer sees their own state body only; administrators and researchers see every body.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from app.alerts.models import AlertDelivery, AlertSubscription
from app.analytics.errors import BAD_PERIOD
from app.analytics.models import CompetitionStageCount, CompetitionSummary, WorkingDayNumber
from app.applications.models import Application, RecordedStageResult
from app.appointments.models import APPOINTED, Appointment
from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.permissions import ensure_can
from app.clock import KAZAKHSTAN
from app.competitions.models import RESULTS_PUBLISHED, CommissionMember, Competition
from app.errors import DomainError
from app.exams.models import TestBooking, TestResult
from app.protocol.models import Protocol, ProtocolSignature
from app.rules.analytics import (
    CANDIDATES_PER_PLACE_TARGET,
    AlertCell,
    AppointmentCell,
    CompetitionCell,
    Where,
    figures_of_cells,
    month_of,
)
from app.rules.calendar import is_working_day, working_days_between
from app.rules.policy import SelectionPolicy
from app.rules.programmes import PERSONAL_QUALITIES, REASONING
from app.rules.routes import COMPETITION_ROUTE
from app.vacancies.models import Vacancy


def scope_for(actor: Account, state_body_id: int | None) -> int | None:
    """The state body whose figures ``actor`` may see: an HR officer's own (whatever they asked), else the one
    asked for (``None``: all); 403 for other roles."""
    if actor.role == HR_OFFICER:
        state_body_id = actor.state_body_id
    ensure_can(actor, "analytics.read", state_body_id)
    return state_body_id


def _check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise DomainError(BAD_PERIOD, f"the period ends ({end}) before it starts ({start})")


ORIGIN = date(2000, 1, 1)
"""Working days are numbered from here (``WorkingDayNumber``); earlier days are not counted."""


def load_cells(
    session: Session,
    *,
    start: date | None,
    end: date | None,
    state_body_id: int | None = None,
) -> tuple[list[CompetitionCell], list[AppointmentCell], list[AlertCell]]:
    """The history of the period counted per place (body, region, category) and month, by the database.

    Outcomes published since the last call are summarised first (``summarise``).
    """
    _check_period(start, end)
    summarise(session)
    return (
        _competition_cells(session, start, end, state_body_id),
        _appointment_cells(session, start, end, state_body_id),
        _alert_cells(session, start, end, state_body_id),
    )


def _between(column: Any, start: date | None, end: date | None) -> list[Any]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def _month(session: Session, column: Any) -> Any:
    """``YYYY-MM`` of a date column, in the database's own words."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def summarise(session: Session) -> int:
    """Keep the winner and the stage counts of every published outcome not summarised yet, and number the
    working days of the years the history spans; how many outcomes were added."""
    pending = session.execute(
        select(Competition.id, Competition.outcome)
        .outerjoin(CompetitionSummary, CompetitionSummary.competition_id == Competition.id)
        .where(
            Competition.status == RESULTS_PUBLISHED,
            Competition.outcome.is_not(None),
            CompetitionSummary.competition_id.is_(None),
        )
    ).all()
    summaries = [{"competition_id": cid, "winner": outcome.get("winner") is not None} for cid, outcome in pending]
    stages = [
        {
            "competition_id": cid,
            "position": position,
            "stage": stage["stage"],
            "entered": len(stage["entered"]),
            "advanced": len(stage["advanced"]),
        }
        for cid, outcome in pending
        for position, stage in enumerate(outcome.get("stages", []))
    ]
    for rows, model in ((summaries, CompetitionSummary), (stages, CompetitionStageCount)):
        for first in range(0, len(rows), 10_000):
            session.execute(insert(model), rows[first : first + 10_000])
    _number_working_days(session)
    return len(summaries)


def _number_working_days(session: Session) -> None:
    first = session.scalar(select(func.min(Competition.published_on)))
    last = session.scalar(select(func.max(Appointment.appointed_on)))
    if first is None or last is None:
        return
    wanted = [date(year, 1, 1) for year in range(max(first.year, ORIGIN.year), last.year + 1)]
    known = set(session.scalars(select(WorkingDayNumber.day).where(WorkingDayNumber.day.in_(wanted))))
    missing = [new_year for new_year in wanted if new_year not in known]
    rows = []
    for new_year in missing:
        day = new_year
        number = working_days_between(ORIGIN, day)
        while day.year == new_year.year:
            rows.append({"day": day, "number": number})
            day += timedelta(days=1)
            number += is_working_day(day)
    for start in range(0, len(rows), 10_000):
        session.execute(insert(WorkingDayNumber), rows[start : start + 10_000])


def _competition_cells(
    session: Session, start: date | None, end: date | None, state_body_id: int | None
) -> list[CompetitionCell]:
    where = _between(Competition.published_on, start, end)
    if state_body_id is not None:
        where.append(Competition.state_body_id == state_body_id)
    month = _month(session, Competition.published_on).label("month")
    keys = (StateBody.code, StateBody.region, Competition.category, month)
    applications = (
        select(Application.competition_id, func.count().label("n"))
        .join(Competition, Competition.id == Application.competition_id)
        .where(*where)
        .group_by(Application.competition_id)
        .subquery()
    )
    counted = session.execute(
        select(
            *keys,
            func.count(Competition.id),
            func.coalesce(func.sum(applications.c.n), 0),
            func.count(CompetitionSummary.competition_id),
            func.coalesce(func.sum(case((CompetitionSummary.winner.is_(False), 1), else_=0)), 0),
        )
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .outerjoin(applications, applications.c.competition_id == Competition.id)
        .outerjoin(CompetitionSummary, CompetitionSummary.competition_id == Competition.id)
        .where(*where)
        .group_by(*keys)
    ).all()
    staged = session.execute(
        select(
            *keys,
            CompetitionStageCount.stage,
            func.min(CompetitionStageCount.position),
            func.sum(CompetitionStageCount.entered),
            func.sum(CompetitionStageCount.advanced),
        )
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .join(CompetitionStageCount, CompetitionStageCount.competition_id == Competition.id)
        .where(*where)
        .group_by(*keys, CompetitionStageCount.stage)
    ).all()
    appointed = (
        select(Appointment.competition_id, func.min(Appointment.appointed_on).label("on"))
        .where(Appointment.status == APPOINTED, Appointment.route == COMPETITION_ROUTE)
        .group_by(Appointment.competition_id)
        .subquery()
    )
    published, ordered = aliased(WorkingDayNumber), aliased(WorkingDayNumber)
    days = (ordered.number - published.number).label("days")
    filled = session.execute(
        select(*keys, days, func.count())
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .join(appointed, appointed.c.competition_id == Competition.id)
        .join(published, published.day == Competition.published_on)
        .join(ordered, ordered.day == appointed.c.on)
        .where(*where)
        .group_by(*keys, days)
    ).all()
    tests = _tests_online(session, keys, where)
    protocols = _protocols_online(session, keys, where)
    stages: dict[tuple[str, str, str, str], list[tuple[int, str, int, int]]] = defaultdict(list)
    for body, region, category, in_month, stage, position, entered, advanced in staged:
        stages[(body, region, category, in_month)].append((int(position), stage, int(entered), int(advanced)))
    fill: dict[tuple[str, str, str, str], dict[int, int]] = defaultdict(dict)
    for body, region, category, in_month, took, count in filled:
        fill[(body, region, category, in_month)][int(took)] = int(count)
    cells = []
    for body, region, category, in_month, competitions, applied, ended, without in counted:
        key = (body, region, category, in_month)
        cells.append(
            CompetitionCell(
                Where(body, region, category),
                in_month,
                int(competitions),
                int(applied),
                int(ended),
                int(without),
                tuple((stage, entered, advanced) for _p, stage, entered, advanced in sorted(stages[key])),
                fill[key],
                tested=tests.get(key, (0, 0))[0],
                tested_online=tests.get(key, (0, 0))[1],
                protocols_online=protocols.get(key, 0),
            )
        )
    return cells


def _taken_online(programme: str) -> Any:
    """The application's ``programme`` test was taken in the service and its result recorded for it."""
    return (
        exists()
        .where(
            TestBooking.application_id == Application.id,
            TestResult.booking_id == TestBooking.id,
            TestResult.programme == programme,
            TestResult.recorded_for_application.is_(True),
            TestResult.voided_at.is_(None),
        )
        .correlate(Application)
    )


def _tests_online(session: Session, keys: tuple[Any, ...], where: list[Any]) -> dict[tuple[str, ...], tuple[int, int]]:
    """Per place and month: applications with a recorded test result, and those whose every one was taken
    in the service (``online_share.tests``)."""
    personal = RecordedStageResult.personal_qualities_percent.is_not(None)
    reasoning = or_(RecordedStageResult.reasoning_text.is_not(None), RecordedStageResult.reasoning_numeric.is_not(None))
    online = and_(
        or_(~personal, _taken_online(PERSONAL_QUALITIES)),
        or_(~reasoning, _taken_online(REASONING)),
    )
    rows = session.execute(
        select(*keys, func.count(), func.coalesce(func.sum(case((online, 1), else_=0)), 0))
        .select_from(Application)
        .join(RecordedStageResult, RecordedStageResult.application_id == Application.id)
        .join(Competition, Competition.id == Application.competition_id)
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .where(*where, or_(personal, reasoning))
        .group_by(*keys)
    ).all()
    return {tuple(row[:4]): (int(row[4]), int(row[5])) for row in rows}


def _protocols_online(session: Session, keys: tuple[Any, ...], where: list[Any]) -> dict[tuple[str, ...], int]:
    """Per place and month: competitions with published results whose protocol every commission seat signed
    electronically (``online_share.protocols``)."""
    unsigned_seat = (
        exists()
        .where(
            CommissionMember.competition_id == Competition.id,
            ~exists().where(
                ProtocolSignature.protocol_id == Protocol.id,
                ProtocolSignature.signer_account_id == CommissionMember.account_id,
            ),
        )
        .correlate(Competition, Protocol)
    )
    signed = (
        exists()
        .where(
            Protocol.competition_id == Competition.id,
            exists().where(ProtocolSignature.protocol_id == Protocol.id),
            ~unsigned_seat,
        )
        .correlate(Competition)
    )
    rows = session.execute(
        select(*keys, func.count())
        .select_from(Competition)
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .where(*where, Competition.status == RESULTS_PUBLISHED, signed)
        .group_by(*keys)
    ).all()
    return {tuple(row[:4]): int(row[4]) for row in rows}


def _appointment_cells(
    session: Session, start: date | None, end: date | None, state_body_id: int | None
) -> list[AppointmentCell]:
    where = [Appointment.status == APPOINTED, *_between(Appointment.appointed_on, start, end)]
    if state_body_id is not None:
        where.append(Appointment.state_body_id == state_body_id)
    month = _month(session, Appointment.appointed_on).label("month")
    keys = (StateBody.code, StateBody.region, Vacancy.category, month, Appointment.route)
    rows = session.execute(
        select(*keys, func.count())
        .join(Vacancy, Vacancy.id == Appointment.vacancy_id)
        .join(StateBody, StateBody.id == Appointment.state_body_id)
        .where(*where)
        .group_by(*keys)
    ).all()
    return [
        AppointmentCell(Where(body, region, category), in_month, route, int(count))
        for body, region, category, in_month, route, count in rows
    ]


def _alert_cells(session: Session, start: date | None, end: date | None, state_body_id: int | None) -> list[AlertCell]:
    """Alerts per place and month of delivery (the Kazakhstan day, converted here: zones differ by backend)."""
    applied = exists().where(
        Application.candidate_id == AlertSubscription.candidate_id, Application.competition_id == Competition.id
    )
    query = (
        select(
            AlertDelivery.delivered_at,
            Vacancy.category,
            StateBody.code,
            StateBody.region,
            and_(Competition.id.is_not(None), applied).label("applied"),
        )
        .join(AlertSubscription, AlertSubscription.id == AlertDelivery.subscription_id)
        .join(Vacancy, Vacancy.id == AlertDelivery.vacancy_id)
        .join(StateBody, StateBody.id == Vacancy.state_body_id)
        .outerjoin(Competition, Competition.vacancy_id == Vacancy.id)
    )
    if state_body_id is not None:
        query = query.where(Vacancy.state_body_id == state_body_id)
    counts: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for delivered_at, category, body, region, did_apply in session.execute(query).all():
        day = delivered_at.astimezone(KAZAKHSTAN).date()
        if (start is None or start <= day) and (end is None or day <= end):
            cell = counts[(body, region, category, month_of(day))]
            cell[0] += 1
            cell[1] += int(bool(did_apply))
    return [
        AlertCell(Where(body, region, category), in_month, delivered, applied_count)
        for (body, region, category, in_month), (delivered, applied_count) in counts.items()
    ]


def figures(
    session: Session,
    *,
    start: date | None,
    end: date | None,
    by: str | None,
    policy: SelectionPolicy,
    today: date,
    state_body_id: int | None = None,
) -> dict[str, Any]:
    """The figures of the period per group, with the national targets and the suppression threshold."""
    competitions, appointments, alerts = load_cells(session, start=start, end=end, state_body_id=state_body_id)
    groups = figures_of_cells(
        competitions, appointments, alerts, by=by, min_cell=policy.analytics_min_cell, period_end=end or today
    )
    return {
        "from": start,
        "to": end,
        "by": by,
        "state_body_id": state_body_id,
        "min_cell": policy.analytics_min_cell,
        "targets": {"candidates_per_place": {str(y): float(v) for y, v in CANDIDATES_PER_PLACE_TARGET.items()}},
        "groups": groups,
    }


CSV_COLUMNS: Sequence[str] = (
    "key",
    "competitions",
    "places",
    "applications",
    "appointments",
    "candidates_per_place",
    "candidates_per_place_target",
    "no_winner_share",
    "time_to_fill_working_days",
    "time_to_fill_median",
    "alert_reach",
    "online_share_applications",
    "online_share_tests",
    "online_share_protocols",
)


def csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    """One row per group: counts, the main figures (empty when suppressed), pass rates and route shares."""
    stages = sorted({stage for g in report["groups"] for stage in g["pass_rate"]})
    routes = sorted({route for g in report["groups"] for route in g["route_share"]})
    header = [*CSV_COLUMNS, *(f"pass_rate_{s}" for s in stages), *(f"route_share_{r}" for r in routes)]
    rows: list[list[Any]] = [header]
    for g in report["groups"]:
        rows.append(
            [
                g["key"],
                g["competitions"],
                g["places"],
                g["applications"],
                g["appointments"],
                g["candidates_per_place"]["value"],
                g["candidates_per_place"]["target"],
                g["no_winner_share"]["value"],
                g["time_to_fill_working_days"]["value"],
                g["time_to_fill_working_days"]["median"],
                g["alert_reach"]["value"],
                g["online_share"]["applications"]["value"],
                g["online_share"]["tests"]["value"],
                g["online_share"]["protocols"]["value"],
                *(g["pass_rate"].get(s, {}).get("value") for s in stages),
                *(g["route_share"].get(r, {}).get("value") for r in routes),
            ]
        )
    return rows


def csv_text(report: dict[str, Any]) -> str:
    """``csv_rows`` written as CSV text (suppressed and missing values empty): the API's and the page's download."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in csv_rows(report)])
    return buffer.getvalue()


def state_bodies(session: Session) -> list[StateBody]:
    """Every state body, by code (the body filter of administrators and researchers)."""
    return list(session.scalars(select(StateBody).order_by(StateBody.code)).all())
