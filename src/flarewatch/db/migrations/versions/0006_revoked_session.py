"""revoked_session: browser sessions ended by sign-out before their cookie expired

Session cookies are signed, not stored; without this table a saved copy of the cookie kept
reading the API for up to 12 hours after the person signed out.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", flarewatch.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_revoked_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_revoked_session")),
    )
    op.create_index(
        op.f("ix_revoked_session_expires_at"), "revoked_session", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_revoked_session_expires_at"), table_name="revoked_session")
    op.drop_table("revoked_session")
