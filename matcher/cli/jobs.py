"""Background imports on the command line: run a job worker, follow a job's progress."""

from __future__ import annotations

import getpass
import json
import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from matcher import db
from matcher.import_queue import queue
from matcher.schema_check import needs_schema
from vendors.audit import Actor
from vendors.import_jobs import DONE, FAILED, JobNotFound, describe_job, get_job
from vendors.models import Job

jobs_cli = AppGroup("jobs", help="Run background import workers and follow jobs.")
POLL_SECONDS = 0.5


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16))
@needs_schema
def jobs_worker(workers: int) -> None:
    """Run a job worker until stopped.

    Ctrl-C (SIGINT) lets a running import finish first; SIGTERM stops at once, and the import
    rolls back (its job is then reported failed and can run again).
    """
    click.echo(f"Job worker with {workers} thread(s); stop it with Ctrl-C.", err=True)
    queue().run_worker(workers)


@jobs_cli.command("show")
@click.argument("job_id")
@click.option("--follow/--no-follow", default=False, help="Show progress until the job ends.")
@needs_schema
def jobs_show(job_id: str, follow: bool) -> None:
    """Show a job: its state, progress and, at the end, its report."""
    try:
        job = get_job(db.session(), job_id)
    except JobNotFound:
        raise click.ClickException(f"no job has the id {job_id!r}") from None
    end_with(follow_job(job) if follow else queue().observe(job))


def submit_file(path: Path, *, dry_run: bool, on_error: str) -> Job:
    """Queue the import of a file as a background job."""

    def copy(target: Path) -> None:
        target.write_bytes(path.read_bytes())

    options = {"dry_run": dry_run, "on_error": on_error}
    return queue().submit(copy, path.name, options, Actor(f"cli:{getpass.getuser()}"))


def follow_job(job: Job) -> Job:
    """Show a job's progress on stderr until it is done or failed; return it then."""
    click.echo(f"Job {job.id} queued; waiting for a worker (flask jobs worker).", err=True)
    shown = -1
    while True:
        db.session().expire_all()
        job = queue().observe(get_job(db.session(), job.id))
        if job.state in (DONE, FAILED):
            return job
        if job.rows_done != shown and job.state == "running":
            shown = job.rows_done
            total = job.rows_total or 0
            share = f" ({100 * shown // total}%)" if total else ""
            click.echo(f"{job.filename}: {shown} of {total} rows{share}", err=True)
        time.sleep(POLL_SECONDS)


def end_with(job: Job) -> None:
    """Print a job as JSON; exit 1 unless it is done and its import applied."""
    click.echo(json.dumps(describe_job(job), indent=2, ensure_ascii=False, default=str))
    report = job.report or {}
    if job.state != DONE or not report.get("applied") or report.get("rejected"):
        sys.exit(1)
