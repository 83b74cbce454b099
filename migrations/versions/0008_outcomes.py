"""Outcomes recorded against searches and prospects.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create outcomes."""
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("search_id", sa.String(length=24), nullable=True),
        sa.Column("prospect_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_outcomes_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["searches.id"],
            name=op.f("fk_outcomes_search_id_searches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_outcomes_prospect_id_prospects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    for column in ("vendor_id", "search_id", "prospect_id"):
        op.create_index(op.f(f"ix_outcomes_{column}"), "outcomes", [column], unique=False)


def downgrade() -> None:
    """Drop outcomes."""
    for column in ("prospect_id", "search_id", "vendor_id"):
        op.drop_index(op.f(f"ix_outcomes_{column}"), table_name="outcomes")
    op.drop_table("outcomes")
