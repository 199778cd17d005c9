"""comms: a workspace's versions of message templates (issue 21 §1)

`message_template` holds one text of one version of a template per row: the workspace, the
template's key and version, its playbook, kind, audience and stage, the language and variant
(short, sms, long) with the text and, on `long`, the email's subject, and who wrote it when.
The shipped starter set is version 1 and stays in the package.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("playbook", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("variant", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "workspace_id", "key", "version", "language", "variant", name="uq_message_template"
        ),
    )
    op.create_index(
        "ix_message_template_key", "message_template", ["workspace_id", "key", "version"]
    )


def downgrade() -> None:
    op.drop_index("ix_message_template_key", table_name="message_template")
    op.drop_table("message_template")
