"""Every error the service answers with, in one JSON shape."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from matcher.matching import CatalogChurning
from vendors.catalog import CatalogBusy, StaleVersion, VendorExists, VendorNotFound
from vendors.prospects import ProspectNameTaken, ProspectNotFound

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


def _from_validation(error: ValidationError) -> Response:
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return error_response(422, "The request is not valid.", messages)


def _from_http(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, error.description or error.name)
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _from_conflict(error: Exception) -> Response:
    # Two writers raced for the same vendor; the loser learns it and can retry.
    log.info("write conflict: %s", type(error).__name__)
    return error_response(409, "The vendor was changed at the same time; reload it and retry.")


def _from_database(error: OperationalError) -> Response:
    if "database is locked" in str(error.orig):
        response = error_response(
            503, "The catalog is busy with another write (an import?); retry shortly."
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _from_unexpected(error)


def _from_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "Something went wrong on our side; the request was not applied.")


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into the JSON error shape."""
    app.register_error_handler(ValidationError, _from_validation)
    app.register_error_handler(HttpError, lambda e: error_response(e.status, e.message, e.errors))
    app.register_error_handler(
        VendorNotFound, lambda e: error_response(404, f"No vendor has the id {e.vendor_id!r}.")
    )
    app.register_error_handler(
        VendorExists, lambda e: error_response(409, f"A vendor with id {e.vendor_id!r} exists.")
    )
    app.register_error_handler(StaleVersion, lambda e: error_response(409, str(e)))
    app.register_error_handler(
        CatalogBusy,
        lambda e: error_response(409, "Another import is being applied; retry when it is done."),
    )
    app.register_error_handler(
        ProspectNotFound,
        lambda e: error_response(404, f"No prospect has the id {e.prospect_id}."),
    )
    app.register_error_handler(
        ProspectNameTaken,
        lambda e: error_response(409, f"A prospect named {e.name!r} exists."),
    )
    app.register_error_handler(
        CatalogChurning, lambda e: error_response(503, "The catalog is changing; retry shortly.")
    )
    app.register_error_handler(StaleDataError, _from_conflict)
    app.register_error_handler(IntegrityError, _from_conflict)
    app.register_error_handler(OperationalError, _from_database)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _from_unexpected)
