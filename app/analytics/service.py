"""The state's selection figures from the stored history: loaded with a few aggregate queries, computed by
``app.rules.analytics.selection_figures`` (the one place the figures are defined).

What each figure counts is in ``app.rules.analytics``; this module only reads:

- competitions opened (the vacancy's publication) in the period, with their number of applications,
  the stages of the published outcome (entered and advanced per stage), the winner, and the day the
  competition's appointment was ordered;
- appointments ordered in the period, by route (competition and the routes outside it);
- vacancy alerts delivered in the period, and whether the person then applied to that vacancy.

An HR officer sees their own state body only; administrators and researchers see every body.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, insert, select
from sqlalchemy.orm import Session

from app.alerts.models import AlertDelivery, AlertSubscription
from app.analytics.errors import BAD_PERIOD
from app.analytics.models import CompetitionSummary
from app.applications.models import Application
from app.appointments.models import APPOINTED, Appointment
from app.auth.models import HR_OFFICER, Account, StateBody
from app.auth.permissions import ensure_can
from app.competitions.clock import KAZAKHSTAN
from app.competitions.models import RESULTS_PUBLISHED, Competition
from app.errors import DomainError
from app.rules.analytics import (
    CANDIDATES_PER_PLACE_TARGET,
    AlertRecord,
    AppointmentRecord,
    CompetitionRecord,
    Where,
    selection_figures,
)
from app.rules.policy import SelectionPolicy
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


def load_records(session: Session, *, start: date | None, end: date | None, state_body_id: int | None = None,
                 ) -> tuple[list[CompetitionRecord], list[AppointmentRecord], list[AlertRecord]]:
    """The history of the period as the rules' plain records (outcomes published since the last call are
    summarised first)."""
    _check_period(start, end)
    summarise(session)
    return (_competitions(session, start, end, state_body_id), _appointments(session, start, end, state_body_id),
            _alerts(session, start, end, state_body_id))


def _between(column: Any, start: date | None, end: date | None) -> list[Any]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def summarise(session: Session) -> int:
    """Keep the winner and the stage counts of every published outcome not summarised yet; how many were added."""
    pending = session.execute(
        select(Competition.id, Competition.outcome)
        .outerjoin(CompetitionSummary, CompetitionSummary.competition_id == Competition.id)
        .where(Competition.status == RESULTS_PUBLISHED, Competition.outcome.is_not(None),
               CompetitionSummary.competition_id.is_(None))).all()
    rows = [{"competition_id": competition_id, "winner": outcome.get("winner") is not None,
             "stages": ";".join(f"{stage['stage']}:{len(stage['entered'])}:{len(stage['advanced'])}"
                                for stage in outcome.get("stages", []))} for competition_id, outcome in pending]
    for first in range(0, len(rows), 10_000):
        session.execute(insert(CompetitionSummary), rows[first:first + 10_000])
    return len(rows)


def _stages(summary: str | None) -> tuple[tuple[str, int, int], ...]:
    if not summary:
        return ()
    cells = (part.split(":") for part in summary.split(";"))
    return tuple((stage, int(entered), int(advanced)) for stage, entered, advanced in cells)


def _competitions(session: Session, start: date | None, end: date | None,
                  state_body_id: int | None) -> list[CompetitionRecord]:
    where = _between(Competition.published_on, start, end)
    if state_body_id is not None:
        where.append(Competition.state_body_id == state_body_id)
    applications = (select(Application.competition_id, func.count().label("n"))
                    .join(Competition, Competition.id == Application.competition_id).where(*where)
                    .group_by(Application.competition_id).subquery())
    appointed = (select(Appointment.competition_id, func.min(Appointment.appointed_on).label("on"))
                 .where(Appointment.status == APPOINTED, Appointment.route == COMPETITION_ROUTE)
                 .group_by(Appointment.competition_id).subquery())
    rows = session.execute(
        select(Competition.published_on, Competition.category, Competition.status, StateBody.code, StateBody.region,
               func.coalesce(applications.c.n, 0), appointed.c.on, CompetitionSummary.winner,
               CompetitionSummary.stages)
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .outerjoin(applications, applications.c.competition_id == Competition.id)
        .outerjoin(appointed, appointed.c.competition_id == Competition.id)
        .outerjoin(CompetitionSummary, CompetitionSummary.competition_id == Competition.id)
        .where(*where)).all()
    places: dict[Any, Where] = {}
    records = []
    for published_on, category, status, body, region, count, appointed_on, winner, stages in rows:
        where_key = (body, region, category)
        place = places.get(where_key) or places.setdefault(where_key, Where(body, region, category))
        published = status == RESULTS_PUBLISHED and winner is not None
        records.append(CompetitionRecord(place, published_on, int(count), _stages(stages) if published else (),
                                         results_published=published, winner=bool(winner),
                                         appointed_on=appointed_on))
    return records


def _appointments(session: Session, start: date | None, end: date | None,
                  state_body_id: int | None) -> list[AppointmentRecord]:
    where = [Appointment.status == APPOINTED, *_between(Appointment.appointed_on, start, end)]
    if state_body_id is not None:
        where.append(Appointment.state_body_id == state_body_id)
    rows = session.execute(
        select(Appointment.appointed_on, Appointment.route, Vacancy.category, StateBody.code, StateBody.region)
        .join(Vacancy, Vacancy.id == Appointment.vacancy_id)
        .join(StateBody, StateBody.id == Appointment.state_body_id).where(*where)).all()
    return [AppointmentRecord(Where(body, region, category), on, route)
            for on, route, category, body, region in rows if on is not None]


def _alerts(session: Session, start: date | None, end: date | None, state_body_id: int | None) -> list[AlertRecord]:
    applied = exists().where(
        Application.candidate_id == AlertSubscription.candidate_id,
        Application.competition_id == Competition.id)
    query = (select(AlertDelivery.delivered_at, Vacancy.category, StateBody.code, StateBody.region,
                    and_(Competition.id.is_not(None), applied).label("applied"))
             .join(AlertSubscription, AlertSubscription.id == AlertDelivery.subscription_id)
             .join(Vacancy, Vacancy.id == AlertDelivery.vacancy_id)
             .join(StateBody, StateBody.id == Vacancy.state_body_id)
             .outerjoin(Competition, Competition.vacancy_id == Vacancy.id))
    if state_body_id is not None:
        query = query.where(Vacancy.state_body_id == state_body_id)
    records = []
    for delivered_at, category, body, region, did_apply in session.execute(query).all():
        day = delivered_at.astimezone(KAZAKHSTAN).date()
        if (start is None or start <= day) and (end is None or day <= end):
            records.append(AlertRecord(Where(body, region, category), day, bool(did_apply)))
    return records


def figures(session: Session, *, start: date | None, end: date | None, by: str | None, policy: SelectionPolicy,
            today: date, state_body_id: int | None = None) -> dict[str, Any]:
    """The figures of the period per group, with the national targets and the suppression threshold."""
    competitions, appointments, alerts = load_records(session, start=start, end=end, state_body_id=state_body_id)
    groups = selection_figures(competitions, appointments, alerts, by=by, min_cell=policy.analytics_min_cell,
                               period_end=end or today)
    return {"from": start, "to": end, "by": by, "state_body_id": state_body_id,
            "min_cell": policy.analytics_min_cell,
            "targets": {"candidates_per_place": {str(y): float(v) for y, v in CANDIDATES_PER_PLACE_TARGET.items()}},
            "groups": groups}


CSV_COLUMNS: Sequence[str] = (
    "key", "competitions", "places", "applications", "appointments", "candidates_per_place",
    "candidates_per_place_target", "no_winner_share", "time_to_fill_working_days", "time_to_fill_median",
    "alert_reach",
)


def csv_rows(report: dict[str, Any]) -> list[list[Any]]:
    """One row per group: counts, the main figures (empty when suppressed), pass rates and route shares."""
    stages = sorted({stage for g in report["groups"] for stage in g["pass_rate"]})
    routes = sorted({route for g in report["groups"] for route in g["route_share"]})
    header = [*CSV_COLUMNS, *(f"pass_rate_{s}" for s in stages), *(f"route_share_{r}" for r in routes)]
    rows: list[list[Any]] = [header]
    for g in report["groups"]:
        rows.append([
            g["key"], g["competitions"], g["places"], g["applications"], g["appointments"],
            g["candidates_per_place"]["value"], g["candidates_per_place"]["target"], g["no_winner_share"]["value"],
            g["time_to_fill_working_days"]["value"], g["time_to_fill_working_days"]["median"],
            g["alert_reach"]["value"],
            *(g["pass_rate"].get(s, {}).get("value") for s in stages),
            *(g["route_share"].get(r, {}).get("value") for r in routes)])
    return rows
