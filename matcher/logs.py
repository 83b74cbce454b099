"""Logs: one line per event with the request id, as text or as JSON; one line per request."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
access_log = logging.getLogger("matcher.access")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON: time, level, logger, request id, message, extras."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Stamped on every record by the record factory of matcher.hardening.
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start_clock() -> None:
    g.started = time.perf_counter()


def _log_request(response: Response) -> Response:
    # The path only: a query string may carry free text (a search), which stays out of logs.
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    fields = {
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "ms": round(elapsed * 1000, 1),
    }
    access_log.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        fields["ms"],
        extra={"fields": fields},
    )
    return response


def init_app(app: Flask) -> None:
    """Send the service's logs to stderr as text or JSON (MATCHER_LOG_FORMAT), with request ids."""
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    # The app's logger is "matcher": it and "vendors" cover every module of the service.
    for logger in (app.logger, logging.getLogger("vendors"), logging.getLogger("huey")):
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
    access_log.disabled = not app.config["ACCESS_LOG"]
    app.before_request(_start_clock)
    app.after_request(_log_request)
