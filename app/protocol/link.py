"""The protocol (хаттама) of a competition whose results are published, drawn up from the database.

The glue between the published outcome (``app.competitions``) and the document
(``app.protocol``): the stored outcome, vacancy titles, state body names, commission seats and
the members' scores by anonymous code (``member`` scores only; an ``ml_suggestion`` never
reaches a protocol) become ``ProtocolData``; ``app.protocol.service.draw_up`` renders and stores
it. Drawing up is idempotent: while the latest protocol is the document of the same data, it is
returned as it is. The rules want the protocol within ``protocol_working_days`` (1) working day of
publication; the response shows that day, and the commission members are asked to sign by it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import Account, StateBody
from app.competitions import service as competitions
from app.competitions.errors import RESULTS_NOT_PUBLISHED
from app.competitions.models import COMMISSION_ROLES, RESULTS_PUBLISHED, Competition
from app.errors import DomainError
from app.jobs.queue import JobQueue
from app.notifications.service import notify
from app.protocol import service as protocols
from app.protocol.document import CommissionMember, ProtocolData, protocol_data_from_outcome, render_html
from app.protocol.models import Protocol
from app.rules.calendar import working_day_deadline
from app.selection import service as selection
from app.vacancies.models import Vacancy

PROTOCOL_READY_TO_SIGN = "protocol_ready_to_sign"


def ensure_results_published(competition: Competition) -> date:
    """The publication day; 409 ``results_not_published`` before it (a protocol records final results)."""
    if (
        competition.status != RESULTS_PUBLISHED
        or competition.outcome is None
        or competition.results_published_on is None
    ):
        raise DomainError(RESULTS_NOT_PUBLISHED, "the protocol is drawn up once the results are published")
    return competition.results_published_on


def protocol_due(competition: Competition) -> date:
    """The last day the rules allow for the protocol: ``protocol_working_days`` working days after publication."""
    published = ensure_results_published(competition)
    return working_day_deadline(published, competitions.policy_of(competition).protocol_working_days)


def sign_deadline(competition: Competition, drawn_up_on: date) -> date:
    """The day members are asked to sign by: the protocol's due day, or, for one drawn up late, the
    same number of working days after it was drawn up (a deadline in the past asks nothing)."""
    due = protocol_due(competition)
    if drawn_up_on <= due:
        return due
    return working_day_deadline(drawn_up_on, competitions.policy_of(competition).protocol_working_days)


def _commission(session: Session, competition: Competition) -> tuple[CommissionMember, ...]:
    seats = competitions.commission_seats(session=session, competition=competition)
    ordered = sorted(seats, key=lambda pair: (COMMISSION_ROLES.index(pair[0].role), pair[0].id))
    return tuple(
        CommissionMember(full_name=account.display_name, role=seat.role)  # type: ignore[arg-type]
        for seat, account in ordered
    )


def _member_scores(session: Session, competition: Competition) -> dict[str, dict[str, tuple[int, ...]]]:
    """Stage -> anonymous code -> the members' scores, for the candidates of the competition."""
    applications: Sequence[Application] = selection.competing_applications(session=session, competition=competition)
    scores = selection.counting_member_scores(session=session, application_ids=[a.id for a in applications])
    by_stage: dict[str, dict[str, tuple[int, ...]]] = {}
    for application in applications:
        for stage, given in scores.get(application.id, {}).items():
            by_stage.setdefault(stage, {})[application.anonymous_code] = given
    return by_stage


def protocol_data(*, session: Session, competition: Competition, drawn_up_on: date) -> ProtocolData:
    """Everything the protocol of ``competition`` says, from the stored, published outcome."""
    published = ensure_results_published(competition)
    assert competition.outcome is not None
    vacancy = session.get(Vacancy, competition.vacancy_id)
    body = session.get(StateBody, competition.state_body_id)
    assert vacancy is not None and body is not None
    return protocol_data_from_outcome(
        competition.outcome,
        competition_id=competition.id,
        drawn_up_on=drawn_up_on,
        vacancy_title_kk=vacancy.title_kk,
        vacancy_title_ru=vacancy.title_ru,
        state_body_kk=body.name_kk,
        state_body_ru=body.name_ru,
        category=competition.category,
        managerial=competition.managerial,
        commission=_commission(session, competition),
        finalist_names=selection.ranked_names(session=session, competition=competition),
        member_scores=_member_scores(session, competition),
        results_published_on=published,
    )


def latest_protocol(*, session: Session, competition: Competition) -> Protocol | None:
    return session.scalars(
        select(Protocol).where(Protocol.competition_id == competition.id).order_by(Protocol.version.desc())
    ).first()


def _same_document(protocol: Protocol, data: ProtocolData) -> bool:
    """Whether ``protocol`` is the document ``data`` makes (its day and version kept): the HTML says it all."""
    data = dataclasses.replace(data, version=protocol.version, drawn_up_on=protocol.drawn_up_on)
    return render_html(data, "kk") == protocol.html_kk and render_html(data, "ru") == protocol.html_ru


@dataclass(frozen=True, kw_only=True)
class DrawnUp:
    """The competition's current protocol and whether this call drew it up."""

    protocol: Protocol
    created: bool
    results_published_on: date
    protocol_due: date
    sign_deadline: date
    notified_account_ids: tuple[int, ...]


def draw_up_protocol(
    *, session: Session, queue: JobQueue, competition: Competition, actor: Account, today: date
) -> DrawnUp:
    """Draw up the protocol of the published results and ask every seat of the commission to sign it.

    Returns the latest protocol unchanged when it is the document of the same data (a retry, a
    second click); draws up a new version when the data differ (e.g. a member's name was corrected).
    """
    published = ensure_results_published(competition)
    existing = latest_protocol(session=session, competition=competition)
    data = protocol_data(session=session, competition=competition, drawn_up_on=today)
    if existing is not None and _same_document(existing, data):
        return DrawnUp(
            protocol=existing,
            created=False,
            results_published_on=published,
            protocol_due=protocol_due(competition),
            sign_deadline=sign_deadline(competition, existing.drawn_up_on),
            notified_account_ids=(),
        )
    protocol = protocols.draw_up(session=session, data=data, actor=actor)
    deadline = sign_deadline(competition, today)
    notified = _notify_commission(
        session=session, queue=queue, competition=competition, protocol=protocol, deadline=deadline
    )
    return DrawnUp(
        protocol=protocol,
        created=True,
        results_published_on=published,
        protocol_due=protocol_due(competition),
        sign_deadline=deadline,
        notified_account_ids=notified,
    )


def _notify_commission(
    *, session: Session, queue: JobQueue, competition: Competition, protocol: Protocol, deadline: date
) -> tuple[int, ...]:
    vacancy = session.get(Vacancy, competition.vacancy_id)
    body = session.get(StateBody, competition.state_body_id)
    assert vacancy is not None and body is not None
    context: dict[str, Any] = {
        "vacancy_title": {"kk": vacancy.title_kk, "ru": vacancy.title_ru},
        "state_body_name": {"kk": body.name_kk, "ru": body.name_ru},
        "sign_deadline": deadline.isoformat(),
    }
    notified = []
    for _seat, account in competitions.commission_seats(session=session, competition=competition):
        if not account.is_active:
            continue
        notify(
            session=session,
            queue=queue,
            account_id=account.id,
            to_address=account.email,
            event=PROTOCOL_READY_TO_SIGN,
            context=context,
            locale=account.locale,
            dedupe_key=f"protocol:{protocol.id}:{PROTOCOL_READY_TO_SIGN}:{account.id}",
        )
        notified.append(account.id)
    return tuple(notified)
