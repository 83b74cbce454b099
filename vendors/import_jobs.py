"""Import jobs as the database keeps them: created when asked for, closed when they end."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendors.audit import Actor
from vendors.models import Job

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)


class JobNotFound(LookupError):
    """No job has this id."""

    def __init__(self, job_id: str):
        super().__init__(job_id)
        self.job_id = job_id


class JobNotRetryable(ValueError):
    """Only a failed job can be run again."""


def new_job_id() -> str:
    """Return a fresh, unguessable job id."""
    return secrets.token_hex(12)


def create_job(
    session: Session,
    *,
    job_id: str,
    filename: str,
    stored_as: str,
    options: dict[str, Any],
    actor: Actor,
) -> Job:
    """Record a queued import."""
    job = Job(
        id=job_id,
        kind="import",
        state=QUEUED,
        filename=filename,
        stored_as=stored_as,
        options=options,
        actor=actor.name,
        request_id=actor.request_id if actor.request_id != "-" else None,
        rows_done=0,
        attempts=0,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> Job:
    """Return the job with this id or raise JobNotFound."""
    job = session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None:
        raise JobNotFound(job_id)
    return job


def finish_job(
    session: Session, job: Job, state: str, *, report: dict[str, Any] | None, error: str | None
) -> None:
    """Close a job as done or failed."""
    job.state = state
    job.report = report
    job.error = error
    if report is not None:
        job.rows_done = sum(report[key] for key in ("created", "updated", "unchanged", "rejected"))
    job.finished_at = datetime.now(UTC)
    session.flush()


def describe_job(job: Job) -> dict[str, Any]:
    """Return a job as plain values: state, progress, and its report or error once it ends."""
    data: dict[str, Any] = {
        "id": job.id,
        "state": job.state,
        "filename": job.filename,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }
    if job.report is not None:
        data["report"] = job.report
    if job.error:
        data["error"] = job.error
    return data


def count_by_state(session: Session) -> dict[str, int]:
    """Return how many jobs are in each state."""
    counts = dict.fromkeys(STATES, 0)
    for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state)):
        counts[state] = count
    return counts
