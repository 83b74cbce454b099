"""Migrations create the whole schema, agree with the models, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, inspect

from matcher import db, migrate
from vendors.models import Base


def test_an_upgraded_database_matches_the_models(app: Flask) -> None:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_test_database_is_at_the_newest_revision(app: Flask) -> None:
    with app.app_context():
        assert migrate.current_revision(db.engine()) == migrate.head_revision(db.engine())


def test_an_empty_sqlite_file_upgrades_to_head_and_back(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")

    migrate.upgrade(engine)
    tables_after_upgrade = set(inspect(engine).get_table_names())
    migrate.downgrade(engine, "base")
    tables_after_downgrade = set(inspect(engine).get_table_names())

    assert "vendors" in tables_after_upgrade
    assert tables_after_downgrade <= {"alembic_version"}
    engine.dispose()
