"""The database: one engine per app, one session per request, SQLite tuned for several workers."""

from __future__ import annotations

import json
import logging
from contextlib import suppress
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory, and close sessions after each request."""
    url = app.config["DATABASE_URL"]
    engine = create_engine(url, **_engine_options(url))
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def _engine_options(url: str) -> dict[str, Any]:
    # Keep non-ASCII text readable in JSON columns, so text search finds "Español" as written.
    # Errors never carry statement parameters (rates, free text, key hashes) into logs.
    options: dict[str, Any] = {"json_serializer": _dump_json, "hide_parameters": True}
    if url.startswith("sqlite"):
        # A file database is shared by threads of one worker; each gets its own connection.
        options["connect_args"] = {"check_same_thread": False}
    else:
        options["pool_pre_ping"] = True
    return options


def _dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; busy_timeout makes a second
        # writer (another gunicorn worker) wait instead of failing at once.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
        # SQLite's lower() folds ASCII only; text search should find "ESPAÑOL" in "español".
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def engine() -> Engine:
    """Return the current app's engine."""
    result: Engine = current_app.extensions["engine"]
    return result


def session() -> Session:
    """Return the session of the current request or CLI command, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    result: Session = g.db_session
    return result


def settle(apply: bool) -> None:
    """Commit the request's transaction when its work is to be applied, else roll it back."""
    if apply:
        session().commit()
    else:
        session().rollback()


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is None:
        return
    try:
        db_session.close()
    except SQLAlchemyError as error:
        # The connection died under the request (a database restart): its answer is already
        # made, so the connection is thrown away rather than the answer turned into a 500.
        log.warning("closing a session failed: %s", type(error).__name__)
        with suppress(SQLAlchemyError):
            db_session.invalidate()
