"""Competitions over HTTP: the selection core (policy, what-if replay), the commission, progress and results."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.deps import CurrentAccount
from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, Account
from app.auth.permissions import can
from app.bounds import Id
from app.competitions import service
from app.competitions.access import competition_access
from app.competitions.models import CommissionMember, Competition
from app.competitions.schemas import (
    CommissionSeatIn,
    CommissionSeatOut,
    CompetitionCalendar,
    CompetitionOut,
    EssayTopicIn,
    ProgressOut,
    PublishedResultsOut,
)
from app.deps import PolicyDep, QueueDep, SessionDep, TodayDep
from app.errors import FORBIDDEN, NOT_FOUND, DomainError
from app.prescoring.review import set_mode
from app.prescoring.schemas import PrescoringModeIn
from app.protocol import link as protocol_link
from app.protocol import service as protocols
from app.protocol.schemas import CompetitionProtocolOut, ProtocolOut, SignatureOut
from app.rules.policy import policy_fields
from app.rules.replay import replay
from app.selection import service as selection

router = APIRouter(prefix="/api/v1/competitions", tags=["selection"])
policy_router = APIRouter(prefix="/api/v1/policy", tags=["selection"])
replay_router = APIRouter(prefix="/api/v1/replay", tags=["selection"])
protocol_router = APIRouter(prefix="/api/v1/competitions", tags=["protocol"])


@policy_router.get("")
def read_policy(policy: PolicyDep) -> dict[str, Any]:
    """Every SelectionPolicy field: the seeds' default and the value this deployment runs with."""
    defaults = policy_fields()
    in_force = policy_fields(policy)
    return {
        "defaults": defaults,
        "in_force": in_force,
        "overridden": sorted(name for name in defaults if defaults[name] != in_force[name]),
    }


@replay_router.post("")
def run_replay(document: Any = Body(..., description="a competition in the replay format")) -> dict[str, Any]:
    """The outcome of one competition from recorded results, exactly as ``irikteu replay`` prints it.

    The replay starts from the seeds' defaults (plus the document's own ``policy``), never from this
    deployment's overrides, so an auditor's file gives the same answer everywhere.
    """
    return replay(document)


def competition_out(session: Session, competition: Competition, *, account: Account, today: date) -> CompetitionOut:
    access = competition_access(session, competition)
    show_commission = (
        can(account, "competition.manage", access)
        or account.role == ADMINISTRATOR
        or account.id in access.member_account_ids
    )
    seats = [
        CommissionSeatOut(
            account_id=seat.account_id, display_name=member.display_name, role=seat.role, added_at=seat.added_at
        )
        for seat, member in service.commission_seats(session=session, competition=competition)
    ]
    topic = None
    if competition.essay_topic_kk is not None and competition.essay_topic_ru is not None:
        topic = {"kk": competition.essay_topic_kk, "ru": competition.essay_topic_ru}
    return CompetitionOut(
        id=competition.id,
        vacancy_id=competition.vacancy_id,
        state_body_id=competition.state_body_id,
        category=competition.category,
        managerial=competition.managerial,
        stage_plan=competition.stage_plan,
        policy=competition.policy,
        status=competition.status,
        essay_topic=topic,
        prescoring_mode=competition.prescoring_mode,
        calendar=CompetitionCalendar(**selection.calendar_view(session=session, competition=competition, today=today)),
        commission=seats if show_commission else None,
    )


@router.get("")
def list_competitions(account: CurrentAccount, session: SessionDep, today: TodayDep) -> list[CompetitionOut]:
    """The competitions the account works on: an HR officer's body's, a member's seats, all for proctors/admins."""
    query = select(Competition).order_by(Competition.id.desc())
    if account.role == HR_OFFICER:
        query = query.where(Competition.state_body_id == account.state_body_id)
    elif account.role == COMMISSION_MEMBER:
        query = query.where(
            Competition.id.in_(select(CommissionMember.competition_id).where(CommissionMember.account_id == account.id))
        )
    elif account.role not in (PROCTOR, ADMINISTRATOR):
        raise DomainError(FORBIDDEN, f"a {account.role} has no competitions to list")
    with session.begin():
        return [
            competition_out(session, competition, account=account, today=today)
            for competition in session.scalars(query).all()
        ]


@router.get("/{competition_id}")
def read_competition(
    competition_id: Id, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> CompetitionOut:
    """Stage plan, policy snapshot, calendar with overdue flags, essay topic, commission."""
    with session.begin():
        competition = service.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.read"
        )
        return competition_out(session, competition, account=account, today=today)


@router.post("/{competition_id}/commission", status_code=status.HTTP_201_CREATED)
def add_commission_member(
    competition_id: Id, data: CommissionSeatIn, account: CurrentAccount, session: SessionDep
) -> CommissionSeatOut:
    """Seat a commission-member account (HR of the body); one chair; the secretary does not score."""
    with session.begin():
        competition = service.managed_competition(session=session, competition_id=competition_id, actor=account)
        seat = service.add_commission_member(
            session=session, competition=competition, account_id=data.account_id, role=data.role, actor=account
        )
        seats = dict(
            (s.account_id, member) for s, member in service.commission_seats(session=session, competition=competition)
        )
        return CommissionSeatOut(
            account_id=seat.account_id,
            display_name=seats[seat.account_id].display_name,
            role=seat.role,
            added_at=seat.added_at,
        )


@router.delete("/{competition_id}/commission/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_commission_member(
    competition_id: Id, account_id: Id, account: CurrentAccount, session: SessionDep
) -> Response:
    with session.begin():
        competition = service.managed_competition(session=session, competition_id=competition_id, actor=account)
        service.remove_commission_member(session=session, competition=competition, account_id=account_id, actor=account)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/{competition_id}/essay-topic")
def set_essay_topic(
    competition_id: Id, data: EssayTopicIn, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> CompetitionOut:
    """The essay topic in Kazakh and Russian (managerial competitions; HR of the body)."""
    with session.begin():
        competition = service.managed_competition(session=session, competition_id=competition_id, actor=account)
        service.set_essay_topic(session=session, competition=competition, kk=data.kk, ru=data.ru, actor=account)
        return competition_out(session, competition, account=account, today=today)


@router.put(
    "/{competition_id}/prescoring-mode",
    responses={409: {"description": "prescoring_mode_locked: members have started scoring essays"}},
)
def set_prescoring_mode(
    competition_id: Id, data: PrescoringModeIn, account: CurrentAccount, session: SessionDep, today: TodayDep
) -> CompetitionOut:
    """How members meet the essay pre-score: ``blind_first`` (default) or ``assist`` (HR of the body or the
    chair), before the first member's essay score."""
    with session.begin():
        competition = service.get_competition(session=session, competition_id=competition_id)
        set_mode(session=session, competition=competition, mode=data.mode, actor=account)
        return competition_out(session, competition, account=account, today=today)


@router.get("/{competition_id}/progress")
def read_progress(competition_id: Id, account: CurrentAccount, session: SessionDep) -> ProgressOut:
    """The outcome so far from the stored data, by the same core function as ``irikteu replay``."""
    with session.begin():
        competition = service.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.progress"
        )
        return ProgressOut(**selection.progress(session=session, competition=competition))


@router.get("/{competition_id}/replay-input")
def read_replay_input(competition_id: Id, account: CurrentAccount, session: SessionDep) -> dict[str, Any]:
    """The stored data as a replay-format document (anonymous codes as refs): ``irikteu replay`` reproduces it.

    It gives each code's experience and education, so the commission reads it only once the results
    are published (HR of the body and administrators always)."""
    with session.begin():
        competition = service.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.read_replay_input"
        )
        return selection.replay_document(
            session=session, competition=competition, results_published_on=competition.results_published_on
        )


@router.post("/{competition_id}/publish-results")
def publish_results(
    competition_id: Id, account: CurrentAccount, session: SessionDep, queue: QueueDep, today: TodayDep
) -> PublishedResultsOut:
    """Rank, store and publish the outcome with today as the publication day (HR of the body)."""
    with session.begin():
        competition = service.managed_competition(session=session, competition_id=competition_id, actor=account)
        selection.publish_results(session=session, queue=queue, competition=competition, actor=account, today=today)
        return _results_out(session, competition, account=account)


@router.get("/{competition_id}/results")
def read_results(competition_id: Id, account: CurrentAccount, session: SessionDep) -> PublishedResultsOut:
    """The published outcome; names of the ranked beside their codes (anonymity ends with publication)."""
    with session.begin():
        competition = service.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.read"
        )
        if competition.outcome is None or competition.results_published_on is None:
            raise DomainError(NOT_FOUND, "the results are not published yet")
        return _results_out(session, competition, account=account)


def _results_out(session: Session, competition: Competition, *, account: Account) -> PublishedResultsOut:
    """The outcome; the names beside the codes only for those who may read them (never the proctor)."""
    assert competition.outcome is not None and competition.results_published_on is not None
    names = (
        selection.ranked_names(session=session, competition=competition)
        if can(account, "competition.read_names", competition_access(session, competition))
        else {}
    )
    return PublishedResultsOut(
        competition_id=competition.id,
        status=competition.status,
        results_published_on=competition.results_published_on,
        outcome=competition.outcome,
        names=names,
    )


# --- the protocol of the published results (the workflow: app.protocol.link) ----------


def _protocol_out(session: Session, competition: Competition, drawn: protocol_link.DrawnUp) -> CompetitionProtocolOut:
    protocol = drawn.protocol
    base = f"/api/v1/protocols/{protocol.id}"
    return CompetitionProtocolOut(
        competition_id=competition.id,
        created=drawn.created,
        results_published_on=drawn.results_published_on,
        protocol_due=drawn.protocol_due,
        drawn_up_on=protocol.drawn_up_on,
        overdue=protocol.drawn_up_on > drawn.protocol_due,
        sign_deadline=drawn.sign_deadline,
        notified_account_ids=list(drawn.notified_account_ids),
        protocol=ProtocolOut(
            id=protocol.id,
            competition_id=protocol.competition_id,
            version=protocol.version,
            locales=protocol.locales,
            drawn_up_on=protocol.drawn_up_on,
            content_hash=protocol.content_hash,
            created_at=protocol.created_at,
            created_by=protocol.created_by,
            signatures=[
                SignatureOut.model_validate(s)
                for s in protocols.signatures_of(session=session, protocol_id=protocol.id)
            ],
        ),
        links={
            "pdf": f"{base}/pdf",
            "html_kk": f"{base}/html?locale=kk",
            "html_ru": f"{base}/html?locale=ru",
            "signatures": f"{base}/signatures",
            "verification": f"{base}/verification",
        },
    )


@protocol_router.post(
    "/{competition_id}/protocol",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "the protocol of the same data was already drawn up: that one"},
        409: {"description": "results_not_published"},
    },
)
def draw_up_competition_protocol(
    competition_id: Id,
    account: CurrentAccount,
    session: SessionDep,
    queue: QueueDep,
    today: TodayDep,
    response: Response,
) -> CompetitionProtocolOut:
    """Draw up the protocol of the published results (HR of the body) and ask the commission to sign it.

    Idempotent: while the latest protocol is the document of the same data it is returned (200),
    nobody is notified again. 409 ``results_not_published`` before publication.
    """
    with session.begin():
        competition = service.managed_competition(session=session, competition_id=competition_id, actor=account)
        drawn = protocol_link.draw_up_protocol(
            session=session, queue=queue, competition=competition, actor=account, today=today
        )
        if not drawn.created:
            response.status_code = status.HTTP_200_OK
        return _protocol_out(session, competition, drawn)


@protocol_router.get("/{competition_id}/protocol", responses={404: {"description": "none drawn up yet"}})
def read_competition_protocol(
    competition_id: Id, account: CurrentAccount, session: SessionDep
) -> CompetitionProtocolOut:
    """The competition's latest protocol and its deadline (HR of the body, its commission, administrators)."""
    with session.begin():
        competition = service.managed_competition(
            session=session, competition_id=competition_id, actor=account, action="competition.progress"
        )
        published = protocol_link.ensure_results_published(competition)
        protocol = protocol_link.latest_protocol(session=session, competition=competition)
        if protocol is None:
            raise DomainError(NOT_FOUND, "no protocol is drawn up for this competition yet")
        drawn = protocol_link.DrawnUp(
            protocol=protocol,
            created=False,
            results_published_on=published,
            protocol_due=protocol_link.protocol_due(competition),
            sign_deadline=protocol_link.sign_deadline(competition, protocol.drawn_up_on),
            notified_account_ids=(),
        )
        return _protocol_out(session, competition, drawn)
