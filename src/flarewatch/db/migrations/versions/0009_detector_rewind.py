"""detector_state.rewind: checkpoints that let late posts be scored into their own minutes

A post that arrives after its minute was evaluated (a backfill, a slow source) is rolled into its
own minute, and detection replays from the newest checkpoint before it (detect/service.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("detector_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rewind", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("detector_state", schema=None) as batch_op:
        batch_op.drop_column("rewind")
