"""oncall: an alert's escalation steps, durable until sent or cancelled (escalation_step)

One row per notification round of an alert's escalation policy (a step repeated three times is
three rows), with the instant it is due. The runner claims a due row by turning it to "sent" in
the same transaction that queues its deliveries, so a crash before the commit leaves it pending
and one after it leaves it sent: no step is skipped and none is queued twice.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("alert_id", "severity", "step", "round"),
    )
    op.create_index("ix_escalation_step_due", "escalation_step", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_escalation_step_due", table_name="escalation_step")
    op.drop_table("escalation_step")
