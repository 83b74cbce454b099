"""Alembic environment: migrate the vendor catalog's schema on the app's database."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from vendors.models import Base

config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the connection the caller gave, or on DATABASE_URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
    with create_engine(url).connect() as own_connection:
        _migrate(own_connection)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
