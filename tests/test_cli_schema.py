"""Every command on a database without this version's schema says so and exits 1, no traceback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from matcher import create_app, migrate
from tests.factories import vendors, write_csv

COMMANDS = [
    ["vendors", "import", "{catalog}", "--no-progress"],
    ["vendors", "import", "{catalog}", "--background"],
    ["vendors", "export", "{folder}/out.json"],
    ["keys", "create", "--role", "admin"],
    ["keys", "revoke", "0123456789abcdef"],
    ["users", "create", "ana@example.test", "--role", "viewer", "--password", "long enough"],
    ["users", "password", "ana@example.test", "--password", "long enough"],
    ["jobs", "show", "0123"],
    ["jobs", "worker"],
]


@pytest.fixture
def empty_database(database: str, tmp_path: Path) -> Iterator[str]:
    """Return the URL of a database with no schema at all, on the suite's kind of server."""
    if not database.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"matcher_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(database).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _service(url: str, folder: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "JOBS_DATABASE": str(folder / "jobs.sqlite3"),
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )


def _run(app: Flask, command: list[str], folder: Path) -> Result:
    catalog = write_csv(folder / "catalog.csv", vendors(2))
    args = [part.format(catalog=catalog, folder=folder) for part in command]
    return app.test_cli_runner().invoke(args=args)


def _said_and_stopped(result: Result, message: str) -> bool:
    # A traceback would leave its exception here; a clean stop leaves only SystemExit.
    return (
        result.exit_code == 1
        and isinstance(result.exception, SystemExit)
        and message in result.output
        and "Traceback" not in result.output
    )


@pytest.mark.parametrize(
    "command", COMMANDS, ids=[" ".join(c[:2]) + str(i) for i, c in enumerate(COMMANDS)]
)
def test_a_command_on_a_database_without_the_schema_says_to_upgrade_and_exits_1(
    empty_database: str, tmp_path: Path, command: list[str]
) -> None:
    app = _service(empty_database, tmp_path)

    result = _run(app, command, tmp_path)

    assert _said_and_stopped(result, "no schema yet; run `flask --app wsgi db upgrade` first")
    app.extensions["engine"].dispose()


def test_a_command_on_an_older_schema_names_both_revisions(
    empty_database: str, tmp_path: Path
) -> None:
    app = _service(empty_database, tmp_path)
    engine = app.extensions["engine"]
    migrate.upgrade(engine)
    migrate.downgrade(engine, "-1")
    older, head = migrate.current_revision(engine), migrate.head_revision(engine)

    result = _run(app, ["keys", "create", "--role", "admin"], tmp_path)

    assert _said_and_stopped(result, f"at revision {older}, older than {head}; run `flask")
    engine.dispose()


def test_the_schema_commands_work_on_an_empty_database(empty_database: str, tmp_path: Path) -> None:
    app = _service(empty_database, tmp_path)

    before = app.test_cli_runner().invoke(args=["db", "current"])
    upgraded = app.test_cli_runner().invoke(args=["db", "upgrade"])
    created = _run(app, ["keys", "create", "--role", "admin"], tmp_path)

    assert (before.exit_code, upgraded.exit_code, created.exit_code) == (0, 0, 0)
    assert "current: None" in before.output
    assert created.output.strip().splitlines()[-1].startswith("vmk_")
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"], ["keys", "revoke", "x"]])
def test_a_command_that_cannot_reach_the_database_says_so_and_exits_1(
    tmp_path: Path, command: list[str]
) -> None:
    app = _service(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}", tmp_path)

    result = _run(app, command, tmp_path)

    assert _said_and_stopped(result, "cannot reach the database")
    app.extensions["engine"].dispose()
