"""Error codes of vacancy alerts: subscriptions, unsubscribe links and campaigns."""

from __future__ import annotations

from app.errors import Kind, error_code

UNSUBSCRIBE_TOKEN_INVALID = error_code(
    "unsubscribe_token_invalid", Kind.BAD_REQUEST, "The unsubscribe link is not valid"
)
UNSUBSCRIBE_TOKEN_EXPIRED = error_code(
    "unsubscribe_token_expired", Kind.BAD_REQUEST, "The unsubscribe link has expired"
)
CAMPAIGN_NOT_DRAFT = error_code("campaign_not_draft", Kind.CONFLICT, "The campaign is no longer a draft")
