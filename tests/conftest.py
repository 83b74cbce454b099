"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the suite there; a run that asks for PostgreSQL
and cannot reach it fails rather than skips.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_spec_validator import validate
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from matcher import create_app, db, migrate
from matcher.api.openapi import build_spec
from matcher.config import database_url
from vendors.access import create_key
from vendors.models import Base


def services_required() -> bool:
    """Say whether Redis (and other services) must be there: in CI a missing one fails."""
    return bool(os.environ.get("CI") or os.environ.get("MATCHER_REQUIRE_SERVICES"))


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_up() -> bool:
    """Say whether the tests' Redis answers."""
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis() -> str:
    """Return the tests' Redis URL; skip the test without Redis, or fail it where services are
    required."""
    if not redis_up():
        if services_required():
            pytest.fail("Redis is not reachable at " + REDIS_URL)
        pytest.skip("Redis is not running here; CI starts it")
    return REDIS_URL


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
        tables = ", ".join(
            f'"{table.name}"'
            for table in Base.metadata.sorted_tables
            if table.name != "catalog_state"
        )
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("UPDATE catalog_state SET revision = 0"))
    engine.dispose()
    return backend_url


@pytest.fixture
def app(database: str, tmp_path: Path) -> Iterator[Flask]:
    """Return the service on a fresh database, with a job queue and uploads of its own."""
    settings: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": database,
        "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    application = create_app(settings)
    yield application
    application.extensions["engine"].dispose()


class ConformingClient(FlaskClient):
    """A test client that holds the API to its OpenAPI document.

    Every response must conform to it, and so must every JSON request the service accepted:
    a document stricter than the service would turn away clients that work.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send the request, then fail unless request and response conform to the document."""
        response = super().open(*args, **kwargs)
        request = response.request
        bare = EnvironBuilder(
            method=request.method,
            path=request.path,
            query_string=request.query_string.decode(),
            headers=[
                (key, value)
                for key, value in request.headers
                if key.lower() in ("if-match", "x-api-key")
            ],
            json=kwargs["json"] if "json" in kwargs and response.status_code < 300 else None,
        )
        # Routes and methods the document does not have (404/405 tests) have nothing to match.
        with suppress(PathNotFound, OperationNotFound):
            openapi_request = WerkzeugOpenAPIRequest(Request(bare.get_environ()))
            if "json" in kwargs and response.status_code < 300:
                _openapi().validate_request(openapi_request)
            _openapi().validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
        return response


@cache
def _openapi() -> OpenAPI:
    document = build_spec()
    validate(document)
    return OpenAPI.from_dict(document)


def make_key(app: Flask, role: str) -> str:
    """Create an API key with a role and return it."""
    with app.app_context():
        _, key = create_key(db.session(), role, name=f"test {role}")
        db.session().commit()
    return key


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """Return a test client that sends no credentials (its answers must still conform)."""
    app.test_client_class = ConformingClient
    return app.test_client()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client acting as an admin, whose API traffic must conform to the document."""
    app.test_client_class = ConformingClient
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = make_key(app, "admin")
    return client


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
