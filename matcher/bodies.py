"""Request bodies: the size limit holds however a body is sent, with a length or in chunks."""

from __future__ import annotations

from typing import IO, cast

from flask import Flask, Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream


class _AtMost(LimitedStream):
    """A body stream that refuses (413) a body longer than its limit instead of cutting it."""

    def __init__(self, stream: IO[bytes], limit: int):
        # One byte past the limit is asked for, to tell a body of exactly the limit from a
        # longer one.
        super().__init__(stream, limit + 1, is_max=True)
        self.most = limit

    def readinto(self, buffer: bytearray) -> int | None:  # type: ignore[override]
        """Read into a buffer; refuse the body once it has grown past the limit."""
        size = super().readinto(buffer)
        if self.tell() > self.most:
            raise RequestEntityTooLarge()
        return size


class BoundedRequest(Request):
    """A request whose body is refused with 413 past its limit, chunked bodies included.

    A chunked body has no Content-Length to check up front; Werkzeug's own guard then stops
    reading at the limit and hands on the first bytes as the whole body, so a JSON body was
    cut short (400 "Unterminated string") or, followed by padding, accepted.
    """

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body stream, guarded against bodies longer than `max_content_length`."""
        limit = self.max_content_length
        # The server sets wsgi.input_terminated when it ends the stream itself (gunicorn, the
        # development server): then it is safe to read until the limit is passed.
        if limit is None or "wsgi.input_terminated" not in self.environ:
            return get_input_stream(self.environ, max_content_length=limit)
        if self.content_length is not None and self.content_length > limit:
            raise RequestEntityTooLarge()
        return cast(IO[bytes], _AtMost(self.environ["wsgi.input"], limit))


def init_app(app: Flask) -> None:
    """Give the app requests whose body limit holds for every transfer encoding."""
    app.request_class = BoundedRequest
