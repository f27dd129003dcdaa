"""harden: an e-mail whose sending outcome is unknown is held (status ``unknown``), and the attempt
that holds a letter in ``sending`` is recorded (fencing token and lease)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "status IN ('queued', 'sending', 'sent', 'failed')"
_AFTER = "status IN ('queued', 'sending', 'sent', 'failed', 'unknown')"


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_token", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_messages_status"), _AFTER)


def downgrade() -> None:
    # A held letter goes back to ``failed``: the older schema has no state for an unknown outcome.
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'unknown'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_messages_status"), _BEFORE)
        batch_op.drop_column("lease_until")
        batch_op.drop_column("send_token")
