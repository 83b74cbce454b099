"""The vendor catalog.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json_list() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Create the vendors table."""
    op.create_table(
        "vendors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tags", _json_list(), nullable=False),
        sa.Column("services", _json_list(), nullable=True),
        sa.Column("delivery_countries", _json_list(), nullable=True),
        sa.Column("hq_country", sa.String(length=2), nullable=True),
        sa.Column("languages", _json_list(), nullable=True),
        sa.Column("rate_min", sa.Float(), nullable=True),
        sa.Column("rate_max", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("certifications", _json_list(), nullable=True),
        sa.Column("qualifications", _json_list(), nullable=True),
        sa.Column("industries", _json_list(), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
    )
    op.create_index(op.f("ix_vendors_name"), "vendors", ["name"], unique=False)


def downgrade() -> None:
    """Drop the vendors table."""
    op.drop_index(op.f("ix_vendors_name"), table_name="vendors")
    op.drop_table("vendors")
