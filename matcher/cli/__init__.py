"""The command line: `flask --app wsgi <group> <command>`, one module per command group."""

from __future__ import annotations

from flask import Flask

from matcher.cli.access import keys_cli, users_cli
from matcher.cli.catalog import run_import, vendors_cli
from matcher.cli.database import db_cli
from matcher.cli.demo import demo, demo_catalog_path
from matcher.cli.jobs import jobs_cli

__all__ = ["demo_catalog_path", "init_app", "run_import"]


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (db_cli, keys_cli, users_cli, vendors_cli, demo, jobs_cli):
        app.cli.add_command(group)
