"""oncall: the alert's timeline, acknowledgement cycles and reminders, who a delivery is for

- `alert_event`: the alert's own timeline (every notification, delivery attempt, failure,
  acknowledgement, reminder and auto-unacknowledgement), written by the system.
- `escalation_step.cycle`: an alert unacknowledged for want of activity is escalated again
  from the first step, as a new cycle of rounds; `escalation_step.kind`: "page" rounds of the
  policy, or "reminder" rounds sent while it is acknowledged but untouched.
- `alert_delivery.recipient` (person key or route:NAME, for the signed acknowledgement link
  and the alert page) and `alert_delivery.purpose` ("alert" or "reminder").
- `rota_change`: overrides and shift swaps made in the app (requested, accepted, declined,
  cancelled), laid over the workspace file's rotas.
- `digest_run`: each scheduled daily or weekly digest and how each recipient fared.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_UNIQUE = "uq_escalation_step_alert_id_severity_step_round"
NEW_UNIQUE = "uq_escalation_step_alert_id_severity_cycle_kind_step_round"


def upgrade() -> None:
    op.create_table(
        "alert_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "alert_id", sa.Integer(), sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_alert_event_alert", "alert_event", ["alert_id", "at"])
    with op.batch_alter_table("escalation_step") as batch:
        batch.add_column(sa.Column("cycle", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="page"))
        batch.drop_constraint(OLD_UNIQUE, type_="unique")
        batch.create_unique_constraint(
            NEW_UNIQUE, ["alert_id", "severity", "cycle", "kind", "step", "round"]
        )
    op.add_column("alert_delivery", sa.Column("recipient", sa.String(200), nullable=True))
    op.add_column("alert_delivery", sa.Column("purpose", sa.String(16), nullable=True))
    op.create_table(
        "rota_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rota_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("person", sa.String(64), nullable=False),
        sa.Column("replaces", sa.String(64), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_rota_change_workspace", "rota_change", ["workspace_id", "status", "end"])
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.UniqueConstraint("workspace_id", "period", "due_at"),
    )


def downgrade() -> None:
    op.drop_table("digest_run")
    op.drop_index("ix_rota_change_workspace", table_name="rota_change")
    op.drop_table("rota_change")
    op.drop_column("alert_delivery", "purpose")
    op.drop_column("alert_delivery", "recipient")
    # Later cycles and reminders have no place in the old table's unique key.
    op.execute("DELETE FROM escalation_step WHERE cycle > 1 OR kind <> 'page'")
    with op.batch_alter_table("escalation_step") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint(OLD_UNIQUE, ["alert_id", "severity", "step", "round"])
        batch.drop_column("kind")
        batch.drop_column("cycle")
    op.drop_index("ix_alert_event_alert", table_name="alert_event")
    op.drop_table("alert_event")
