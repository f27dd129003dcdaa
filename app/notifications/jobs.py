"""The queue job that sends one outbox e-mail, at most once: a duplicate, retried or restarted job is harmless.

The attempt is written down before the SMTP connection opens (``sending``, with the attempt's
fencing token ``"job id:attempt"`` and a lease) and the outcome after. An attempt that finds a
letter still ``sending`` — left there by a worker killed mid-letter, or by an attempt whose lease
ran out — cannot know whether the letter went, so it does not send it: the letter becomes
``unknown``, is audited, and waits for an administrator's decision (resend or mark sent).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import transaction, utcnow
from app.jobs.queue import JobContext, job_handler
from app.notifications import mailer
from app.notifications.models import OutboxMessage
from app.notifications.service import SEND_EMAIL
from app.settings import Settings

log = logging.getLogger("irikteu.notifications")

NOT_CONFIGURED = "not sent: smtp_url is not set (IRIKTEU_SMTP_URL); the message waits in the outbox"
ABANDONED = "outcome unknown: the attempt that was sending it stopped before recording the outcome"


def lease(settings: Settings) -> timedelta:
    """How long one attempt may hold a letter in ``sending``: each SMTP step (connect, greeting, EHLO,
    STARTTLS, AUTH, MAIL, RCPT, DATA, the answer) waits at most ``smtp_timeout_seconds``."""
    return timedelta(seconds=max(60.0, 10 * settings.smtp_timeout_seconds))


def _hold(outbox: OutboxMessage, reason: str, session: Session) -> None:
    outbox.status, outbox.last_error, outbox.lease_until = "unknown", reason[:2000], None
    record(
        session,
        action="outbox.outcome_unknown",
        entity_type="outbox_message",
        entity_id=str(outbox.id),
        payload={"event": outbox.event, "attempts": outbox.attempts, "token": outbox.send_token, "reason": reason},
    )
    log.warning("e-mail outcome unknown, held", extra={"outbox_id": outbox.id, "reason": reason})


@job_handler(SEND_EMAIL)
def send_email_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Send outbox row ``payload["outbox_id"]``: queued → sending → sent; an SMTP error raises for a retry."""
    settings = context.settings
    outbox_id = int(payload["outbox_id"])
    token = f"{context.job_id}:{context.attempt}"
    with transaction(context.sessions) as session:
        outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if outbox is None:
            return {"outbox_id": outbox_id, "status": "missing"}
        if outbox.status in ("sent", "failed", "unknown"):
            return {"outbox_id": outbox_id, "status": outbox.status, "skipped": True}
        if outbox.status == "sending":
            holder = (outbox.send_token or "").rpartition(":")[0]
            live = outbox.lease_until is not None and outbox.lease_until > utcnow()
            if holder != context.job_id and live:
                return {"outbox_id": outbox_id, "status": "sending", "skipped": True}  # another attempt sends it
            _hold(outbox, ABANDONED, session)
            return {"outbox_id": outbox_id, "status": "unknown", "held": True}
        if not settings.smtp_url:
            outbox.status, outbox.last_error = "queued", NOT_CONFIGURED
            return {"outbox_id": outbox_id, "status": "queued", "reason": "smtp_url_not_set"}
        outbox.status, outbox.attempts = "sending", outbox.attempts + 1
        outbox.send_token, outbox.lease_until = token, utcnow() + lease(settings)
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
    # Committed: from here a crash leaves ``sending`` behind, and the letter is never sent again by itself.
    try:
        mailer.send(mailer.parse_smtp_url(settings.smtp_url), message, timeout=settings.smtp_timeout_seconds)
    except mailer.DeliveryUncertain as exc:
        with transaction(context.sessions) as session:
            outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
            assert outbox is not None
            if outbox.status == "sending" and outbox.send_token == token:
                _hold(outbox, f"outcome unknown: {exc}", session)
        return {"outbox_id": outbox_id, "status": "unknown", "held": True}
    except Exception as exc:
        final = context.is_final_attempt
        error = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction(context.sessions) as session:
            outbox = session.get(OutboxMessage, outbox_id, with_for_update=True)
            assert outbox is not None
            if outbox.send_token != token:  # an administrator or another attempt took over meanwhile
                return {"outbox_id": outbox_id, "status": outbox.status, "superseded": True}
            outbox.status, outbox.last_error = ("failed" if final else "queued"), error
            outbox.send_token, outbox.lease_until = None, None
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
        # The server accepted it: whatever was decided meanwhile, the letter is sent (said once, in the audit).
        late = outbox.send_token != token or outbox.status != "sending"
        outbox.status, outbox.sent_at, outbox.last_error = "sent", utcnow(), None
        outbox.send_token, outbox.lease_until = token, None
        payload_out: dict[str, Any] = {"event": outbox.event, "attempts": attempts, "message_id": message_id}
        if late:
            payload_out["late"] = True
        record(
            session,
            action="outbox.sent",
            entity_type="outbox_message",
            entity_id=str(outbox_id),
            payload=payload_out,
        )
    return {"outbox_id": outbox_id, "status": "sent", "message_id": message_id}
