"""SQLite is set up so that several worker processes can share one file."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from matcher import db
from matcher.config import database_url


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(
    app: Flask, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("SQLite settings; this run is on PostgreSQL")
    with app.app_context(), db.engine().connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA busy_timeout")) == 15000


def test_a_postgres_url_without_a_driver_uses_psycopg_3() -> None:
    assert database_url("postgresql://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/matcher.db"
