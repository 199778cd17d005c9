"""comms: approvals of drafts and comments on them (issue 21 §3)

`draft_approval` is one approver of one step of a draft's submission (round), bound to the
version submitted, with the answer deadline, the escalation and the decision with its comment.
`draft_comment` is a comment on a draft, on the version it was written on.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "draft_id",
            sa.Integer(),
            sa.ForeignKey("draft.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("step_name", sa.String(100), nullable=False),
        sa.Column("require", sa.String(8), nullable=False),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("via", sa.String(300), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalate_to", sa.String(200), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_index("ix_draft_approval_draft", "draft_approval", ["draft_id", "round", "step"])
    op.create_index("ix_draft_approval_due", "draft_approval", ["status", "answer_by"])
    op.create_table(
        "draft_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "draft_id",
            sa.Integer(),
            sa.ForeignKey("draft.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_draft_comment_draft", "draft_comment", ["draft_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_draft_comment_draft", table_name="draft_comment")
    op.drop_table("draft_comment")
    op.drop_index("ix_draft_approval_due", table_name="draft_approval")
    op.drop_index("ix_draft_approval_draft", table_name="draft_approval")
    op.drop_table("draft_approval")
