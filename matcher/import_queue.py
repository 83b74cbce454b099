"""Background catalog imports on a Huey job queue.

The queue lives in a SQLite file of the instance by default (no server needed), or in Redis
when REDIS_URL is set, so workers on several machines share it. Workers are separate processes:
`flask --app wsgi jobs worker`. While a job runs, its progress (rows done, a heartbeat) is kept
in the queue's store, which every web worker reads; the database keeps the job's request and
its end. A job whose heartbeat stops (its worker was killed) is reported failed; its import ran
in one transaction, so the catalog is as it was, and the job can be run again.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.exceptions import RetryTask

from matcher import db
from matcher.services import catalog as changing
from vendors.audit import Actor
from vendors.catalog import CatalogBusy
from vendors.import_jobs import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    JobNotRetryable,
    create_job,
    finish_job,
    get_job,
    new_job_id,
)
from vendors.models import Job
from vendors.readers import count_rows, format_of

log = logging.getLogger(__name__)
# While another import holds the catalog, a job waits and tries again this often.
BUSY_RETRY_SECONDS = 5
BUSY_RETRIES = 720


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a running job has got, as its worker last said."""

    rows_done: int
    rows_total: int | None
    beat: float


class JobQueue:
    """The app's job queue: submit imports, read their progress, run them in a worker."""

    def __init__(self, app: Flask, huey: Huey):
        self.app = app
        self.huey = huey
        self.uploads = Path(app.config["UPLOAD_FOLDER"] or Path(app.instance_path) / "uploads")
        self.stale_after = float(app.config["JOB_STALE_SECONDS"])
        self._task = huey.task(
            retries=BUSY_RETRIES, retry_delay=BUSY_RETRY_SECONDS, name="import_catalog"
        )(self._run)

    # -- the web side ------------------------------------------------------------------------

    def submit(
        self,
        source: Callable[[Path], object],
        filename: str,
        options: dict[str, Any],
        actor: Actor,
    ) -> Job:
        """Keep an upload (written by `source` to the path given) and queue its import."""
        job_id = new_job_id()
        self.uploads.mkdir(parents=True, exist_ok=True)
        stored_as = f"job-{job_id}{Path(filename).suffix.lower()}"
        source(self.uploads / stored_as)
        session = db.session()
        job = create_job(
            session,
            job_id=job_id,
            filename=filename,
            stored_as=stored_as,
            options=options,
            actor=actor,
        )
        session.commit()
        self._task(job_id)
        return job

    def retry(self, job: Job) -> Job:
        """Queue a failed job again, on the file it was given."""
        if job.state != FAILED:
            raise JobNotRetryable(f"the job is {job.state}; only a failed job runs again")
        if not (self.uploads / job.stored_as).exists():
            raise JobNotRetryable("the job's file is gone; upload it again")
        job.state, job.error, job.finished_at, job.rows_done = QUEUED, None, None, 0
        db.session().commit()
        self.huey.delete(self._key(job.id))
        self._task(job.id)
        return job

    def progress(self, job_id: str) -> Progress | None:
        """Return what the job's worker last said about it, if anything."""
        found: dict[str, Any] | None = self.huey.get(self._key(job_id), peek=True)
        return Progress(**found) if found else None

    def observe(self, job: Job) -> Job:
        """Bring a job up to date: its live progress, or failed if its worker has gone."""
        if job.state != RUNNING:
            return job
        live = self.progress(job.id)
        if live is None:
            # The worker removes its progress only after it has recorded the end: read the
            # job again, in a new transaction, before thinking anything is wrong.
            session = db.session()
            session.rollback()
            job = get_job(session, job.id)
            if job.state != RUNNING:
                return job
            live = self.progress(job.id)
        if live is not None:
            job.rows_done, job.rows_total = live.rows_done, live.rows_total
        # A running job always has a heartbeat (the worker writes one before it says running);
        # none at all means its store was lost with the worker.
        last_sign = live.beat if live is not None else 0.0
        if time.time() - last_sign > self.stale_after:
            session = db.session()
            message = (
                "The import stopped before it finished (its worker stopped); nothing was "
                "written. Run it again."
            )
            finish_job(session, job, FAILED, report=None, error=message)
            session.commit()
            log.warning("job %s: no heartbeat for %.0f s; marked failed", job.id, self.stale_after)
        return job

    # -- the worker side ---------------------------------------------------------------------

    def _key(self, job_id: str) -> str:
        return f"job-progress:{job_id}"

    def _beat(self, job_id: str, rows_done: int, rows_total: int | None) -> None:
        state = {"rows_done": rows_done, "rows_total": rows_total, "beat": time.time()}
        self.huey.put(self._key(job_id), state)

    def _run(self, job_id: str) -> None:
        with self.app.app_context():
            try:
                self._import(job_id)
            finally:
                db.session().close()

    def _import(self, job_id: str) -> None:
        session = db.session()
        job = get_job(session, job_id)
        if job.state not in (QUEUED, RUNNING):
            return  # done or failed already: a duplicate delivery
        path = self.uploads / job.stored_as
        total = count_rows(path, format_of(job.filename))
        # The heartbeat first: a job that others see running always has one.
        self._beat(job_id, 0, total)
        job.state, job.rows_total, job.attempts = RUNNING, total, job.attempts + 1
        session.commit()
        options = job.options
        actor = Actor(job.actor, job.request_id or "-")
        try:
            report = changing.import_file(
                path,
                filename=job.filename,
                dry_run=bool(options.get("dry_run")),
                on_error=options.get("on_error", "fail"),
                progress=lambda rows: self._beat(job_id, rows, total),
                actor=actor,
            )
        except CatalogBusy:
            session.rollback()
            job = get_job(session, job_id)
            job.state = QUEUED
            session.commit()
            log.info("job %s: another import holds the catalog; waiting", job_id)
            raise RetryTask() from None
        except Exception:
            session.rollback()
            log.exception("job %s failed", job_id)
            job = get_job(session, job_id)
            message = "The import failed on our side; nothing was written. Run it again."
            finish_job(session, job, FAILED, report=None, error=message)
            session.commit()
            return
        job = get_job(session, job_id)
        finish_job(session, job, DONE, report=report.to_dict(), error=None)
        session.commit()
        path.unlink(missing_ok=True)
        self.huey.delete(self._key(job_id))
        log.info("job %s done: %s rows", job_id, job.rows_done)

    def run_worker(self, workers: int = 1) -> None:
        """Run a worker in this process until it is stopped (SIGINT: gracefully; SIGTERM: now)."""
        consumer = self.huey.create_consumer(workers=workers, worker_type="thread", periodic=False)
        consumer.run()


def make_huey(app: Flask) -> Huey:
    """Return the queue: in Redis when REDIS_URL is set, else in a SQLite file."""
    name = app.config["REDIS_PREFIX"] + "-jobs"
    if app.config["REDIS_URL"]:
        return RedisHuey(name=name, url=app.config["REDIS_URL"])
    filename = app.config["JOBS_DATABASE"] or str(Path(app.instance_path) / "jobs.sqlite3")
    return SqliteHuey(name=name, filename=filename)


def queue() -> JobQueue:
    """Return the app's job queue."""
    found: JobQueue = current_app.extensions["jobs"]
    return found


def save_upload(stream: Any) -> Callable[[Path], None]:
    """Return a writer that copies an uploaded file's stream to a path."""

    def write(path: Path) -> None:
        with path.open("wb") as target:
            shutil.copyfileobj(stream, target, 1024 * 1024)

    return write


def init_app(app: Flask) -> None:
    """Set up the app's job queue."""
    app.extensions["jobs"] = JobQueue(app, make_huey(app))
