"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the suite there; a run that asks for PostgreSQL
and cannot reach it fails rather than skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from matcher import create_app, db, migrate
from matcher.config import database_url
from vendors.models import Base


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return a migrated, empty database shared by the session: a template or a server DB."""
    requested = os.environ.get("TEST_DATABASE_URL")
    if not requested:
        template = tmp_path_factory.mktemp("template") / "template.db"
        engine = create_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield f"sqlite:///{template}"
        return
    server = make_url(database_url(requested, ""))
    name = f"matcher_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database(backend_url: str, tmp_path: Path) -> str:
    """Return the URL of an empty, migrated database for this test alone."""
    if backend_url.startswith("sqlite"):
        fresh = tmp_path / "test.db"
        shutil.copyfile(make_url(backend_url).database or "", fresh)
        return f"sqlite:///{fresh}"
    engine = create_engine(backend_url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return backend_url


@pytest.fixture
def app(database: str) -> Iterator[Flask]:
    """Return the service on a fresh database."""
    settings: dict[str, Any] = {"TESTING": True, "DATABASE_URL": database}
    application = create_app(settings)
    yield application
    application.extensions["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """Return a database session inside an app context."""
    with app.app_context():
        yield db.session()


@pytest.fixture
def on_postgres(database: str) -> bool:
    """Say whether this run is on PostgreSQL."""
    return database.startswith("postgresql")
