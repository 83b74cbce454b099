"""Schema migrations: upgrade, downgrade, the current revision, a new migration."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from matcher import db, migrate
from matcher.schema_check import needs_database

db_cli = AppGroup("db", help="Create or upgrade the database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@needs_database
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema (no data is loaded)."""
    migrate.upgrade(db.engine(), revision)
    click.echo(f"Schema at {migrate.current_revision(db.engine())}.")


@db_cli.command("downgrade")
@click.argument("revision")
@needs_database
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to a revision (e.g. -1 or base)."""
    migrate.downgrade(db.engine(), revision)
    click.echo(f"Schema at {migrate.current_revision(db.engine())}.")


@db_cli.command("current")
@needs_database
def db_current() -> None:
    """Show the schema's revision and the newest one."""
    click.echo(f"current: {migrate.current_revision(db.engine())}")
    click.echo(f"head:    {migrate.head_revision(db.engine())}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@needs_database
def db_revision(message: str) -> None:
    """Write a migration for the difference between the models and the schema."""
    migrate.revision(db.engine(), message)
