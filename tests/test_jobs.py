"""Background imports: a real worker process runs them; killed halfway, the catalog is unchanged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from matcher import create_app, db
from matcher.import_queue import queue
from tests.conftest import require_redis
from vendors.audit import Actor
from vendors.import_jobs import DONE, FAILED, QUEUED, RUNNING, get_job
from vendors.models import Job, Vendor
from vendors.synthetic import generate_records
from vendors.writers import write_export

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def settings(request: pytest.FixtureRequest, database: str, tmp_path: Path) -> dict[str, Any]:
    """The settings of a service whose queue is a SQLite file, or Redis."""
    values: dict[str, Any] = {
        "DATABASE_URL": database,
        "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "JOB_STALE_SECONDS": 3,
        "IMPORT_BATCH_SIZE": 250,
        "REDIS_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
    }
    # The SQLite queue's runs say "no Redis" outright, whatever the shell exports.
    values["REDIS_URL"] = require_redis() if request.param == "redis-queue" else ""
    return values


@pytest.fixture
def service(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app({"TESTING": True, **settings})
    yield app
    app.extensions["engine"].dispose()


class Worker:
    """`flask jobs worker` in a process of its own, configured like the service."""

    def __init__(self, settings: dict[str, Any]):
        names = {
            "DATABASE_URL": "DATABASE_URL",
            "JOBS_DATABASE": "MATCHER_JOBS_DATABASE",
            "UPLOAD_FOLDER": "MATCHER_UPLOAD_DIR",
            "IMPORT_BATCH_SIZE": "MATCHER_IMPORT_BATCH_SIZE",
            "REDIS_PREFIX": "MATCHER_REDIS_PREFIX",
            "REDIS_URL": "REDIS_URL",
        }
        env = {**os.environ, **{names[k]: str(v) for k, v in settings.items() if k in names}}
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def submit(app: Flask, path: Path) -> str:
    with app.app_context():
        writer = lambda target: target.write_bytes(path.read_bytes())  # noqa: E731
        job = queue().submit(writer, path.name, {"on_error": "fail"}, Actor("test"))
        return job.id


def observe(app: Flask, job_id: str) -> Job:
    with app.app_context():
        job = queue().observe(get_job(db.session(), job_id))
        db.session().expunge(job)
        return job


def wait_for(app: Flask, job_id: str, states: tuple[str, ...], timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = observe(app, job_id)
        if job.state in states:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {states}; it is {job.state}")


def catalog_size(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Vendor)) or 0


def catalog_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "catalog.jsonl"
    write_export(generate_records(rows, seed=5), path)
    return path


@pytest.mark.slow
def test_a_worker_runs_a_queued_import_and_reports_progress_and_the_report(
    service: Flask, settings: dict[str, Any], tmp_path: Path
) -> None:
    job_id = submit(service, catalog_file(tmp_path, 3_000))
    assert observe(service, job_id).state == QUEUED  # nothing runs it yet

    worker = Worker(settings)
    try:
        job = wait_for(service, job_id, (DONE, FAILED))
    finally:
        worker.stop()

    assert job.state == DONE
    assert job.rows_total == 3_000
    assert job.rows_done == 3_000
    assert job.report is not None
    assert job.report["created"] == 3_000
    assert job.report["applied"] is True
    assert catalog_size(service) == 3_000
    assert not list((tmp_path / "uploads").iterdir())  # the upload is gone once applied


@pytest.mark.slow
def test_a_job_killed_halfway_leaves_the_catalog_as_it_was_is_failed_and_reruns(
    service: Flask, settings: dict[str, Any], tmp_path: Path
) -> None:
    job_id = submit(service, catalog_file(tmp_path, 40_000))
    worker = Worker(settings)
    running = wait_for(service, job_id, (RUNNING,))
    deadline = time.monotonic() + 60
    while observe(service, job_id).rows_done == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    halfway = observe(service, job_id)
    worker.kill()

    assert running.rows_total == 40_000
    assert 0 < halfway.rows_done < 40_000
    failed = wait_for(service, job_id, (FAILED,), timeout=30)  # no heartbeat for 3 s
    assert failed.error is not None
    assert "nothing was written" in failed.error
    assert catalog_size(service) == 0

    with service.app_context():
        queue().retry(get_job(db.session(), job_id))
    worker = Worker(settings)
    try:
        done = wait_for(service, job_id, (DONE, FAILED), timeout=120)
    finally:
        worker.stop()
    assert done.state == DONE
    assert catalog_size(service) == 40_000


@pytest.mark.slow
def test_the_command_line_queues_an_import_and_follows_it_to_the_report(
    service: Flask, settings: dict[str, Any], tmp_path: Path
) -> None:
    worker = Worker(settings)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "vendors",
                "import",
                "--background",
                str(catalog_file(tmp_path, 2_000)),
            ],
            cwd=ROOT,
            env=worker.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        worker.stop()

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["state"] == DONE
    assert shown["report"]["created"] == 2_000
    assert "queued" in result.stderr
    assert catalog_size(service) == 2_000
