"""Importing a catalog from the pages: upload, check, confirm, or follow a background job."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from matcher import db
from matcher.auth import current_actor
from matcher.edge.errors import HttpError
from matcher.edge.queries import ImportQuery, ListQuery
from matcher.import_queue import queue
from matcher.services import catalog as changing
from matcher.web import bp
from matcher.web.catalog import form_messages, sentence
from matcher.web.uploads import (
    claim_upload,
    error_mode,
    row_ids,
    size_text,
    store_upload,
)
from vendors.import_jobs import DONE, get_job
from vendors.importing import ImportReport, OnError
from vendors.readers import CatalogFileError, format_of

log = logging.getLogger(__name__)
LIST_QUERY, IMPORT_QUERY = ListQuery(), ImportQuery()
JOB_REFRESH_SECONDS = 2


@bp.before_app_request
def _allow_catalog_uploads() -> None:
    # The form's CSRF check reads the body before any view runs, so a catalog upload gets the
    # import limit here, as the API's import does, instead of the limit of a JSON body.
    if request.endpoint != "web.import_upload":
        return
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if (request.content_length or 0) > limit:
        raise HttpError(413, f"The file is larger than the {size_text(limit)} a catalog may be.")
    request.max_content_length = limit


@bp.get("/vendors/import", endpoint="import_catalog")
def import_form() -> ResponseReturnValue:
    """Show the form to upload a catalog file."""
    return _upload_form({}, "fail", status=200)


def _upload_form(errors: dict[str, str], on_error: str, *, status: int) -> ResponseReturnValue:
    limit = size_text(current_app.config["MAX_IMPORT_BYTES"])
    html = render_template("web/import.html", errors=errors, on_error=on_error, limit=limit)
    return html, status


@bp.post("/vendors/import", endpoint="import_upload")
def upload_catalog() -> ResponseReturnValue:
    """Keep an uploaded catalog file and show what importing it would do, changing nothing."""
    chosen = request.form.get("on_error", "fail")
    try:
        on_error = error_mode(IMPORT_QUERY.load({"on_error": chosen})["on_error"])
    except ValidationError as error:
        return _upload_form(form_messages(error), chosen, status=422)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_form({"file": "Choose a catalog file to upload."}, on_error, status=422)
    try:
        fmt = format_of(upload.filename)
    except CatalogFileError as error:
        return _upload_form({"file": sentence(error.message)}, on_error, status=422)
    token, path = store_upload(upload, fmt, on_error)
    report = _run_import(path, fmt, on_error, dry_run=True)
    whole_file = next((error for error in report.errors if error.row is None), None)
    if whole_file is not None:
        path.unlink()
        return _upload_form({"file": sentence(whole_file.message)}, on_error, status=422)
    ids = row_ids(path, fmt, report)
    if not report.applied:
        path.unlink()  # nothing in it could be applied: there is nothing to confirm
    return render_template(
        "web/import_report.html",
        report=report,
        ids=ids,
        token=token if report.applied else None,
        on_error=on_error,
        filename=upload.filename[:200],
    )


@bp.post("/vendors/import/<token>/confirm", endpoint="import_confirm")
def confirm_import(token: str) -> ResponseReturnValue:
    """Apply a checked upload to the catalog, forget the file and show what changed."""
    stored = claim_upload(token)
    if stored.path.stat().st_size >= current_app.config["BACKGROUND_IMPORT_BYTES"]:
        # A large file runs as a job on the queue; its page shows the progress.
        job = queue().submit(
            stored.path.rename,
            f"upload.{stored.fmt}",
            {"on_error": stored.on_error},
            current_actor(),
        )
        return redirect(url_for("web.import_job", job_id=job.id))
    try:
        report = _run_import(stored.path, stored.fmt, stored.on_error, dry_run=False)
    except BaseException:
        stored.release()  # busy or failed: the same confirmation may be sent again
        raise
    ids = row_ids(stored.path, stored.fmt, report)
    stored.path.unlink()
    log.info("catalog import %s: applied=%s", token[:6], report.applied)
    return render_template(
        "web/import_report.html",
        report=report,
        ids=ids,
        token=None,
        on_error=stored.on_error,
        filename=None,
    )


@bp.get("/vendors/import/jobs/<job_id>", endpoint="import_job")
def import_job(job_id: str) -> ResponseReturnValue:
    """A background import's progress (the page refreshes itself), then its report."""
    job = queue().observe(get_job(db.session(), job_id))
    if job.state == DONE and job.report is not None:
        # The report as the job kept it: the template reads a dict's keys as attributes.
        return render_template(
            "web/import_report.html", report=job.report, ids={}, token=None, filename=None
        )
    return render_template("web/import_job.html", job=job, refresh_seconds=JOB_REFRESH_SECONDS)


@bp.post("/vendors/import/jobs/<job_id>/retry", endpoint="import_job_retry")
def retry_import_job(job_id: str) -> ResponseReturnValue:
    """Run a failed background import again."""
    job = queue().retry(get_job(db.session(), job_id))
    return redirect(url_for("web.import_job", job_id=job.id))


def _run_import(path: Path, fmt: str, on_error: OnError, *, dry_run: bool) -> ImportReport:
    return changing.import_file(
        path,
        filename=f"upload.{fmt}",
        dry_run=dry_run,
        on_error=on_error,
        actor=current_actor(),
    )
