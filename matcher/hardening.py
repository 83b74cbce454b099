"""Every response carries a request id and the security headers; every log line the request id."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

REQUEST_ID_HEADER = "X-Request-ID"
# A client's own request id is kept only if it is short and plain: it ends up in logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}\Z")
SECURITY_HEADERS = {
    # Scripts only from the service itself, never inline; no framing by other sites.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Sent to this site only: its forms check it over HTTPS; other sites learn nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def request_id() -> str:
    """Return the id of the current request (`-` outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
    identifier: str = g.request_id
    return identifier


def _stamp(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _with_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = request_id()
        return record

    make.adds_request_id = True  # type: ignore[attr-defined]
    return make


def init_app(app: Flask) -> None:
    """Stamp responses and log records with the request id; add the security headers."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Behind a proxy, the client's address and scheme come from its X-Forwarded-* headers;
        # without one, those headers are anyone's to forge and are ignored.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(_stamp)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "adds_request_id", False):
        logging.setLogRecordFactory(_with_request_id(factory))
