"""sensitivity: the settings page's low/high become the detector's fewer/more

The settings page offered "low" and "high", names the detector does not know (it read both as
"balanced"); workspace files and the detector use "fewer", "balanced" and "more". This renames
stored values so a workspace gets the sensitivity its admin chose.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMES = (("low", "fewer"), ("high", "more"))


def upgrade() -> None:
    for old, new in RENAMES:
        op.execute(f"UPDATE workspace SET sensitivity = '{new}' WHERE sensitivity = '{old}'")


def downgrade() -> None:
    for old, new in RENAMES:
        op.execute(f"UPDATE workspace SET sensitivity = '{old}' WHERE sensitivity = '{new}'")
