"""Uploads waiting for confirmation: stored under a random token for a day, claimed once."""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from matcher.edge.errors import HttpError
from matcher.edge.queries import ImportQuery, ListQuery
from vendors.importing import ImportReport, OnError
from vendors.readers import FORMATS, CatalogFileError, read_rows

log = logging.getLogger(__name__)
LIST_QUERY, IMPORT_QUERY = ListQuery(), ImportQuery()
ON_ERROR_MODES: tuple[OnError, ...] = ("fail", "skip")
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}\Z")

UPLOAD_LIFETIME_SECONDS = 24 * 3600

GONE = "No checked upload waits under this address: it was applied, cancelled or expired."


def error_mode(value: str) -> OnError:
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


def uploads_folder() -> Path:
    folder = Path(
        current_app.config["UPLOAD_FOLDER"] or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_upload(upload: FileStorage, fmt: str, on_error: OnError) -> tuple[str, Path]:
    """Keep an upload under a new random token, forgetting those older than a day."""
    folder = uploads_folder()
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


def claim_upload(token: str) -> StoredUpload:
    """Take the upload of a token for applying, so a second confirmation finds none; or 404."""
    if not TOKEN.match(token):
        raise HttpError(404, GONE)
    folder = uploads_folder()
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


def row_ids(path: Path, fmt: str, report: ImportReport) -> dict[int, str]:
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


def size_text(limit: int) -> str:
    return f"{limit / 2**20:.3g} MB" if limit >= 2**20 else f"{limit / 2**10:.3g} KB"
