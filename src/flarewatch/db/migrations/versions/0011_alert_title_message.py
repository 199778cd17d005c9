"""alerts: the title as a message and its parameters (alert.title_message)

An alert's title is stored as a translatable message plus its parameters next to the English
`title`, so pages and notifications show it in the reader's language. A nullable column with no
foreign key: SQLite adds it in place (no table rebuild), and old rows keep NULL and show `title`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alert", sa.Column("title_message", sa.JSON(), nullable=True))


def downgrade() -> None:
    # In place, not in a batch: a batch rebuilds `alert` on SQLite, and dropping the old table
    # would cascade into its deliveries and cases (SQLite 3.35+ drops a plain column in place).
    op.drop_column("alert", "title_message")
