"""The queue job that sends one outbox e-mail; idempotent, so a duplicate or retried job is harmless."""

from __future__ import annotations

import logging
from typing import Any

from app.audit.service import record
from app.db import transaction, utcnow
from app.jobs.queue import JobContext, job_handler
from app.notifications import mailer
from app.notifications.models import OutboxMessage
from app.notifications.service import SEND_EMAIL

log = logging.getLogger("irikteu.notifications")

NOT_CONFIGURED = "not sent: smtp_url is not set (IRIKTEU_SMTP_URL); the message waits in the outbox"


@job_handler(SEND_EMAIL)
def send_email_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Send outbox row ``payload["outbox_id"]``: queued → sending → sent; an SMTP error raises for a retry."""
    settings = context.settings
    outbox_id = int(payload["outbox_id"])
    with transaction(context.sessions) as session:
        outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if outbox is None:
            return {"outbox_id": outbox_id, "status": "missing"}
        if outbox.status in ("sent", "failed"):
            return {"outbox_id": outbox_id, "status": outbox.status, "skipped": True}
        if not settings.smtp_url:
            outbox.status, outbox.last_error = "queued", NOT_CONFIGURED
            return {"outbox_id": outbox_id, "status": "queued", "reason": "smtp_url_not_set"}
        outbox.status, outbox.attempts = "sending", outbox.attempts + 1
        outbox.message_id = outbox.message_id or mailer.message_id_for(outbox.id, settings.mail_from)
        message = mailer.build_message(
            mail_from=settings.mail_from,
            to_address=outbox.to_address,
            subject=outbox.subject,
            body=outbox.body,
            locale=outbox.locale,
            message_id=outbox.message_id,
            date=utcnow(),
        )
        message_id, attempts = outbox.message_id, outbox.attempts
    try:
        mailer.send(mailer.parse_smtp_url(settings.smtp_url), message, timeout=settings.smtp_timeout_seconds)
    except Exception as exc:
        final = context.is_final_attempt
        error = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction(context.sessions) as session:
            outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
            assert outbox is not None
            outbox.status, outbox.last_error = ("failed" if final else "queued"), error
            if final:
                record(
                    session,
                    action="outbox.failed",
                    entity_type="outbox_message",
                    entity_id=str(outbox_id),
                    payload={"event": outbox.event, "attempts": outbox.attempts, "error": error},
                )
        log.warning("e-mail not sent", extra={"outbox_id": outbox_id, "final": final, "error": error})
        raise
    with transaction(context.sessions) as session:
        outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
        assert outbox is not None
        outbox.status, outbox.sent_at, outbox.last_error = "sent", utcnow(), None
        record(
            session,
            action="outbox.sent",
            entity_type="outbox_message",
            entity_id=str(outbox_id),
            payload={"event": outbox.event, "attempts": attempts, "message_id": message_id},
        )
    return {"outbox_id": outbox_id, "status": "sent", "message_id": message_id}
