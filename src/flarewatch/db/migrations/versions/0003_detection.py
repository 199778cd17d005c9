"""detection state

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "detector_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("last_minute", flarewatch.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detector", sa.JSON(), nullable=False),
        sa.Column("stories", sa.JSON(), nullable=False),
        sa.Column("updated_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_detector_state_topic_id_topic"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_detector_state_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detector_state")),
        sa.UniqueConstraint("topic_id", name=op.f("uq_detector_state_topic_id")),
    )


def downgrade() -> None:
    op.drop_table("detector_state")
