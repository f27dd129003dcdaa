"""Error codes of notifications and the e-mail outbox."""

from __future__ import annotations

from app.errors import Kind, error_code

OUTBOX_MESSAGE_NOT_FOUND = error_code("outbox_message_not_found", Kind.NOT_FOUND, "The e-mail does not exist")
OUTBOX_NOT_HELD = error_code(
    "outbox_not_held", Kind.CONFLICT, "The e-mail is not held for a decision: its outcome is known"
)
