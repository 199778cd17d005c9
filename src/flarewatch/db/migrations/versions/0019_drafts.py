"""comms: drafts and their versions (issue 21)

`draft` is one message the brand will say during a case (a statement, a reply, an update or
a private message) for one platform and audience, with its status in the approval life cycle
and the version that was approved. `draft_version` keeps every text it had, with its author
and the tone check's flags. `publication` is an approved draft going out through one of the
workspace's own channels, now or at a set time, with its status, link and error.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 00:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft",
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
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("stage", sa.String(32), nullable=True),
        sa.Column(
            "mention_id",
            sa.Integer(),
            sa.ForeignKey("mention.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("template_key", sa.String(100), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_draft_case", "draft", ["case_id", "id"])
    op.create_table(
        "draft_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "draft_id",
            sa.Integer(),
            sa.ForeignKey("draft.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.UniqueConstraint("draft_id", "number", name="uq_draft_version_number"),
    )
    op.create_table(
        "publication",
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
            "draft_id", sa.Integer(), sa.ForeignKey("draft.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("draft_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column(
            "mention_id",
            sa.Integer(),
            sa.ForeignKey("mention.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("in_reply_to", sa.String(300), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_publication_due", "publication", ["status", "scheduled_at"])
    op.create_index("ix_publication_case", "publication", ["case_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_publication_case", table_name="publication")
    op.drop_index("ix_publication_due", table_name="publication")
    op.drop_table("publication")
    op.drop_table("draft_version")
    op.drop_index("ix_draft_case", table_name="draft")
    op.drop_table("draft")
