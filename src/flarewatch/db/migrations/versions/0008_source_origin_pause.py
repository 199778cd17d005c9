"""sources: origin (workspace file or web settings), pause and archive

A source added in the web settings has origin "web", so a later `workspace add` of the file
does not switch it off; a pause (who, when) is a person's decision and no file sync touches
it; a source deleted on the web while it has posts is archived, so its mentions stay.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = flarewatch.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=8), nullable=False, server_default="file")
        )
        batch_op.add_column(sa.Column("paused_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("paused_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("archived_at", UTC, nullable=True))


def downgrade() -> None:
    # A web source would otherwise read as a file source that the next sync switches off;
    # a paused or archived one would be polled again. Both end disabled, as they were meant.
    op.execute(
        "UPDATE source SET enabled = false WHERE paused_at IS NOT NULL OR archived_at IS NOT NULL"
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("paused_by")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("origin")
