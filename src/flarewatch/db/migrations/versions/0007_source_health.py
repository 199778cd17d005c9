"""sources: health columns, hourly counts, webhook deliveries, stored credentials, source alerts

A source that fails, goes stale or goes silent raises an alert of kind "source"; silence is
judged against the source's own posts per hour, kept in source_hour_count. Webhook bodies are
stored before the 2xx answer (webhook_delivery), and credentials entered in the web settings
are stored encrypted (source_credential).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flarewatch.db.base

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = flarewatch.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failing_since", UTC, nullable=True))
        batch_op.add_column(
            sa.Column("problems_total", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("newest_post_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("quota", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("next_poll_at", UTC, nullable=True))

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="topic")
        )
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_source_id_source"),
            "source",
            ["source_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "source_hour_count",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("hour", UTC, nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_source_hour_count_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "hour", name=op.f("pk_source_hour_count")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("processed_at", UTC, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_webhook_delivery_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint(
            "source_id", "body_sha256", name=op.f("uq_webhook_delivery_source_id_body_sha256")
        ),
    )
    op.create_index(
        "ix_webhook_delivery_pending",
        "webhook_delivery",
        ["source_id", "processed_at"],
        unique=False,
    )
    op.create_table(
        "source_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_source_credential_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_credential")),
        sa.UniqueConstraint(
            "workspace_id", "name", name=op.f("uq_source_credential_workspace_id_name")
        ),
    )


def downgrade() -> None:
    op.drop_table("source_credential")
    op.drop_index("ix_webhook_delivery_pending", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("source_hour_count")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alert_source_id_source"), type_="foreignkey")
        batch_op.drop_column("source_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("next_poll_at")
        batch_op.drop_column("quota")
        batch_op.drop_column("newest_post_at")
        batch_op.drop_column("problems_total")
        batch_op.drop_column("failing_since")
