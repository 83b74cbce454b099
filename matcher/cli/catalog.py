"""Catalogs on the command line: import a file (with progress), export, generate one."""

from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from flask.cli import AppGroup

from matcher import db
from matcher.cli import jobs as import_jobs
from matcher.schema_check import needs_schema
from matcher.services import catalog as changing
from vendors import catalog
from vendors.audit import Actor
from vendors.catalog import CatalogBusy
from vendors.importing import ImportReport
from vendors.readers import CatalogFileError, count_rows, format_of
from vendors.synthetic import generate_records
from vendors.writers import write_export

vendors_cli = AppGroup("vendors", help="Import, export and generate vendor catalogs.")


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
        job = import_jobs.submit_file(file, dry_run=dry_run, on_error=on_error)
        import_jobs.end_with(import_jobs.follow_job(job))
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
