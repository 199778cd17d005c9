"""comms: the public update page of a case (issue 21 §7)

`public_page` is one per case: its unguessable token, whether it is online, its language,
title, the figures the brand shares and whether search engines may index it.
`public_entry` is an approved draft (a statement or update) shown on it; the page shows the
draft's approved text of the moment, so revised text waits for approval again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_page",
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
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("noindex", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", name="uq_public_page_case"),
    )
    op.create_table(
        "public_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "page_id",
            sa.Integer(),
            sa.ForeignKey("public_page.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "draft_id", sa.Integer(), sa.ForeignKey("draft.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("draft_version", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(200), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_public_entry_page", "public_entry", ["page_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_public_entry_page", table_name="public_entry")
    op.drop_table("public_entry")
    op.drop_table("public_page")
