"""A search keeps the ranking it produced and the catalog revision it was ranked on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the kept ranking to searches."""
    with op.batch_alter_table("searches") as table:
        table.add_column(sa.Column("ranking", sa.JSON(), nullable=True))
        table.add_column(sa.Column("ranked_revision", sa.Integer(), nullable=True))
        table.add_column(sa.Column("ranked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the kept ranking."""
    with op.batch_alter_table("searches") as table:
        table.drop_column("ranked_at")
        table.drop_column("ranked_revision")
        table.drop_column("ranking")
