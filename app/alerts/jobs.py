"""Queue jobs of the alerts: sending an approved campaign, and the daily/weekly digests."""

from __future__ import annotations

from typing import Any

from app.alerts.delivery import SEND_CAMPAIGN, SEND_DIGESTS, send_campaign, send_digests
from app.db import transaction, utcnow
from app.jobs.queue import JobContext, job_handler


@job_handler(SEND_CAMPAIGN)
def send_campaign_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Queue the messages of approved campaign ``payload["campaign_id"]`` (a second run finds it sent)."""
    with transaction(context.sessions) as session:
        return send_campaign(
            session=session,
            queue=context.queue,
            campaign_id=int(payload["campaign_id"]),
            settings=context.settings,
            now=utcnow(),
        )


@job_handler(SEND_DIGESTS)
def send_digests_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Send the digests due now (one per subscriber and period)."""
    with transaction(context.sessions) as session:
        return send_digests(session=session, queue=context.queue, settings=context.settings, now=utcnow())
