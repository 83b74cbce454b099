"""Background import jobs: their state, progress and report; a failed one runs again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from marshmallow import Schema, fields

from matcher import db
from matcher.api.schemas import ImportReport
from matcher.import_queue import queue
from vendors.import_jobs import STATES, describe_job, get_job
from vendors.models import Job

bp = Blueprint("jobs", __name__)


class JobOut(Schema):
    """A background import: where it is, and at the end its report."""

    id = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    url = fields.String(required=True)
    filename = fields.String(required=True)
    rows_done = fields.Integer(required=True)
    rows_total = fields.Integer(
        required=True, allow_none=True, metadata={"description": "known once the job runs"}
    )
    report = fields.Nested(ImportReport, metadata={"description": "once the job is done"})
    error = fields.String(metadata={"description": "why the job failed"})
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)


class JobLink(Schema):
    """A job just queued."""

    id = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    url = fields.String(required=True)


class JobAccepted(Schema):
    """The answer to a background upload."""

    job = fields.Nested(JobLink, required=True)


JOB_OUT, JOB_ACCEPTED = JobOut(), JobAccepted()


def job_data(job: Job) -> dict[str, Any]:
    """Return a job in the contract's shape, with what it adds."""
    return {**describe_job(job), "url": url_for("api.jobs.get_job_state", job_id=job.id)}


def accepted(job: Job) -> Response:
    """Answer 202 with the job just queued and where to follow it."""
    url = url_for("api.jobs.get_job_state", job_id=job.id)
    response = jsonify(JOB_ACCEPTED.dump({"job": {"id": job.id, "state": job.state, "url": url}}))
    response.status_code = 202
    response.headers["Location"] = url
    return response


@bp.get("/jobs/<job_id>")
def get_job_state(job_id: str) -> Response:
    """A job's state and progress (rows done of rows total), and its report once done."""
    job = queue().observe(get_job(db.session(), job_id))
    return jsonify(JOB_OUT.dump(job_data(job)))


@bp.post("/jobs/<job_id>/retry")
def retry_job(job_id: str) -> Response:
    """Run a failed job again on the file it was given."""
    job = queue().retry(get_job(db.session(), job_id))
    response = jsonify(JOB_OUT.dump(job_data(job)))
    response.status_code = 202
    return response
