"""comms: private contact with a case's originator (issue 21 §6)

`private_contact` is one person contacted privately about one post on a case: the platform's
channel, the status (to_contact, sent, answered, closed), the end of the window now open
(`deadline`), the case task it created, the draft it was sent from, every attempt and answer,
and the outcome with its note.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "private_contact",
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
            sa.ForeignKey("raw_post.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "author_id",
            sa.Integer(),
            sa.ForeignKey("author.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("post_url", sa.Text(), nullable=True),
        sa.Column("comment_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follows", sa.String(8), nullable=False),
        sa.Column("dm_setting", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column(
            "task_id", sa.Integer(), sa.ForeignKey("task.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column(
            "draft_id", sa.Integer(), sa.ForeignKey("draft.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("attempts", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_for", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_private_contact_case", "private_contact", ["case_id", "id"])
    op.create_index("ix_private_contact_deadline", "private_contact", ["status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_private_contact_deadline", table_name="private_contact")
    op.drop_index("ix_private_contact_case", table_name="private_contact")
    op.drop_table("private_contact")
