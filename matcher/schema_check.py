"""Commands check the database first: reachable, and with the schema this version expects."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from matcher import db, migrate

P = ParamSpec("P")
R = TypeVar("R")
UPGRADE = "run `flask --app wsgi db upgrade` first"


def _unreachable(engine: Engine) -> str | None:
    try:
        with engine.connect():
            return None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        where = engine.url.render_as_string(hide_password=True)
        return f"cannot reach the database {where}: {reason}"


def schema_problem(engine: Engine) -> str | None:
    """Say what keeps this version from using the database; None when nothing does.

    A schema newer than this version's (a revision it does not know) is used as it is: the
    migrations are additive, so the version before an upgrade keeps working on it.
    """
    unreachable = _unreachable(engine)
    if unreachable is not None:
        return unreachable
    current = migrate.current_revision(engine)
    head = migrate.head_revision(engine)
    if current is None:
        return f"the database has no schema yet; {UPGRADE}"
    if current == head:
        return None
    scripts = ScriptDirectory.from_config(migrate.alembic_config(engine))
    known = {script.revision for script in scripts.walk_revisions()}
    if current in known:
        return f"the database schema is at revision {current}, older than {head}; {UPGRADE}"
    return None


def _refuse_on(
    problem: Callable[[Engine], str | None],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            found = problem(db.engine())
            if found is not None:
                raise click.ClickException(found)
            return command(*args, **kwargs)

        return checked

    return decorate


# A command that uses the catalog, keys, users or jobs stops with a clear message (exit 1)
# unless the database is reachable and at this version's schema.
needs_schema = _refuse_on(schema_problem)
# A schema command (db ...) stops the same way unless the database is reachable.
needs_database = _refuse_on(_unreachable)
