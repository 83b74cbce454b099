"""Command-line interface: schema migrations, catalog import and export, the demo."""

from __future__ import annotations

import getpass
import json
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from importlib import resources
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.serving import run_simple

from matcher import db, job_commands, migrate
from matcher.schema_check import needs_database, needs_schema
from matcher.services import catalog as changing
from vendors import catalog
from vendors.access import (
    ROLES,
    UserExists,
    create_key,
    create_user,
    revoke_key,
    set_password,
)
from vendors.audit import Actor
from vendors.catalog import CatalogBusy
from vendors.importing import ImportReport
from vendors.readers import CatalogFileError, count_rows, format_of
from vendors.synthetic import generate_records
from vendors.writers import write_export

db_cli = AppGroup("db", help="Create or upgrade the database schema.")
keys_cli = AppGroup("keys", help="Create and revoke API keys.")
users_cli = AppGroup("users", help="Create web users and set their passwords.")
ROLE = click.Choice(ROLES)
MIN_PASSWORD = 8
vendors_cli = AppGroup("vendors", help="Import, export and generate vendor catalogs.")


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


def run_import(path: Path, *, dry_run: bool, on_error: str, show_progress: bool) -> ImportReport:
    """Import a file in one transaction, committed only if it is to be applied."""
    run = partial(
        changing.import_file,
        path,
        dry_run=dry_run,
        on_error="skip" if on_error == "skip" else "fail",
        actor=Actor(f"cli:{getpass.getuser()}"),
    )
    try:
        if show_progress:
            with _progress_bar(path) as advance:
                return run(progress=advance)
        return run()
    except CatalogBusy as error:
        raise click.ClickException(f"{error}; try again when it is done") from None


@contextmanager
def _progress_bar(path: Path) -> Iterator[Callable[[int], None]]:
    try:
        total = count_rows(path, format_of(path.name))
    except CatalogFileError:
        total = 0
    if not sys.stderr.isatty():
        # A log or a pipe gets a line per batch, at most one a second, instead of a bar.
        yield _progress_lines(path.name, total)
        return
    with click.progressbar(
        length=max(total, 1), label=f"Importing {path.name}", file=sys.stderr
    ) as bar:
        done = 0

        def advance(rows: int) -> None:
            nonlocal done
            bar.update(rows - done)
            done = rows

        yield advance


def _progress_lines(name: str, total: int) -> Callable[[int], None]:
    last = 0.0

    def advance(rows: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 1 or rows == total:
            last = now
            click.echo(f"{name}: {rows} of {total} rows read", err=True)

    return advance


@vendors_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: any rejected row and nothing is written; skip: write the valid rows.",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option(
    "--background",
    is_flag=True,
    help="Run it as a job on the queue (a `flask jobs worker` runs it); follow its progress.",
)
@needs_schema
def vendors_import(
    file: Path, dry_run: bool, on_error: str, progress: bool, background: bool
) -> None:
    """Import a vendor catalog (.csv, .json, .jsonl, .xlsx); print the report as JSON."""
    if background:
        job = job_commands.submit_file(file, dry_run=dry_run, on_error=on_error)
        job_commands.end_with(job_commands.follow_job(job))
        return
    report = run_import(file, dry_run=dry_run, on_error=on_error, show_progress=progress)
    click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    if not report.applied or report.rejected:
        sys.exit(1)


@vendors_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@needs_schema
def vendors_export(file: Path) -> None:
    """Export the catalog to a file (.csv, .json or .jsonl, from the suffix)."""
    try:
        count = write_export(catalog.iter_records(db.session()), file)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"Exported {count} vendors to {file}.")


@vendors_cli.command("generate")
@click.argument("count", type=click.IntRange(min=1))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True)
def vendors_generate(count: int, file: Path, seed: int) -> None:
    """Write a synthetic catalog of COUNT fictional vendors (for benchmarks)."""
    try:
        written = write_export(generate_records(count, seed=seed), file)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"Wrote {written} synthetic vendors to {file}.")


@keys_cli.command("create")
@click.option("--role", type=ROLE, required=True, help="What the key may do.")
@click.option("--name", help="Who or what the key is for.")
@needs_schema
def keys_create(role: str, name: str | None) -> None:
    """Create an API key; it is printed once, alone on the last line."""
    key, secret = create_key(db.session(), role, name)
    db.session().commit()
    click.echo(f"Created {role} key {key.key_id}" + (f" for {name}" if name else "") + ":")
    click.echo(secret)


@keys_cli.command("revoke")
@click.argument("key_id")
@needs_schema
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id (the part after vmk_)."""
    if not revoke_key(db.session(), key_id):
        raise click.ClickException(f"no key has the id {key_id!r}")
    db.session().commit()
    click.echo(f"Revoked key {key_id}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE, required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@needs_schema
def users_create(email: str, role: str, password: str) -> None:
    """Create a web user."""
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    try:
        user = create_user(db.session(), email, role, password)
    except UserExists as error:
        raise click.ClickException(str(error)) from None
    db.session().commit()
    click.echo(f"Created {role} user {user.email}.")


@users_cli.command("password")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@needs_schema
def users_password(email: str, password: str) -> None:
    """Set a web user's password; their open sessions end."""
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    if set_password(db.session(), email, password) is None:
        raise click.ClickException(f"no user has the email {email.strip().lower()!r}")
    db.session().commit()
    click.echo(f"Password changed for {email.strip().lower()}.")


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


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(db_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(vendors_cli)
    app.cli.add_command(demo)
    job_commands.init_app(app)
