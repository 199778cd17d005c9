"""comms: the reply queue's marks (issue 21 §4)

`reply_item` holds what people did with a post of a case's reply queue: its assignee, and
whether it needs no answer (with the reason) or was answered outside Flarewatch.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("crisis_case.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "raw_post_id",
            sa.Integer(),
            sa.ForeignKey("raw_post.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("assigned_by", sa.String(200), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("marked_by", sa.String(200), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "raw_post_id", name="uq_reply_item_case_post"),
    )
    op.create_index("ix_reply_item_assignee", "reply_item", ["workspace_id", "assignee"])


def downgrade() -> None:
    op.drop_index("ix_reply_item_assignee", table_name="reply_item")
    op.drop_table("reply_item")
