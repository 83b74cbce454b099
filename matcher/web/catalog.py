"""The catalog pages: browse and search the vendors, read one, import a file in two steps."""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry
from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from matcher import db
from matcher.auth import PERMISSIONS, current_actor, signed_in_user
from matcher.edge.errors import HttpError
from matcher.edge.queries import SORTS, ImportQuery, ListQuery
from matcher.import_queue import queue
from matcher.services import catalog as changing
from matcher.web import bp
from vendors import catalog, outcomes
from vendors.audit import list_entries
from vendors.import_jobs import DONE, get_job
from vendors.importing import ImportReport, OnError
from vendors.readers import FORMATS, CatalogFileError, format_of, read_rows

log = logging.getLogger(__name__)
LIST_QUERY, IMPORT_QUERY = ListQuery(), ImportQuery()
SORT_LABELS = {
    "id": "Id",
    "-id": "Id, descending",
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "rating": "Rating, lowest first",
    "-rating": "Rating, highest first",
    "updated": "Least recently changed",
    "-updated": "Most recently changed",
}
PAGE_SIZES = (10, 25, 50, 100, 200)
RECENT_CHANGES = 10
ON_ERROR_MODES: tuple[OnError, ...] = ("fail", "skip")
# secrets.token_urlsafe(24): 32 characters of the URL-safe alphabet, nothing else.
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}\Z")
UPLOAD_LIFETIME_SECONDS = 24 * 3600
JOB_REFRESH_SECONDS = 2
GONE = "No checked upload waits under this address: it was applied, cancelled or expired."


@bp.get("/vendors")
def vendors() -> ResponseReturnValue:
    """Browse the catalog: filter, sort and page through the vendors."""
    given = {name: value for name in LIST_QUERY.fields if (value := request.args.get(name, ""))}
    try:
        args = LIST_QUERY.load({name: value for name, value in given.items() if value.strip()})
    except ValidationError as error:
        errors = _messages(error)
        html = render_template("web/vendors.html", page=None, errors=errors, **_listing(given))
        return html, 422
    config = current_app.config
    per_page = min(args["per_page"] or config["PAGE_SIZE"], config["MAX_PAGE_SIZE"])
    where = catalog.VendorFilter(args["tag"], args["country"], args["service"], args["q"])
    page = catalog.list_vendors(
        db.session(), where, page=args["page"], per_page=per_page, sort=args["sort"]
    )
    filtered = any(args[name] for name in ("tag", "country", "service", "q"))
    return render_template(
        "web/vendors.html",
        page=page,
        errors={},
        filtered=filtered,
        **_listing(given, sort=args["sort"], per_page=per_page),
    )


def _listing(given: dict[str, str], *, sort: str = "id", per_page: int = 0) -> dict[str, Any]:
    """Return what the listing's form and links need: the values given and the choices."""

    def link(**changes: Any) -> str:
        values = {**given, **changes}
        return url_for("web.vendors", **{k: v for k, v in values.items() if v is not None})

    largest = current_app.config["MAX_PAGE_SIZE"]
    sizes = sorted({*PAGE_SIZES, per_page or current_app.config["PAGE_SIZE"]})
    return {
        "given": given,
        "link": link,
        "sort": sort,
        "sorts": [(key, SORT_LABELS.get(key, key)) for key in sorted(SORTS, key=_sort_order)],
        "per_page": per_page or current_app.config["PAGE_SIZE"],
        "page_sizes": [size for size in sizes if size <= largest],
        **HELPERS,
    }


def _sort_order(key: str) -> tuple[int, str]:
    # Each key next to its reverse, in the order of the labels; a key without one goes last.
    order = list(SORT_LABELS)
    return (order.index(key) if key in order else len(order), key)


def _messages(error: ValidationError) -> dict[str, str]:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return {
        name: " ".join(
            _sentence(str(one)) for one in (found if isinstance(found, list) else [found])
        )
        for name, found in messages.items()
    }


@bp.get("/vendors/<vendor_id>")
def vendor(vendor_id: str) -> ResponseReturnValue:
    """Show one vendor's whole record and, to those who may read it, its audit trail."""
    session = db.session()
    found = catalog.get_vendor(session, vendor_id)
    user = signed_in_user()
    trail: tuple[list[Any], int] | None = None
    if user is not None and user.role in PERMISSIONS["api.audit.list_audit"]:
        trail = list_entries(session, vendor_id=found.id, page=1, per_page=RECENT_CHANGES)
    history = outcomes.list_outcomes(session, vendor_id=found.id)
    verified = outcomes.verified_of(session, found.id)
    return render_template(
        "web/vendor.html",
        vendor=found,
        trail=trail,
        outcomes=history,
        verified=verified,
        **HELPERS,
    )


@bp.before_app_request
def _allow_catalog_uploads() -> None:
    # The form's CSRF check reads the body before any view runs, so a catalog upload gets the
    # import limit here, as the API's import does, instead of the limit of a JSON body.
    if request.endpoint != "web.import_upload":
        return
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if (request.content_length or 0) > limit:
        raise HttpError(413, f"The file is larger than the {_size(limit)} a catalog may be.")
    request.max_content_length = limit


@bp.get("/vendors/import", endpoint="import_catalog")
def import_form() -> ResponseReturnValue:
    """Show the form to upload a catalog file."""
    return _upload_form({}, "fail", status=200)


def _upload_form(errors: dict[str, str], on_error: str, *, status: int) -> ResponseReturnValue:
    limit = _size(current_app.config["MAX_IMPORT_BYTES"])
    html = render_template("web/import.html", errors=errors, on_error=on_error, limit=limit)
    return html, status


@bp.post("/vendors/import", endpoint="import_upload")
def upload_catalog() -> ResponseReturnValue:
    """Keep an uploaded catalog file and show what importing it would do, changing nothing."""
    chosen = request.form.get("on_error", "fail")
    try:
        on_error = _mode(IMPORT_QUERY.load({"on_error": chosen})["on_error"])
    except ValidationError as error:
        return _upload_form(_messages(error), chosen, status=422)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_form({"file": "Choose a catalog file to upload."}, on_error, status=422)
    try:
        fmt = format_of(upload.filename)
    except CatalogFileError as error:
        return _upload_form({"file": _sentence(error.message)}, on_error, status=422)
    token, path = _store(upload, fmt, on_error)
    report = _run_import(path, fmt, on_error, dry_run=True)
    whole_file = next((error for error in report.errors if error.row is None), None)
    if whole_file is not None:
        path.unlink()
        return _upload_form({"file": _sentence(whole_file.message)}, on_error, status=422)
    ids = _row_ids(path, fmt, report)
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
    stored = _claim(token)
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
    ids = _row_ids(stored.path, stored.fmt, report)
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


def _mode(value: str) -> OnError:
    return "skip" if value == "skip" else "fail"


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An upload taken for applying: where it lies now, where it waited, how to apply it."""

    path: Path
    waiting: Path
    fmt: str
    on_error: OnError

    def release(self) -> None:
        """Put the upload back, so it can be confirmed again."""
        with suppress(FileNotFoundError):
            self.path.rename(self.waiting)


def _uploads() -> Path:
    folder = Path(
        current_app.config["UPLOAD_FOLDER"] or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _store(upload: FileStorage, fmt: str, on_error: OnError) -> tuple[str, Path]:
    """Keep an upload under a new random token, forgetting those older than a day."""
    folder = _uploads()
    oldest = time.time() - UPLOAD_LIFETIME_SECONDS
    for old in folder.iterdir():
        with suppress(FileNotFoundError):
            if old.stat().st_mtime < oldest:
                old.unlink()
    token = secrets.token_urlsafe(24)
    # The name is ours alone: the user's file name never becomes part of a path.
    path = folder / f"{token}.{on_error}.{fmt}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        upload.save(handle)
    return token, path


def _claim(token: str) -> StoredUpload:
    """Take the upload of a token for applying, so a second confirmation finds none; or 404."""
    if not TOKEN.match(token):
        raise HttpError(404, GONE)
    folder = _uploads()
    for on_error in ON_ERROR_MODES:
        for fmt in FORMATS:
            waiting = folder / f"{token}.{on_error}.{fmt}"
            taken = folder / f"{token}.{on_error}.{fmt}.applying"
            # A rename is atomic: of two confirmations at once, only one finds the file.
            with suppress(FileNotFoundError):
                waiting.rename(taken)
                os.utime(taken)
                return StoredUpload(taken, waiting, fmt, on_error)
    raise HttpError(404, GONE)


def _row_ids(path: Path, fmt: str, report: ImportReport) -> dict[int, str]:
    """Return the ids the rejected rows give, so the report can name the vendors."""
    wanted = {error.row for error in report.errors if error.row is not None}
    ids: dict[int, str] = {}
    if not wanted:
        return ids
    last = max(wanted)
    with suppress(CatalogFileError):
        for row in read_rows(path, fmt):
            if row.number > last:
                break
            if row.number in wanted and row.data is not None and row.data.get("id") is not None:
                ids[row.number] = str(row.data["id"])[:80]
    return ids


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _size(limit: int) -> str:
    return f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 2**10:.3g} KB"


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """Return a country's English name from its ISO 3166 code (the code if unknown)."""
    found = pycountry.countries.get(alpha_2=code)
    return str(getattr(found, "common_name", None) or found.name) if found else code


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    """Return a language's English name from its ISO 639 code (the code if unknown)."""
    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    return str(found.name) if found else code


def amount(value: float) -> str:
    """Return a rate for reading: 9 or 12.50."""
    return f"{value:,.2f}".removesuffix(".00")


@bp.app_template_global()
def rate_range(low: float | None, high: float | None, currency: str) -> str | None:
    """Return a vendor's hourly rate band in words, or None when it is unknown."""
    if low is not None and high is not None:
        band = amount(low) if low == high else f"{amount(low)}–{amount(high)}"
    elif low is not None:
        band = f"from {amount(low)}"
    elif high is not None:
        band = f"up to {amount(high)}"
    else:
        return None
    return f"{band} {currency}/h"


def website_link(text: str) -> str | None:
    """Return the address a website field may link to: http(s) only, never a script."""
    if "://" not in text and (":" in text or "." not in text.split("/")[0]):
        return None  # not a bare host name such as www.example.com: perhaps "mailto:"
    address = text if "://" in text else f"https://{text}"
    parts = urlsplit(address)
    plain = parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", text)
    return address if plain else None


def shown(value: Any) -> str:
    """Return an audited value briefly: lists joined, long text cut."""
    if value is None:
        return "(none)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


HELPERS = {
    "country_name": country_name,
    "language_name": language_name,
    "amount": amount,
    "rate_range": rate_range,
    "website_link": website_link,
    "shown": shown,
}
