"""Pages of commission members, the chair and the secretary: their competitions and what waits for them,
essays by anonymous code with the pre-score behind the review gate (blind-first), practical tasks and
interviews, and the protocol to sign.

Every rule is the services': who may read or score (``app.auth.permissions`` through
``managed_competition`` and ``app.essays.stages``), what of the pre-score a reader sees
(``app.prescoring.reviewed``), the flags and the chair's discussion (``app.prescoring.review``), closing a
stage (``app.scoring.stages.close_stage``: the HR service of the body), the deadlines (``app.rules.calendar``
through ``stages.essay_scoring_due`` and ``protocol_link.sign_deadline``) and signing (``app.protocol.service``).
The transcripts of interviews have their own pages (``/commission/interviews/{id}/transcript``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account, StateBody
from app.auth.permissions import can, ensure_can
from app.bounds import Id
from app.competitions import service as competitions
from app.competitions.access import competition_access
from app.competitions.models import (
    CHAIR,
    RESULTS_PUBLISHED,
    SCORED_STAGES,
    CommissionMember,
    Competition,
)
from app.deps import NowDep, QueueDep, SessionDep, SettingsDep, TodayDep
from app.errors import NOT_FOUND, DomainError
from app.essays import practical, queries, stages
from app.i18n.domain import STAGE_NAMES
from app.interviews import service as interviews
from app.interviews.models import CANCELLED
from app.mlops.service import switches
from app.prescoring.models import ASSIST, EssayModel
from app.prescoring.registry import MODULE
from app.prescoring.review import record_discussion, undiscussed_essays
from app.prescoring.reviewed import reviewed_essays
from app.prescoring.texts import REASON_SWITCHED_OFF
from app.protocol import link as protocol_link
from app.protocol import service as protocols
from app.protocol.trust import revocation_lists, trusted_roots
from app.scoring import stages as scoring
from app.vacancies.models import Vacancy
from app.web.deps import CheckedForm, Visitor, WebRoute, field, redirect, render, staff_of
from app.web.messages import FieldError, problem_message
from app.web.nav import _, staff_link
from ml.essay_scoring.rubric import load_rubric

router = APIRouter(route_class=WebRoute, include_in_schema=False)

staff_link(
    "/commission",
    _("Commission"),
    COMMISSION_MEMBER,
    order=10,
    description=_("Your competitions: essays, practical tasks and interviews to score, the protocol to sign."),
)

MemberVisitor = staff_of(COMMISSION_MEMBER)
ReaderVisitor = staff_of(COMMISSION_MEMBER, HR_OFFICER)
"""The commission reads and scores; the HR service of the body reads the same lists and closes the stages."""

Member = Annotated[Visitor, Depends(MemberVisitor)]
Reader = Annotated[Visitor, Depends(ReaderVisitor)]

ROLE_NAMES: dict[str, str] = {
    "chair": _("Chair"),
    "member": _("Member"),
    "secretary": _("Secretary"),
}
FLAG_NAMES: dict[str, str] = {
    "suggestion_gap": _("A member's score is far from the machine suggestion"),
    "members_apart": _("Two members' scores are far apart"),
}
INTERVIEW_STATUS_NAMES: dict[str, str] = {
    "scheduled": _("Scheduled"),
    "held": _("Held"),
    "cancelled": _("Cancelled"),
}
SIGNATURE_WORDS: dict[str, str] = {
    "malformed": _("The file is not a detached signature (CMS/PKCS#7)"),
    "not_signed_data": _("The file is not a signature (CMS SignedData)"),
    "not_detached": _("The file carries its own content instead of signing the protocol"),
    "signer_count": _("The signature must have exactly one signer"),
    "certificate_missing": _("The signer's certificate is missing from the signature"),
    "unsupported_algorithm": _("The signature's algorithm is not supported"),
    "signed_attributes_missing": _("The signature has no signed attributes"),
    "content_type_mismatch": _("The signature is not over a plain document"),
    "message_digest_mismatch": _("Wrong document: the signature is over other bytes than this protocol"),
    "bad_signature": _("The signature does not match the certificate's key"),
    "certificate_not_valid_at_signing_time": _("The certificate was not valid when the signature was made"),
    "certificate_not_valid_now": _("The certificate is expired or not yet valid"),
    "key_usage_not_signature": _("The certificate is not meant for signing"),
    "untrusted_certificate": _("Untrusted certificate: it was not issued by a trusted authority"),
    "certificate_revoked": _("Revoked certificate: its authority has revoked it"),
    "signer_iin_mismatch": _("The certificate names another person than you"),
    "signer_not_identified": _("Your IIN is not on record, so the certificate cannot be matched to you"),
}
"""Each reason ``app.protocol.signing.verify_detached`` gives, in words (msgids)."""

ESSAYS_PER_PAGE = 50
"""Essays listed on one page of a competition's essay list (the pages link to the others)."""

SIGNATURE_MAX_BYTES = 150_000
"""The API takes 200 000 base64 characters; the DER they hold is at most this long."""


def _stage_name(visitor: Visitor, stage: str) -> str:
    return STAGE_NAMES.get(stage, {}).get(visitor.locale, stage)


def _localised(visitor: Visitor, kk: str | None, ru: str | None) -> str:
    return (kk if visitor.locale == "kk" else ru) or kk or ru or ""


def _message(problem: DomainError, visitor: Visitor) -> str:
    """The code's title in the page's language, with the anonymous codes the service named."""
    text = problem_message(problem, visitor.texts)
    codes = problem.extensions.get("anonymous_codes")
    missing = problem.extensions.get("missing")
    if isinstance(missing, list):
        codes = [str(item.get("anonymous_code")) for item in missing if isinstance(item, dict)]
    reason = problem.extensions.get("reason")
    if isinstance(reason, str) and reason in SIGNATURE_WORDS:
        text = f"{text}: {visitor.texts.gettext(SIGNATURE_WORDS[reason])}"
    if isinstance(codes, list) and codes:
        text = f"{text}: {', '.join(str(code) for code in codes)}"
    return text


def _account(visitor: Visitor) -> Account:
    assert visitor.account is not None
    return visitor.account


def _readable(session: Session, competition_id: Id, account: Account) -> Competition:
    return competitions.managed_competition(
        session=session, competition_id=competition_id, actor=account, action="competition.progress"
    )


def _seat_role(session: Session, competition: Competition, account: Account) -> str | None:
    return session.scalars(
        select(CommissionMember.role).where(
            CommissionMember.competition_id == competition.id, CommissionMember.account_id == account.id
        )
    ).first()


@dataclass
class Heading:
    """What every page of one competition shows on top: the post, the body, the reader's seat."""

    competition_id: Id
    title: str
    body: str
    role: str | None
    may_close: bool
    voting: bool
    stage_plan: list[str]

    @property
    def role_label(self) -> str:
        return ROLE_NAMES.get(self.role or "", "")


def _heading(session: Session, visitor: Visitor, competition: Competition) -> Heading:
    account = _account(visitor)
    vacancy = session.get(Vacancy, competition.vacancy_id)
    body = session.get(StateBody, competition.state_body_id)
    access = competition_access(session, competition)
    return Heading(
        competition_id=competition.id,
        title="" if vacancy is None else _localised(visitor, vacancy.title_kk, vacancy.title_ru),
        body="" if body is None else _localised(visitor, body.name_kk, body.name_ru),
        role=_seat_role(session, competition, account),
        may_close=can(account, "competition.manage", access),
        voting=account.id in access.voting_member_account_ids,
        stage_plan=[stage for stage in competition.stage_plan if stage in SCORED_STAGES],
    )


# --- my competitions --------------------------------------------------------------------------------


@dataclass
class Task:
    """One thing that waits for the reader: what, how many, where, by when."""

    label: str
    href: str
    count: int = 0
    due: date | None = None
    overdue: bool = False
    note: str = ""


@dataclass
class Seat:
    competition_id: Id
    title: str
    body: str
    role: str
    stage: str
    tasks: list[Task] = dataclasses.field(default_factory=list)


def _current_stage(session: Session, visitor: Visitor, competition: Competition) -> str:
    if competition.status == RESULTS_PUBLISHED:
        return visitor.texts.gettext("Results published")
    for stage in competition.stage_plan:
        if (
            stage in SCORED_STAGES
            and stages.closure(session=session, competition_id=competition.id, stage=stage) is None
        ):
            return _stage_name(visitor, stage)
    return visitor.texts.gettext("Scored stages closed; the results are being prepared")


def _tasks(
    session: Session, visitor: Visitor, competition: Competition, role: str, today: date, now: datetime
) -> list[Task]:
    account = _account(visitor)
    texts = visitor.texts
    base = f"/commission/competitions/{competition.id}"
    tasks: list[Task] = []
    published = competition.status == RESULTS_PUBLISHED
    voting = role != "secretary"
    open_stage = {
        stage: stages.closure(session=session, competition_id=competition.id, stage=stage) is None
        for stage in SCORED_STAGES
    }
    if not published and "essay" in competition.stage_plan and open_stage["essay"]:
        rows = list(queries.submitted_essays(session=session, competition=competition))
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for _e, a in rows], stage="essay"
        )
        waiting = [essay for essay, application in rows if application.id not in mine]
        if voting and waiting:
            due = min(stages.essay_scoring_due(competition, e.submitted_at) for e in waiting if e.submitted_at)
            tasks.append(Task(texts.gettext("Essays to score"), f"{base}/essays", len(waiting), due, today > due))
        if role == CHAIR:
            pending = undiscussed_essays(session, competition=competition)
            if pending:
                tasks.append(Task(texts.gettext("Flagged essays to discuss"), f"{base}/essays", len(pending)))
    if not published and "practical" in competition.stage_plan and open_stage["practical"] and voting:
        items = scoring.stage_items(session=session, competition=competition, stage="practical")
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for a in items], stage="practical"
        )
        left = [a for a in items if a.id not in mine]
        if left:
            tasks.append(Task(texts.gettext("Practical tasks to score"), f"{base}/practical", len(left)))
    if not published and "interview" in competition.stage_plan and open_stage["interview"]:
        rows_i = [(i, a) for i, a in interviews.interviews_of(session=session, competition=competition)]
        live = [(i, a) for i, a in rows_i if i.status != CANCELLED]
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for _i, a in live], stage="interview"
        )
        to_score = [a for i, a in live if i.starts_at <= now and a.id not in mine]
        coming = [i for i, _a in live if i.starts_at > now]
        if voting and to_score:
            tasks.append(Task(texts.gettext("Interviews to score"), f"{base}/interviews", len(to_score)))
        if coming:
            tasks.append(
                Task(
                    texts.gettext("Interviews ahead"),
                    f"{base}/interviews",
                    len(coming),
                    note=texts.gettext("Next: %(when)s", when=texts.datetime(min(i.starts_at for i in coming))),
                )
            )
    if published:
        protocol = protocol_link.latest_protocol(session=session, competition=competition)
        if protocol is not None and not any(
            s.signer_account_id == account.id for s in protocols.signatures_of(session=session, protocol_id=protocol.id)
        ):
            due = protocol_link.sign_deadline(competition, protocol.drawn_up_on)
            tasks.append(Task(texts.gettext("Protocol to sign"), f"{base}/protocol", 1, due, today > due))
    return tasks


@router.get("/commission", response_class=HTMLResponse)
def my_competitions(
    request: Request, visitor: Member, session: SessionDep, today: TodayDep, now: NowDep
) -> HTMLResponse:
    account = _account(visitor)
    seats: list[Seat] = []
    with session.begin():
        rows = session.execute(
            select(CommissionMember.role, Competition)
            .join(Competition, Competition.id == CommissionMember.competition_id)
            .where(CommissionMember.account_id == account.id)
            .order_by(Competition.id.desc())
        ).all()
        for role, competition in rows:
            heading = _heading(session, visitor, competition)
            seats.append(
                Seat(
                    competition_id=competition.id,
                    title=heading.title,
                    body=heading.body,
                    role=role,
                    stage=_current_stage(session, visitor, competition),
                    tasks=_tasks(session, visitor, competition, role, today, now),
                )
            )
    return render(
        request,
        visitor,
        "commission/home.html",
        title=visitor.texts.gettext("My competitions"),
        seats=seats,
        role_names=ROLE_NAMES,
        today=today,
    )


# --- essays -----------------------------------------------------------------------------------------


def _essays_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    done: str = "",
    page: int = 1,
) -> HTMLResponse:
    account = _account(visitor)
    with session.begin():
        competition = _readable(session, competition_id, account)
        heading = _heading(session, visitor, competition)
        pages = max(1, -(-queries.submitted_essay_count(session=session, competition=competition) // ESSAYS_PER_PAGE))
        page = min(page, pages)
        rows = list(
            queries.submitted_essays(
                session=session, competition=competition, offset=(page - 1) * ESSAYS_PER_PAGE, limit=ESSAYS_PER_PAGE
            )
        )
        closed, essays = reviewed_essays(session, competition, account, rows)
        dues = {
            application.anonymous_code: stages.essay_scoring_due(competition, essay.submitted_at)
            for essay, application in rows
            if essay.submitted_at is not None
        }
        pending = undiscussed_essays(session, competition=competition) if not closed else []
        topic = _localised(visitor, competition.essay_topic_kk, competition.essay_topic_ru)
        mode = competition.prescoring_mode
    return render(
        request,
        visitor,
        "commission/essays.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Essays"),
        heading=heading,
        essays=essays,
        dues=dues,
        closed=closed,
        pending=pending,
        topic=topic,
        assist=mode == ASSIST,
        done=done,
        page=page,
        pages=pages,
        page_url=lambda number: f"/commission/competitions/{competition_id}/essays?page={number}",
    )


@router.get("/commission/competitions/{competition_id}/essays", response_class=HTMLResponse)
def essays_list(
    request: Request,
    competition_id: Id,
    visitor: Reader,
    session: SessionDep,
    done: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return _essays_page(request, visitor, session, competition_id, done=done if done in ("closed",) else "", page=page)


@router.post("/commission/competitions/{competition_id}/stages/{stage}/close", response_model=None)
def close_stage(
    request: Request,
    competition_id: Id,
    stage: str,
    visitor: Reader,
    form: CheckedForm,
    session: SessionDep,
    now: NowDep,
    queue: QueueDep,
) -> Response:
    """Close a scored stage (the service lets the HR service of the body); a refusal is shown on the list."""
    del form
    pages = {"essay": "essays", "practical": "practical", "interview": "interviews"}
    if stage not in pages:
        stage = "essay"
    account = _account(visitor)
    try:
        with session.begin():
            competition = competitions.managed_competition(
                session=session, competition_id=competition_id, actor=account
            )
            scoring.close_stage(
                session=session, competition=competition, stage=stage, actor=account, now=now, queue=queue
            )
    except DomainError as problem:
        error = FieldError("close-stage", _message(problem, visitor))
        if stage == "essay":
            return _essays_page(request, visitor, session, competition_id, status=409, errors=[error])
        if stage == "practical":
            return _practical_page(request, visitor, session, competition_id, status=409, errors=[error])
        return _interviews_page(request, visitor, session, competition_id, status=409, errors=[error])
    return redirect(f"/commission/competitions/{competition_id}/{pages[stage]}?done=closed")


def _model_facts(session: Session, suggestion: dict[str, Any]) -> dict[str, Any]:
    """The registry's figures of the model that made a suggestion: what it learnt from and how well."""
    model = suggestion.get("model") or {}
    model_id = model.get("essay_model_id")
    row = session.get(EssayModel, model_id) if isinstance(model_id, int) else None
    if row is None:
        return {}
    validity = (row.metrics or {}).get("validity") or {}
    return {
        "n_train": row.n_train,
        "training_data_sha256": row.training_data_sha256[:12],
        "qwk": validity.get("qwk", (row.metrics or {}).get("cv_qwk")),
        "validated_on": validity.get("n"),
        "scope": row.scope,
    }


def _essay_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    anonymous_code: str,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    done: str = "",
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    account = _account(visitor)
    with session.begin():
        competition = _readable(session, competition_id, account)
        heading = _heading(session, visitor, competition)
        application = stages.application_by_code(
            session=session, competition=competition, anonymous_code=anonymous_code
        )
        essay = queries.essay_of(session=session, application_id=application.id)
        if essay is None or not essay.locked:
            raise DomainError(NOT_FOUND, f"no submitted essay {anonymous_code} in this competition")
        closed, found = reviewed_essays(session, competition, account, [(essay, application)])
        reviewed = found[0]
        facts = _model_facts(session, reviewed.suggestion) if reviewed.suggestion.get("status") == "suggested" else {}
        policy = competitions.policy_of(competition)
        due = stages.essay_scoring_due(competition, essay.submitted_at) if essay.submitted_at else None
        topic = _localised(
            visitor,
            competition.essay_topic_kk if essay.language == "kk" else None,
            competition.essay_topic_ru if essay.language == "ru" else None,
        )
        topic = topic or _localised(visitor, competition.essay_topic_kk, competition.essay_topic_ru)
        is_chair = heading.role == CHAIR
        assist = competition.prescoring_mode == ASSIST
        switch_reason = (
            switches(session)[MODULE]["reason"] if reviewed.suggestion.get("reason") == REASON_SWITCHED_OFF else None
        )
    rubric = load_rubric(visitor.locale)
    own = reviewed.my_score
    return render(
        request,
        visitor,
        "commission/essay.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Essay %(code)s", code=anonymous_code),
        heading=heading,
        code=anonymous_code,
        essay=reviewed,
        suggestion=reviewed.suggestion,
        facts=facts,
        closed=closed,
        topic=topic,
        rubric=rubric,
        points=list(range(policy.member_score_min, policy.member_score_max + 1)),
        due=due,
        is_chair=is_chair,
        switch_reason=switch_reason,
        assist=assist,
        flag_names=FLAG_NAMES,
        done=done,
        values=values
        or {"score": "" if own is None else str(own.score), "comment": "" if own is None else own.comment or ""},
    )


@router.get("/commission/competitions/{competition_id}/essays/{anonymous_code}", response_class=HTMLResponse)
def essay_page(
    request: Request, competition_id: Id, anonymous_code: str, visitor: Reader, session: SessionDep, done: str = ""
) -> HTMLResponse:
    shown = done if done in ("scored", "discussed") else ""
    return _essay_page(request, visitor, session, competition_id, anonymous_code[:40], done=shown)


def _score_form(form: Any, visitor: Visitor, points: range) -> tuple[int | None, str | None, list[FieldError]]:
    raw, comment = field(form, "score"), field(form, "comment")
    errors = []
    value = int(raw) if raw.isdigit() else None
    if value is None or value not in points:
        errors.append(
            FieldError(
                f"score-{points.start}",
                visitor.texts.gettext(
                    "Choose a score from %(low)s to %(high)s", low=points.start, high=points.stop - 1
                ),
            )
        )
    if len(comment) > 2000:
        errors.append(FieldError("comment", visitor.texts.gettext("The comment is over 2000 characters")))
    return value, comment or None, errors


def _scoring_points(session: Session, competition_id: Id) -> range:
    with session.begin():
        policy = competitions.policy_of(competitions.get_competition(session=session, competition_id=competition_id))
    return range(policy.member_score_min, policy.member_score_max + 1)


def _save_score(
    session: Session,
    visitor: Visitor,
    competition_id: Id,
    stage: str,
    code: str,
    value: int,
    comment: str | None,
    now: datetime,
) -> None:
    with session.begin():
        competition = _readable(session, competition_id, _account(visitor))
        scoring.score_application(
            session=session,
            competition=competition,
            stage=stage,
            anonymous_code=code,
            scorer=_account(visitor),
            score=value,
            comment=comment,
            now=now,
        )


@router.post("/commission/competitions/{competition_id}/essays/{anonymous_code}/discussion", response_model=None)
def record_essay_discussion(
    request: Request,
    competition_id: Id,
    anonymous_code: str,
    visitor: Member,
    form: CheckedForm,
    session: SessionDep,
) -> Response:
    """The chair records what the commission concluded about a flagged essay."""
    code = anonymous_code[:40]
    note = field(form, "note")
    errors = []
    if not note:
        errors.append(FieldError("note", visitor.texts.gettext("Write what the commission concluded")))
    elif len(note) > 5000:
        errors.append(FieldError("note", visitor.texts.gettext("The note is over 5000 characters")))
    if not errors:
        try:
            with session.begin():
                competition = _readable(session, competition_id, _account(visitor))
                record_discussion(
                    session=session, competition=competition, anonymous_code=code, actor=_account(visitor), note=note
                )
        except DomainError as problem:
            errors = [FieldError("note", _message(problem, visitor))]
        else:
            return redirect(f"/commission/competitions/{competition_id}/essays/{code}?done=discussed")
    return _essay_page(request, visitor, session, competition_id, code, status=422, errors=errors)


# --- practical assessment ---------------------------------------------------------------------------


def _practical_tasks(visitor: Visitor, session: Session, competition: Competition) -> list[dict[str, str]]:
    """The competition's practical tasks in the visitor's language."""
    return [
        {
            "title": _localised(visitor, task.title_kk, task.title_ru),
            "instructions": _localised(visitor, task.instructions_kk, task.instructions_ru),
        }
        for task in practical.tasks_of(session=session, competition=competition)
    ]


def _stage_list_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    stage: str,
    rows: Callable[[Account, Competition, bool], dict[str, Any]],
    *,
    status: int,
    errors: list[FieldError] | None,
    done: str,
) -> HTMLResponse:
    """A scored stage's list page (the practical tasks, the interviews): the heading, whether the stage is in the
    competition's plan and closed, and the stage's own ``rows`` read in the same transaction."""
    account = _account(visitor)
    with session.begin():
        competition = _readable(session, competition_id, account)
        heading = _heading(session, visitor, competition)
        in_plan = stage in competition.stage_plan
        own = rows(account, competition, in_plan)
        closed = stages.closure(session=session, competition_id=competition.id, stage=stage) is not None
    return render(
        request,
        visitor,
        f"commission/{STAGE_PAGES[stage]}.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext(STAGE_TITLES[stage]),
        heading=heading,
        closed=closed,
        in_plan=in_plan,
        done=done,
        **own,
    )


def _practical_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    done: str = "",
) -> HTMLResponse:
    def rows(account: Account, competition: Competition, in_plan: bool) -> dict[str, Any]:
        items = scoring.stage_items(session=session, competition=competition, stage=practical.STAGE) if in_plan else []
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for a in items], stage=practical.STAGE
        )
        return {
            "tasks": _practical_tasks(visitor, session, competition),
            "entrants": [(a.anonymous_code, stages.score_out(mine.get(a.id))) for a in items],
        }

    return _stage_list_page(
        request, visitor, session, competition_id, practical.STAGE, rows, status=status, errors=errors, done=done
    )


@router.get("/commission/competitions/{competition_id}/practical", response_class=HTMLResponse)
def practical_list(
    request: Request, competition_id: Id, visitor: Reader, session: SessionDep, done: str = ""
) -> HTMLResponse:
    return _practical_page(request, visitor, session, competition_id, done="closed" if done == "closed" else "")


def _scoring_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    stage: str,
    code: str,
    now: datetime,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    done: str = "",
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """A practical task's or an interview's scoring page: what was set, the slot, the member's own score."""
    account = _account(visitor)
    with session.begin():
        competition = _readable(session, competition_id, account)
        heading = _heading(session, visitor, competition)
        application = stages.application_by_code(session=session, competition=competition, anonymous_code=code)
        own = stages.score_out(
            stages.own_scores(session=session, scorer=account, application_ids=[application.id], stage=stage).get(
                application.id
            )
        )
        closed = stages.closure(session=session, competition_id=competition.id, stage=stage) is not None
        policy = competitions.policy_of(competition)
        interview = (
            interviews.interview_of(session=session, application_id=application.id) if stage == "interview" else None
        )
        if stage == "interview" and interview is None:
            raise DomainError(NOT_FOUND, f"no interview of {code}")
        tasks = _practical_tasks(visitor, session, competition) if stage == "practical" else []
    return render(
        request,
        visitor,
        "commission/score.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Score %(code)s", code=code),
        heading=heading,
        stage=stage,
        stage_name=_stage_name(visitor, stage),
        code=code,
        own=own,
        closed=closed,
        tasks=tasks,
        interview=interview,
        started=interview is None or interview.starts_at <= now,
        status_names=INTERVIEW_STATUS_NAMES,
        points=list(range(policy.member_score_min, policy.member_score_max + 1)),
        done=done,
        values=values
        or {"score": "" if own is None else str(own["score"]), "comment": "" if own is None else own["comment"] or ""},
    )


STAGE_PAGES = {"essay": "essays", "practical": "practical", "interview": "interviews"}
STAGE_TITLES = {"practical": _("Practical tasks"), "interview": _("Interviews")}


def _post_score(
    request: Request,
    visitor: Visitor,
    form: Any,
    session: Session,
    competition_id: Id,
    stage: str,
    code: str,
    now: datetime,
) -> Response:
    points = _scoring_points(session, competition_id)
    value, comment, errors = _score_form(form, visitor, points)
    values = {"score": field(form, "score"), "comment": field(form, "comment")}
    if not errors and value is not None:
        try:
            _save_score(session, visitor, competition_id, stage, code, value, comment, now)
        except DomainError as problem:
            errors = [FieldError(f"score-{points.start}", _message(problem, visitor))]
        else:
            return redirect(f"/commission/competitions/{competition_id}/{STAGE_PAGES[stage]}/{code}?done=scored")
    if stage == "essay":
        return _essay_page(request, visitor, session, competition_id, code, status=422, errors=errors, values=values)
    return _scoring_page(
        request, visitor, session, competition_id, stage, code, now, status=422, errors=errors, values=values
    )


def _stage_score_routes(stage: str) -> None:
    """A scored stage's pages for one entrant: the scoring page (not the essay's, which has its own) and the
    posted score, the same code for the essay, the practical task and the interview."""
    base = f"/commission/competitions/{{competition_id}}/{STAGE_PAGES[stage]}/{{anonymous_code}}"
    if stage != "essay":

        @router.get(base, response_class=HTMLResponse, name=f"{stage}_score_page")
        def score_page(
            request: Request,
            competition_id: Id,
            anonymous_code: str,
            visitor: Reader,
            session: SessionDep,
            now: NowDep,
            done: str = "",
        ) -> HTMLResponse:
            shown = "scored" if done == "scored" else ""
            return _scoring_page(request, visitor, session, competition_id, stage, anonymous_code[:40], now, done=shown)

    @router.post(f"{base}/score", response_model=None, name=f"score_{stage}")
    def score(
        request: Request,
        competition_id: Id,
        anonymous_code: str,
        visitor: Member,
        form: CheckedForm,
        session: SessionDep,
        now: NowDep,
    ) -> Response:
        return _post_score(request, visitor, form, session, competition_id, stage, anonymous_code[:40], now)


for _stage in STAGE_PAGES:
    _stage_score_routes(_stage)


# --- interviews -------------------------------------------------------------------------------------


def _interviews_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    competition_id: Id,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    done: str = "",
) -> HTMLResponse:
    def rows(account: Account, competition: Competition, in_plan: bool) -> dict[str, Any]:
        found = list(interviews.interviews_of(session=session, competition=competition))
        mine = stages.own_scores(
            session=session, scorer=account, application_ids=[a.id for _i, a in found], stage=interviews.STAGE
        )
        slots = [
            {
                "id": interview.id,
                "code": application.anonymous_code,
                "starts_at": interview.starts_at,
                "ends_at": interview.ends_at,
                "minutes": interview.duration_minutes,
                "status": interview.status,
                "my_score": stages.score_out(mine.get(application.id)),
            }
            for interview, application in found
        ]
        return {
            "slots": slots,
            "shortlist": stages.interview_shortlist(session=session, competition=competition) if in_plan else [],
            "minutes": competitions.policy_of(competition).interview_minutes,
            "status_names": INTERVIEW_STATUS_NAMES,
        }

    return _stage_list_page(
        request, visitor, session, competition_id, interviews.STAGE, rows, status=status, errors=errors, done=done
    )


@router.get("/commission/competitions/{competition_id}/interviews", response_class=HTMLResponse)
def interviews_list(
    request: Request, competition_id: Id, visitor: Reader, session: SessionDep, done: str = ""
) -> HTMLResponse:
    return _interviews_page(request, visitor, session, competition_id, done="closed" if done == "closed" else "")


# --- the protocol -----------------------------------------------------------------------------------

_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)


def _document_body(html: str) -> str:
    """The protocol's own text (its ``<main>``), to show inside the page without its inline style; its tables
    scroll sideways on a narrow screen as the page's own do."""
    found = _MAIN.search(html)
    return found.group(1).replace('<table border="1">', '<table class="data-table">') if found else ""


def _protocol_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    settings: Any,
    competition_id: Id,
    today: date,
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    outcome: str = "",
) -> HTMLResponse:
    account = _account(visitor)
    with session.begin():
        competition = _readable(session, competition_id, account)
        ensure_can(account, "protocol.read", competition_access(session, competition))
        heading = _heading(session, visitor, competition)
        protocol = protocol_link.latest_protocol(session=session, competition=competition)
        signers: list[dict[str, Any]] = []
        due = None
        documents: dict[str, str] = {}
        signed_by_me = False
        if protocol is not None:
            report = protocols.verify(
                session=session,
                protocol_id=protocol.id,
                trusted_roots=trusted_roots(settings),
                revocation_lists=revocation_lists(settings),
            )
            checks = {check.signer_account_id: check for check in report.signatures}
            for seat, member in competitions.commission_seats(session=session, competition=competition):
                check = checks.get(member.id)
                signers.append(
                    {
                        "name": member.display_name,
                        "role": seat.role,
                        "signed_at": None if check is None else check.signed_at,
                        "valid": None if check is None else check.valid,
                        "reason": None if check is None else check.reason,
                        "me": member.id == account.id,
                    }
                )
            signed_by_me = account.id in checks
            due = protocol_link.sign_deadline(competition, protocol.drawn_up_on)
            documents = {"kk": _document_body(protocol.html_kk), "ru": _document_body(protocol.html_ru)}
            hash_valid = report.hash_valid
        else:
            hash_valid = False
        published = competition.status == RESULTS_PUBLISHED
        is_member = heading.role is not None
    return render(
        request,
        visitor,
        "commission/protocol.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Protocol"),
        heading=heading,
        protocol=protocol,
        signers=signers,
        due=due,
        overdue=due is not None and today > due and not signed_by_me,
        documents=documents,
        signed_by_me=signed_by_me,
        may_sign=is_member and not signed_by_me,
        hash_valid=hash_valid,
        published=published,
        role_names=ROLE_NAMES,
        reason_words=SIGNATURE_WORDS,
        outcome=outcome,
    )


@router.get("/commission/competitions/{competition_id}/protocol", response_class=HTMLResponse)
def protocol_page(
    request: Request,
    competition_id: Id,
    visitor: Reader,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    done: str = "",
) -> HTMLResponse:
    return _protocol_page(
        request, visitor, session, settings, competition_id, today, outcome="signed" if done == "signed" else ""
    )


@router.get("/commission/protocols/{protocol_id}/pdf", response_model=None)
def protocol_pdf(protocol_id: Id, visitor: Reader, session: SessionDep) -> Response:
    """The PDF to sign, byte for byte as stored (its name carries no person)."""
    with session.begin():
        protocol = protocols.get_protocol(session=session, protocol_id=protocol_id)
        ensure_can(_account(visitor), "protocol.read", protocols.access_of(session=session, protocol=protocol))
        pdf, name = protocol.pdf, f"protocol-{protocol.competition_id}-{protocol.version}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _signature_bytes(upload: Any) -> bytes | None:
    """The DER of an uploaded signature: raw DER, or its base64 / PEM text as signing tools also save it."""
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(SIGNATURE_MAX_BYTES + 1)
    if not data or len(data) > SIGNATURE_MAX_BYTES:
        return None
    if data[:1] == b"\x30":
        return data
    text = b"".join(line for line in data.splitlines() if not line.startswith(b"-----")).strip()
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return data


@router.post("/commission/competitions/{competition_id}/protocol/signature", response_model=None)
async def upload_signature(
    request: Request,
    competition_id: Id,
    visitor: Member,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
) -> Response:
    """Verify the uploaded detached signature over the stored PDF and, when it holds, store it."""
    signature = await _signature_bytes(form.get("signature"))
    errors: list[FieldError] = []
    if signature is None:
        errors.append(FieldError("signature", visitor.texts.gettext("Choose the signature file (.p7s, .cms or .sig)")))
    else:
        try:
            with session.begin():
                competition = _readable(session, competition_id, _account(visitor))
                protocol = protocol_link.latest_protocol(session=session, competition=competition)
                if protocol is None:
                    raise DomainError(NOT_FOUND, "no protocol is drawn up yet")
                protocols.sign(
                    session=session,
                    protocol_id=protocol.id,
                    account=_account(visitor),
                    signature_der=signature,
                    settings=settings,
                )
        except DomainError as problem:
            reason = problem.extensions.get("reason")
            words = (
                visitor.texts.gettext(SIGNATURE_WORDS[reason])
                if isinstance(reason, str) and reason in SIGNATURE_WORDS
                else problem_message(problem, visitor.texts)
            )
            errors.append(FieldError("signature", visitor.texts.gettext("Not signed: %(why)s", why=words)))
        else:
            return redirect(f"/commission/competitions/{competition_id}/protocol?done=signed")
    return _protocol_page(request, visitor, session, settings, competition_id, today, status=422, errors=errors)
