"""comms: publishing's kill switch, its history, and send attempts (issue 21 §5)

`publishing_kill_switch` is a workspace's switch (engaged, reason, by, at): while engaged,
nothing is published and every scheduled publication is suspended. `publishing_kill_switch_event`
keeps each time it was engaged or lifted. `publication_attempt` is each try to send a
publication: a try still `sending` after a crash is reconciled from it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publishing_kill_switch",
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("engaged", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("engaged_by", sa.String(200), nullable=True),
        sa.Column("engaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "publishing_kill_switch_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_kill_switch_event_workspace", "publishing_kill_switch_event", ["workspace_id", "id"]
    )
    op.create_table(
        "publication_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "publication_id",
            sa.Integer(),
            sa.ForeignKey("publication.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_publication_attempt_pub", "publication_attempt", ["publication_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_publication_attempt_pub", table_name="publication_attempt")
    op.drop_table("publication_attempt")
    op.drop_index("ix_kill_switch_event_workspace", table_name="publishing_kill_switch_event")
    op.drop_table("publishing_kill_switch_event")
    op.drop_table("publishing_kill_switch")
