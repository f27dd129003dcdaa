"""Notifying people of decisions: the in-app message and the e-mail, both in the caller's transaction.

Nothing leaves the building before the decision commits: the outbox row and its send job
are written with the decision, and the queue message goes out only at commit. The
decision's ``dedupe_key`` makes a retried decision find what it wrote the first time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import utcnow
from app.errors import NOT_FOUND, DomainError
from app.jobs.queue import JobQueue
from app.logs import current_request_id
from app.notifications.errors import OUTBOX_MESSAGE_NOT_FOUND, OUTBOX_NOT_HELD
from app.notifications.models import OUTBOX_STATUSES, Notification, OutboxMessage
from app.notifications.templates import email_footer, render

SEND_EMAIL = "notifications.send_email"


class InvalidAddress(ValueError):
    """An e-mail address that cannot go into a header."""


def _json_safe(context: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(context, default=str, ensure_ascii=False))
    return loaded


def _checked_address(address: str) -> str:
    cleaned = address.strip()
    local, at, domain = cleaned.rpartition("@")
    if not at or not local or "." not in domain or any(c in cleaned for c in "\r\n\t <>,;"):
        raise InvalidAddress(f"not an e-mail address: {address!r}")
    return cleaned


def _by_key(session: Session, model: type[Notification] | type[OutboxMessage], key: str) -> Any:
    return session.scalars(select(model).where(model.dedupe_key == key)).first()


def notify(
    *,
    session: Session,
    queue: JobQueue,
    account_id: int,
    to_address: str | None,
    event: str,
    context: dict[str, Any],
    locale: str,
    dedupe_key: str,
) -> Notification:
    """Tell account ``account_id`` of ``event``: an in-app notification and, given an address, an e-mail.

    Everything is written in the caller's transaction; the e-mail's send job is queued at its
    commit. Values in ``context`` may be given in both languages as ``{"kk": …, "ru": …}``. A
    second call with the same ``dedupe_key`` returns the first notification and sends nothing.
    """
    existing: Notification | None = _by_key(session, Notification, dedupe_key)
    if existing is not None:
        return existing
    message = render(event, context, locale)
    address = _checked_address(to_address) if to_address else None
    notification = Notification(
        account_id=account_id,
        event=event,
        locale=locale,
        subject=message.subject,
        body=message.body,
        payload=_json_safe(context),
        dedupe_key=dedupe_key,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        # Another transaction committed the same decision first (PostgreSQL); SQLite serialises writers.
        raced: Notification | None = _by_key(session, Notification, dedupe_key)
        if raced is None:
            raise
        return raced
    outbox_id = None
    if address is not None:
        outbox = enqueue_email(
            session=session,
            queue=queue,
            to_address=address,
            locale=locale,
            subject=message.subject,
            body=message.body + "\n" + email_footer(locale),
            event=event,
            dedupe_key=dedupe_key,
            notification_id=notification.id,
        )
        outbox_id = outbox.id
    record(
        session,
        action="notification.created",
        entity_type="notification",
        entity_id=str(notification.id),
        payload={
            "event": event,
            "account_id": account_id,
            "locale": locale,
            "dedupe_key": dedupe_key,
            "outbox_id": outbox_id,
            "request_id": current_request_id(),
        },
    )
    return notification


def enqueue_email(
    *,
    session: Session,
    queue: JobQueue,
    to_address: str,
    locale: str,
    subject: str,
    body: str,
    event: str,
    dedupe_key: str,
    notification_id: int | None = None,
) -> OutboxMessage:
    """Put one e-mail in the outbox and queue its sending at the caller's commit (any sender may use it).

    The same ``dedupe_key`` gives the same row and no second letter.
    """
    existing: OutboxMessage | None = _by_key(session, OutboxMessage, dedupe_key)
    if existing is not None:
        return existing
    if "\n" in subject or "\r" in subject:
        raise ValueError("an e-mail subject is one line")
    outbox = OutboxMessage(
        to_address=_checked_address(to_address),
        locale=locale,
        subject=subject,
        body=body,
        event=event,
        dedupe_key=dedupe_key,
        status="queued",
        attempts=0,
        created_at=utcnow(),
        notification_id=notification_id,
    )
    try:
        with session.begin_nested():
            session.add(outbox)
    except IntegrityError:
        raced: OutboxMessage | None = _by_key(session, OutboxMessage, dedupe_key)
        if raced is None:
            raise
        return raced
    queue.enqueue(SEND_EMAIL, {"outbox_id": outbox.id}, dedupe_key=f"{SEND_EMAIL}:{outbox.id}", session=session)
    return outbox


def release_queued(*, session: Session, queue: JobQueue) -> int:
    """Queue a send job for every e-mail still ``queued`` (after SMTP was configured); returns how many.

    No job dedupe key here: the outbox row is the guard, and a ``sent`` row is never sent again.
    """
    ids = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == "queued").order_by(OutboxMessage.id)
    ).all()
    for outbox_id in ids:
        queue.enqueue(SEND_EMAIL, {"outbox_id": outbox_id}, session=session)
    return len(ids)


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    total: int
    unread: int


def list_for_account(*, session: Session, account_id: int, limit: int, offset: int) -> NotificationPage:
    """One account's notifications, newest first."""
    mine = Notification.account_id == account_id
    items = list(
        session.scalars(
            select(Notification)
            .where(mine)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    total = session.scalar(select(func.count()).select_from(Notification).where(mine)) or 0
    unread = (
        session.scalar(select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None))) or 0
    )
    return NotificationPage(items=items, total=total, unread=unread)


def mark_read(*, session: Session, account_id: int, notification_id: int, actor_role: str) -> Notification:
    """Mark the account's own notification read (once; a repeated call changes nothing)."""
    notification = session.get(Notification, notification_id)
    # Another account's notification answers exactly like a missing one.
    if notification is None or notification.account_id != account_id:
        raise DomainError(NOT_FOUND, f"no notification {notification_id}")
    if notification.read_at is None:
        notification.read_at = utcnow()
        record(
            session,
            action="notification.read",
            entity_type="notification",
            entity_id=str(notification.id),
            actor=str(account_id),
            actor_role=actor_role,
            payload={
                "before": {"read_at": None},
                "after": {"read_at": notification.read_at.isoformat()},
                "request_id": current_request_id(),
            },
        )
    return notification


def _masked(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def outbox_summary(*, session: Session, recent: int = 20) -> dict[str, Any]:
    """Counts by status and the latest failures (addresses masked), for the administrator."""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    for status, count in session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)):
        counts[status] = count
    failures = session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(OutboxMessage.id.desc()).limit(recent)
    ).all()
    # Every held letter, not the latest few: each one waits for a person's decision.
    held = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "unknown").order_by(OutboxMessage.id))
    waiting = session.scalars(
        select(OutboxMessage.last_error)
        .where(OutboxMessage.status == "queued", OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    return {
        "counts": counts,
        "queued_reason": waiting,
        "recent_failures": [message_brief(m) for m in failures],
        "held": [message_brief(m) for m in held],
    }


def message_brief(message: OutboxMessage) -> dict[str, Any]:
    """One outbox message as the administrator reads it (address masked)."""
    return {
        "id": message.id,
        "event": message.event,
        "to": _masked(message.to_address),
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
    }


def _outbox_message(session: Session, outbox_id: int, *, for_update: bool = False) -> OutboxMessage:
    outbox = session.get(OutboxMessage, outbox_id, with_for_update=for_update)
    if outbox is None:
        raise DomainError(OUTBOX_MESSAGE_NOT_FOUND, f"no e-mail {outbox_id} in the outbox")
    return outbox


def outbox_message(*, session: Session, outbox_id: int) -> dict[str, Any]:
    """One outbox message as the administrator reads it (address masked); ``outbox_message_not_found``."""
    return message_brief(_outbox_message(session, outbox_id))


RESEND, MARK_SENT = "resend", "mark_sent"
OUTBOX_DECISIONS: tuple[str, ...] = (RESEND, MARK_SENT)


def decide_held(
    *,
    session: Session,
    queue: JobQueue,
    outbox_id: int,
    decision: str,
    actor_id: int,
    actor_role: str,
    note: str | None = None,
) -> OutboxMessage:
    """An administrator's decision on a letter whose sending outcome is unknown (``unknown``, held).

    ``resend``: the letter goes back to ``queued`` and a new send job is queued at commit (the
    person accepts that it may arrive twice, e.g. after checking the mail server's log);
    ``mark_sent``: the letter is recorded as sent and never sent again. Audited with the note.
    """
    if decision not in OUTBOX_DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    outbox = _outbox_message(session, outbox_id, for_update=True)
    if outbox.status != "unknown":
        raise DomainError(
            OUTBOX_NOT_HELD, f"e-mail {outbox_id} is {outbox.status}, not held", outbox_status=outbox.status
        )
    before = {"status": outbox.status, "last_error": outbox.last_error, "token": outbox.send_token}
    if decision == RESEND:
        outbox.status, outbox.send_token, outbox.lease_until = "queued", None, None
        outbox.last_error = None
        queue.enqueue(
            SEND_EMAIL,
            {"outbox_id": outbox.id},
            dedupe_key=f"{SEND_EMAIL}:{outbox.id}:resend:{outbox.attempts}",
            session=session,
        )
    else:
        outbox.status, outbox.sent_at, outbox.lease_until = "sent", utcnow(), None
    record(
        session,
        action=f"outbox.decided_{decision}",
        entity_type="outbox_message",
        entity_id=str(outbox.id),
        actor=str(actor_id),
        actor_role=actor_role,
        payload={
            "before": before,
            "after": {"status": outbox.status},
            "decision": decision,
            "note": note,
            "request_id": current_request_id(),
        },
    )
    session.flush()
    return outbox


HELD_STATUSES: tuple[str, ...] = ("queued", "sending", "unknown")
"""Not sent yet: ``queued`` waits (``last_error`` says why when a try failed or SMTP is not set); ``sending``
is in the hands of a send job within its lease; ``unknown`` was handed to the SMTP server by a job that
did not record the answer: the outcome is unknown and the letter is held for an administrator's decision."""


def outbox_messages(
    *, session: Session, statuses: tuple[str, ...] = OUTBOX_STATUSES, recent: int = 20
) -> list[dict[str, Any]]:
    """The latest messages of ``statuses``, newest first, addresses masked (for the administrator)."""
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.status.in_(statuses)).order_by(OutboxMessage.id.desc()).limit(recent)
    ).all()
    return [message_brief(m) for m in rows]
