"""Every error the service answers with, in one JSON shape."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from matcher.limits import RateLimited
from matcher.matching import CatalogChurning
from vendors.catalog import CatalogBusy, StaleVersion, VendorExists, VendorNotFound
from vendors.import_jobs import JobNotFound, JobNotRetryable
from vendors.outcomes import OutcomeConflict, OutcomeNotFound, OutcomeRefused
from vendors.prospects import ProspectNameTaken, ProspectNotFound
from vendors.searches import SearchNotFound

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class HttpError(Exception):
    """A request the edge refuses, with the HTTP status and field-level detail to say why."""

    def __init__(self, status: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


def error_response(status: int, message: str, errors: dict[str, Any] | None = None) -> Response:
    """Build the one error body: status, message and field-level errors."""
    response = jsonify({"status": status, "message": message, "errors": errors or {}})
    response.status_code = status
    return response


@dataclass(frozen=True, slots=True)
class Problem:
    """What went wrong, as the client is told it: the same for the API and the web pages."""

    status: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


BUSY = {"Retry-After": str(RETRY_AFTER_SECONDS)}
UNAVAILABLE = "The database cannot be reached just now; nothing was applied. Retry shortly."


def explain(error: Exception) -> Problem:
    """Say what an error means to the client; log what only the operators should see."""
    match error:
        case ValidationError():
            messages = error.messages
            detail = messages if isinstance(messages, dict) else {"_schema": messages}
            return Problem(422, "The request is not valid.", detail)
        case HttpError():
            return Problem(error.status, error.message, error.errors)
        case VendorNotFound():
            return Problem(404, f"No vendor has the id {error.vendor_id!r}.")
        case VendorExists():
            return Problem(409, f"A vendor with id {error.vendor_id!r} exists.")
        case StaleVersion():
            return Problem(409, str(error))
        case CatalogBusy():
            return Problem(409, "Another import is being applied; retry when it is done.")
        case ProspectNotFound():
            return Problem(404, f"No prospect has the id {error.prospect_id}.")
        case OutcomeRefused():
            return Problem(422, "The outcome cannot be recorded.", {error.field: [error.message]})
        case OutcomeConflict():
            return Problem(409, str(error))
        case SearchNotFound():
            return Problem(404, f"No search has the id {error.search_id!r}.")
        case OutcomeNotFound():
            return Problem(404, f"No outcome has the id {error.outcome_id}.")
        case ProspectNameTaken():
            return Problem(409, f"A prospect named {error.name!r} exists.")
        case JobNotFound():
            return Problem(404, f"No job has the id {error.job_id!r}.")
        case JobNotRetryable():
            return Problem(409, f"The job cannot run again: {error}.")
        case RateLimited():
            message = (
                f"Too many requests from this {error.who} (at most {error.limit}); "
                f"retry in {error.retry_after} s."
            )
            return Problem(429, message, headers={"Retry-After": str(error.retry_after)})
        case CatalogChurning():
            return Problem(503, "The catalog is changing; retry shortly.", headers=BUSY)
        case StaleDataError() | IntegrityError():
            # Two writers raced for the same record; the loser learns it and can retry.
            log.info("write conflict: %s", type(error).__name__)
            return Problem(409, "The record was changed at the same time; reload it and retry.")
        case OperationalError() if "database is locked" in str(error.orig):
            message = "The catalog is busy with another write (an import?); retry shortly."
            return Problem(503, message, headers=BUSY)
        case DBAPIError() if error.connection_invalidated or isinstance(
            error, OperationalError | InterfaceError
        ):
            # The database went away (a restart, a failover, the network): nothing was applied.
            log.warning("database unavailable: %s", type(error.orig).__name__)
            return Problem(503, UNAVAILABLE, headers=BUSY)
        case DisconnectionError() | PoolTimeout() | PendingRollbackError():
            log.warning("database unavailable: %s", type(error).__name__)
            return Problem(503, UNAVAILABLE, headers=BUSY)
        case CSRFError():
            message = "The form expired or came from another site; reload the page and retry."
            return Problem(400, message)
        case HTTPException():
            allowed = getattr(error, "valid_methods", None)
            headers = {"Allow": ", ".join(allowed)} if error.code == 405 and allowed else {}
            return Problem(error.code or 500, error.description or error.name, headers=headers)
    log.exception("unhandled error", exc_info=error)
    return Problem(500, "Something went wrong on our side; the request was not applied.")


def _wants_page() -> bool:
    # A page for the pages, and for a browser lost on an unknown address; JSON for the rest.
    if request.blueprint is not None:
        return request.blueprint == "web"
    accepted = request.accept_mimetypes
    return request.endpoint is None and accepted.quality("text/html") > accepted.quality(
        "application/json"
    )


def _answer(error: Exception) -> Response:
    problem = explain(error)
    page = current_app.extensions.get("error_page")
    if page is not None and _wants_page():
        response: Response = page(problem)
    else:
        response = error_response(problem.status, problem.message, problem.errors)
    response.headers.update(problem.headers)
    return response


def init_app(app: Flask) -> None:
    """Answer every error in the one shape: JSON for the API, a page for the web."""
    app.register_error_handler(Exception, _answer)
