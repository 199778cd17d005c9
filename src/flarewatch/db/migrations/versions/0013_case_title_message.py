"""cases: the title as a message and its parameters (crisis_case.title_message)

A case takes its alert's title; like the alert's (0011) it is kept as a translatable message
and its parameters next to the English `title`, so the case list and page show it in the
reader's language. A case opened before this revision takes its alert's message when its title
is still that alert's English title; any other keeps NULL and shows its stored title.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column with no foreign key: SQLite adds it in place (no table rebuild).
    op.add_column("crisis_case", sa.Column("title_message", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE crisis_case SET title_message = ("
        " SELECT alert.title_message FROM alert"
        " WHERE alert.id = crisis_case.alert_id AND alert.title = crisis_case.title)"
        " WHERE alert_id IS NOT NULL"
    )


def downgrade() -> None:
    # In place, not in a batch: a batch rebuilds `crisis_case` on SQLite, and dropping the old
    # table would cascade into its timeline and tasks (SQLite 3.35+ drops a column in place).
    op.drop_column("crisis_case", "title_message")
