"""cases: lessons learned, the follow-up watch, routing to the internal owner (case room)

`case_review` holds the post-mortem's fields the team fills in (what went well, what to
improve, lessons learned, compensation offered), one row per case. `case_followup` is the watch
that starts when a case moves to monitoring: its scope (story keys, authors, topics), the level
the story had settled to, until when it watches and whether a relapse reopened the case.
`case_routing` is a request to the internal owner of a case type: the key facts and posts sent,
to whom, by when an answer is due, the escalation when it is not, and the owner's findings.
`case_role` records who holds each role on a case (and who held it before); a task gains the
role whose checklist it came from and when its assignee was reminded.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_review",
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("crisis_case.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_improve", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("compensation", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "case_followup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("crisis_case.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic_ids", sa.JSON(), nullable=False),
        sa.Column("story_keys", sa.JSON(), nullable=False),
        sa.Column("author_ids", sa.JSON(), nullable=False),
        sa.Column("settled", sa.JSON(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("relapse", sa.JSON(), nullable=True),
        sa.Column(
            "relapse_alert_id",
            sa.Integer(),
            sa.ForeignKey("alert.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_followup_status", "case_followup", ["status", "until"])
    op.create_index("ix_case_followup_case", "case_followup", ["case_id"])
    op.create_table(
        "case_routing",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("crisis_case.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("case_type", sa.String(64), nullable=False),
        sa.Column("owner_key", sa.String(64), nullable=False),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("post_ids", sa.JSON(), nullable=False),
        sa.Column("sent", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_to", sa.String(200), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(200), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
    )
    op.create_index("ix_case_routing_due", "case_routing", ["status", "answer_by"])
    op.create_table(
        "case_role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("crisis_case.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule", sa.String(200), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_role_case", "case_role", ["case_id", "role"])
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("role", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("role")
    op.drop_index("ix_case_role_case", table_name="case_role")
    op.drop_table("case_role")
    op.drop_index("ix_case_routing_due", table_name="case_routing")
    op.drop_table("case_routing")
    op.drop_index("ix_case_followup_case", table_name="case_followup")
    op.drop_index("ix_case_followup_status", table_name="case_followup")
    op.drop_table("case_followup")
    op.drop_table("case_review")
