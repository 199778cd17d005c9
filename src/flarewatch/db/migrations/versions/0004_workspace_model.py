"""workspace models (relevance filter); merges the accounts and detection heads

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0004"
down_revision: str | Sequence[str] | None = ("0002", "0003")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_workspace_model_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_model")),
        sa.UniqueConstraint(
            "workspace_id", "kind", name=op.f("uq_workspace_model_workspace_id_kind")
        ),
    )


def downgrade() -> None:
    op.drop_table("workspace_model")
