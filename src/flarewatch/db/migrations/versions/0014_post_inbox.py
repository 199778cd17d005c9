"""inbox: tags on posts, a post's assignee, saved views; people's notifications

What people do with posts in the inbox: tag them (post_tag, filtered by workspace and tag),
assign each to one member (post_assignment, keyed by the post) and keep named filter sets
(saved_view, per person and workspace). user_notification tells a person what was assigned to
them (a case's task). New tables only; nothing existing changes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:35:29.945574
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("created_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_notification_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_user_notification_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_notification")),
    )
    with op.batch_alter_table("user_notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_notification_user_read", ["user_id", "read_at"], unique=False
        )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_saved_view_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_saved_view_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", "name", name=op.f("uq_saved_view_workspace_id_user_id_name")
        ),
    )
    op.create_table(
        "post_assignment",
        sa.Column("raw_post_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("assigned_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_post_id"],
            ["raw_post.id"],
            name=op.f("fk_post_assignment_raw_post_id_raw_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_post_assignment_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_post_assignment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("raw_post_id", name=op.f("pk_post_assignment")),
    )
    with op.batch_alter_table("post_assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_assignment_workspace_user", ["workspace_id", "user_id"], unique=False
        )

    op.create_table(
        "post_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("raw_post_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_post_id"],
            ["raw_post.id"],
            name=op.f("fk_post_tag_raw_post_id_raw_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_post_tag_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_tag")),
        sa.UniqueConstraint("raw_post_id", "tag", name=op.f("uq_post_tag_raw_post_id_tag")),
    )
    with op.batch_alter_table("post_tag", schema=None) as batch_op:
        batch_op.create_index("ix_post_tag_workspace_tag", ["workspace_id", "tag"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_post_tag_workspace_tag")

    op.drop_table("post_tag")
    with op.batch_alter_table("post_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_post_assignment_workspace_user")

    op.drop_table("post_assignment")
    op.drop_table("saved_view")
    with op.batch_alter_table("user_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_user_notification_user_read")
    op.drop_table("user_notification")
