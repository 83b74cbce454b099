"""The demo: the schema upgraded, the demo catalog and users loaded, server and worker run."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
from importlib import resources
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from matcher import db, migrate
from matcher.cli.catalog import run_import
from matcher.schema_check import needs_database
from vendors.access import (
    ROLES,
    create_key,
    create_user,
    set_password,
)


def demo_users() -> str:
    """Give the demo one user per role, all with a new password; return the password."""
    password = secrets.token_urlsafe(9)
    for role in ROLES:
        email = f"{role}@demo.example"
        if set_password(db.session(), email, password) is None:
            create_user(db.session(), email, role, password)
    db.session().commit()
    return password


def demo_catalog_path() -> Path:
    """Return the path of the demo catalog shipped with the service."""
    return Path(str(resources.files("vendors").joinpath("data/demo_catalog.json")))


@click.command("demo")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--serve/--no-serve", default=True, help="Start the server after loading.")
@needs_database
def demo(host: str, port: int, serve: bool) -> None:
    """Upgrade the schema, load the demo catalog and serve the app."""
    migrate.upgrade(db.engine())
    path = Path(current_app.config["DEMO_CATALOG"] or demo_catalog_path())
    report = run_import(path, dry_run=False, on_error="fail", show_progress=False)
    click.echo(
        f"Demo catalog {path.name}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected."
    )
    _, demo_key = create_key(db.session(), "admin", name="demo")
    db.session().commit()
    password = demo_users()
    click.echo(f"Demo admin API key (send it as X-API-Key): {demo_key}")
    click.echo(
        f"Demo sign-in: admin@demo.example, procurement@demo.example, sales@demo.example or "
        f"viewer@demo.example, password {password}"
    )
    if not serve:
        return
    click.echo(f"Serving on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)")
    click.echo(f"Try: curl -H 'X-API-Key: {demo_key}' http://{host}:{port}/api/v1/vendors")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # The demo serves plain HTTP on this machine, so its session cookie cannot be HTTPS-only.
    app.config["SESSION_COOKIE_SECURE"] = False
    # Background imports need a job worker: the demo runs one beside the server.
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"])
    # Stopped with SIGTERM too, the demo stops its worker on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
