"""alerts re-scored with the accurate model; background re-scoring jobs

`alert.sentiment_backend` names the sentiment model an alert's negative share and explanation
rest on, `alert.rescore` what re-scoring still has to do when its time budget ran out (both
nullable, added in place: SQLite needs no table rebuild). `rescore_job` holds the state of a
re-scoring started from the web UI, so a restarted server can say what happened and resume it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = flarewatch.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("alert", sa.Column("sentiment_backend", sa.String(length=64), nullable=True))
    op.add_column("alert", sa.Column("rescore", sa.JSON(), nullable=True))
    op.create_table(
        "rescore_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("since", UTC, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("last_raw_post_id", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_rescore_job_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_rescore_job_topic_id_topic"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescore_job")),
    )
    op.create_index("ix_rescore_job_workspace", "rescore_job", ["workspace_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rescore_job_workspace", table_name="rescore_job")
    op.drop_table("rescore_job")
    # In place, not in a batch: a batch rebuilds `alert` on SQLite and would cascade into its
    # deliveries and cases.
    op.drop_column("alert", "rescore")
    op.drop_column("alert", "sentiment_backend")
