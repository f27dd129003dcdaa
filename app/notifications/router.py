"""The signed-in account's notifications, and the administrator's view of the e-mail outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit.service import record
from app.auth.deps import AdministratorAccount, CurrentAccount
from app.bounds import MAX_COUNT, Id
from app.deps import QueueDep, SessionDep, SettingsDep
from app.logs import current_request_id
from app.notifications import service
from app.notifications.schemas import (
    NotificationOut,
    NotificationPageOut,
    OutboxDecisionIn,
    OutboxMessageOut,
    OutboxSummaryOut,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
admin_router = APIRouter(prefix="/api/v1/admin/outbox", tags=["notifications", "admin"])


@router.get("", response_model=NotificationPageOut)
def list_notifications(
    account: CurrentAccount,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_COUNT)] = 0,
) -> NotificationPageOut:
    """The current account's notifications, newest first, with the unread count."""
    with session.begin():
        page = service.list_for_account(session=session, account_id=account.id, limit=limit, offset=offset)
        items = [NotificationOut.model_validate(n, from_attributes=True) for n in page.items]
    return NotificationPageOut(items=items, total=page.total, unread=page.unread, limit=limit, offset=offset)


@router.post("/{notification_id}/read", response_model=NotificationOut)
def read_notification(notification_id: Id, account: CurrentAccount, session: SessionDep) -> NotificationOut:
    """Mark one of the current account's notifications read; another account's is 404."""
    with session.begin():
        notification = service.mark_read(
            session=session, account_id=account.id, notification_id=notification_id, actor_role=account.role
        )
        return NotificationOut.model_validate(notification, from_attributes=True)


@admin_router.get("", response_model=OutboxSummaryOut)
def outbox_summary(account: AdministratorAccount, session: SessionDep, settings: SettingsDep) -> OutboxSummaryOut:
    """E-mails by status and the latest failures; ``smtp_configured`` false means nothing is being sent."""
    with session.begin():
        summary = service.outbox_summary(session=session)
    return OutboxSummaryOut.model_validate({**summary, "smtp_configured": bool(settings.smtp_url)})


@admin_router.post("/release", response_model=dict[str, int])
def release_outbox(account: AdministratorAccount, session: SessionDep, queue: QueueDep) -> dict[str, int]:
    """Queue a send job for every e-mail still waiting (after smtp_url was set); returns how many."""
    with session.begin():
        count = service.release_queued(session=session, queue=queue)
        record(
            session,
            action="outbox.released",
            entity_type="outbox",
            entity_id="queued",
            actor=str(account.id),
            actor_role=account.role,
            payload={"count": count, "request_id": current_request_id()},
        )
    return {"released": count}


@admin_router.post("/{outbox_id}/decision", response_model=OutboxMessageOut)
def decide_held_message(
    outbox_id: Id, body: OutboxDecisionIn, account: AdministratorAccount, session: SessionDep, queue: QueueDep
) -> OutboxMessageOut:
    """Decide on a held e-mail (its sending outcome is unknown): ``resend`` or ``mark_sent``; audited.
    A letter that is not held is 409 ``outbox_not_held``."""
    with session.begin():
        outbox = service.decide_held(
            session=session,
            queue=queue,
            outbox_id=outbox_id,
            decision=body.decision,
            actor_id=account.id,
            actor_role=account.role,
            note=body.note,
        )
        return OutboxMessageOut.model_validate(service.message_brief(outbox))
