"""alerts: one incident, one alert (alert_group, alert_merge)

An alert may stand for several topics' signals when they rest on the same posts: alert_group
lists every group key (and its topic) an alert answers for. An alert folded into an older one of
the same incident keeps its row, with status "merged" and an alert_merge row saying which.
Only new tables: on SQLite, altering `alert` would rebuild it, and dropping the old table would
cascade into its deliveries and cases.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = flarewatch.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
            name=op.f("fk_alert_group_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_alert_group_topic_id_topic"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_group")),
        sa.UniqueConstraint(
            "alert_id", "group_key", name=op.f("uq_alert_group_alert_id_group_key")
        ),
    )
    op.create_index("ix_alert_group_key", "alert_group", ["group_key"], unique=False)
    # Every existing alert answers for its own group, as it did before.
    op.execute(
        "INSERT INTO alert_group (alert_id, group_key, topic_id) "
        "SELECT id, group_key, topic_id FROM alert"
    )
    op.create_table(
        "alert_merge",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("into_alert_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alert.id"],
            name=op.f("fk_alert_merge_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["into_alert_id"],
            ["alert.id"],
            name=op.f("fk_alert_merge_into_alert_id_alert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_merge")),
    )
    op.create_index(
        op.f("ix_alert_merge_into_alert_id"), "alert_merge", ["into_alert_id"], unique=False
    )


def downgrade() -> None:
    # The older release knows no "merged" status: a folded alert reads as resolved there, and a
    # merged alert falls back to the topic that opened it.
    op.execute("UPDATE alert SET status = 'resolved' WHERE status = 'merged'")
    op.drop_index(op.f("ix_alert_merge_into_alert_id"), table_name="alert_merge")
    op.drop_table("alert_merge")
    op.drop_index("ix_alert_group_key", table_name="alert_group")
    op.drop_table("alert_group")
