"""comms: stakeholder updates sent and advocates briefed (issue 21 §8)

`stakeholder_update` is one summary of a case sent to an internal audience (executives,
marketing, HR, customer care…), by the schedule or by hand, with each route's result and the
figures it reported. `advocate_briefing` is one friendly opinion leader briefed on a case with
approved facts, how it went out, and its follow-up task.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ref(table: str, ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column:
    return sa.Column(
        f"{table.removeprefix('crisis_')}_id",
        sa.Integer(),
        sa.ForeignKey(f"{table}.id", ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "stakeholder_update",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ref("workspace"),
        _ref("crisis_case"),
        sa.Column("audience", sa.String(64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.UniqueConstraint("case_id", "audience", "due_at", name="uq_stakeholder_update_due"),
    )
    op.create_index(
        "ix_stakeholder_update_case", "stakeholder_update", ["case_id", "audience", "sent_at"]
    )
    op.create_table(
        "advocate_briefing",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ref("workspace"),
        _ref("crisis_case"),
        sa.Column("advocate", sa.String(64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ref("task", ondelete="SET NULL", nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_advocate_briefing_case", "advocate_briefing", ["case_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_advocate_briefing_case", table_name="advocate_briefing")
    op.drop_table("advocate_briefing")
    op.drop_index("ix_stakeholder_update_case", table_name="stakeholder_update")
    op.drop_table("stakeholder_update")
