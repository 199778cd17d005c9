"""alerts: one incident, one alert (alert_group; merged alerts)

An alert may stand for several topics' signals when they rest on the same posts: alert_group
lists every group key (and its topic) that an alert answers for. An alert folded into another
one of the same incident keeps its row with status "merged" and merged_into_id.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_merged_into_id_alert"),
            "alert",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    # The older release knows no "merged" status; a folded alert reads as resolved there, and
    # the topics listed on a merged alert fall back to the one that opened it.
    op.execute("UPDATE alert SET status = 'resolved' WHERE status = 'merged'")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alert_merged_into_id_alert"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    op.drop_index("ix_alert_group_key", table_name="alert_group")
    op.drop_table("alert_group")
