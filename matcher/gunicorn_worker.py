"""gunicorn's threaded worker, where a slow client costs a connection and never a thread.

gunicorn's gthread worker hands a connection to a thread as soon as a byte arrives; the thread
then waits on the client for the rest of the headers, for the body and for room to send the
answer, so four clients that trickle their requests hold a worker of four threads. This worker
reads each request in its main loop until it is whole (`client_io.RequestFrame`), hands it to a
thread only then, and sends in its main loop whatever part of an answer the client does not take
at once. A client gets `MATCHER_CLIENT_TIMEOUT` seconds from its request's first byte to send
all of it (then 408), and the same to take each part of its answer (then the connection is
closed). Errors gunicorn answers itself (414, 431, a malformed request) come in the service's
JSON error shape.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import selectors
import socket
import time
import uuid
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from gunicorn.http import errors
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

from matcher.client_io import CONTINUE, ClientSocket, RequestFrame, Spool
from matcher.hardening import REQUEST_ID_HEADER, SECURITY_HEADERS

CLIENT_TIMEOUT_VARIABLE = "MATCHER_CLIENT_TIMEOUT"
DEFAULT_CLIENT_TIMEOUT = "5"
# How long a closing connection is read from (and dropped) so the answer's end is not reset.
LINGER_SECONDS = 2.0
LINGER_BYTES = 64 * 1024
# Bytes moved per connection and event, so one fast client does not starve the others.
_PER_EVENT = 1024 * 1024
_LARGEST_BODY = 256 * 1024 * 1024
_SERVER_ERROR = "Something went wrong on our side; the request was not applied."


def client_timeout(setting: str) -> float:
    """Return the seconds a client gets to send a request or take a part of an answer."""
    try:
        seconds = float(setting)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise SystemExit(f"{CLIENT_TIMEOUT_VARIABLE} must be a number of seconds, not {setting!r}")
    return seconds


def error_answer(status: int, message: str) -> bytes:
    """Return a whole HTTP answer in the service's error shape that closes the connection."""
    body = json.dumps({"status": status, "message": message, "errors": {}}).encode()
    headers = {
        "Date": formatdate(usegmt=True),
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        REQUEST_ID_HEADER: uuid.uuid4().hex,
        **SECURITY_HEADERS,
    }
    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return (head + "\r\n").encode("latin-1") + body


def problem(error: BaseException, limit_request_line: int) -> tuple[int, str]:
    """Say what a request gunicorn could not read means: the status and the message."""
    match error:
        case errors.InvalidResponseHeader() | errors.InvalidResponseHeaderName():
            return 500, _SERVER_ERROR
        case errors.LimitRequestLine():
            return 414, f"The request line is longer than {limit_request_line} bytes."
        case errors.LimitRequestHeaders():
            return 431, f"The request's header fields are too large: {error}."
        case errors.UnsupportedTransferCoding():
            return 501, f"The request's transfer coding is not supported: {error}."
        case errors.ExpectationFailed():
            return 417, f"The request's expectation cannot be met: {error}."
        case errors.ConfigurationProblem():
            return 500, _SERVER_ERROR
        case errors.ParseException():
            return 400, f"The request is not valid HTTP: {error}."
    return 500, _SERVER_ERROR


class ClientBoundWorker(ThreadWorker):  # type: ignore[misc]
    """The gthread worker, with requests read and answers sent by its main loop."""

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        """Refuse what this worker does not read itself: TLS, HTTP/2, PROXY, uwsgi."""
        super().check_config(cfg, log)
        plain = cfg.protocol == "http" and cfg.proxy_protocol == "off"
        if cfg.is_ssl or not plain or "h2" in cfg.http_protocols:
            raise SystemExit("The worker serves plain HTTP/1.1: leave TLS to the reverse proxy")
        client_timeout(os.environ.get(CLIENT_TIMEOUT_VARIABLE, DEFAULT_CLIENT_TIMEOUT))

    def run(self) -> None:
        """Read the limits, then serve."""
        self.client_timeout = client_timeout(
            os.environ.get(CLIENT_TIMEOUT_VARIABLE, DEFAULT_CLIENT_TIMEOUT)
        )
        config = getattr(self.wsgi, "config", {})
        self.max_body = max(
            config.get("MAX_CONTENT_LENGTH") or 0, config.get("MAX_IMPORT_BYTES") or _LARGEST_BODY
        )
        cfg = self.cfg
        line = cfg.limit_request_line or 8190
        field = cfg.limit_request_field_size or 8190
        self.max_head = line + 2 + max(cfg.limit_request_fields, 1) * (field + 2) + 2
        self.receiving: set[TConn] = set()
        self.sending: set[TConn] = set()
        self.closing: set[TConn] = set()
        self.stop_by: float | None = None
        super().run()

    def accept(self, listener: socket.socket) -> None:
        """Take a new connection and wait, in the main loop, for its first request."""
        try:
            sock, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        client = ClientSocket(sock, self.cfg.tmp_upload_dir)
        conn = TConn(self.cfg, client, address, listener.getsockname())
        conn.watched = False
        self._receive(conn, idle=self.client_timeout)

    def handle(self, conn: TConn) -> Any:
        """Serve a request that has arrived whole (runs in a thread)."""
        conn.data_ready = True
        return super().handle(conn)

    def finish_request(self, conn: TConn, future: Any) -> None:
        """Once a thread has answered: send the rest of the answer, then wait or close."""
        try:
            keep = bool(future.result()) if not future.cancelled() else False
        except Exception:
            keep = False
        try:
            self._finish(conn, keep)
        except Exception:
            self.log.exception("Error after a request")
            self._drop(conn)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request gunicorn could not read, or a failure, in the JSON error shape."""
        status, message = problem(exc, self.cfg.limit_request_line)
        if status >= 500:
            self.log.error("Error handling request", exc_info=exc)
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(error_answer(status, message))
        except OSError:
            self.log.debug("Failed to send error message.")

    def murder_pending(self) -> None:
        """Answer 408 to requests past their time, drop answers not taken, end lingering."""
        now = time.monotonic()
        if not self.alive and self.stop_by is None:
            self.stop_by = now + STOP_KEEPALIVE_LINGER
        for conn in list(self.receiving):
            idle = conn.frame.received == 0
            if idle and self.stop_by is not None:
                conn.timeout = min(conn.timeout, self.stop_by)
            if conn.timeout > now:
                continue
            if idle:
                self._drop(conn)
            else:
                self._unwatch(conn)
                self.receiving.discard(conn)
                seconds = f"{self.client_timeout:g}"
                message = f"The request did not arrive whole within {seconds} s."
                self._refuse(conn, 408, message)
        for conn in [*self.sending, *self.closing]:
            if conn.timeout <= now:
                self._drop(conn)

    # Reading requests

    def _receive(self, conn: TConn, *, idle: float, leftover: bytes = b"") -> None:
        """Wait for the connection's next request; bytes already read go first."""
        client: ClientSocket = conn.sock
        frame = RequestFrame(max_head=self.max_head, max_body=self.max_body)
        inbox = Spool(client.folder, leftover)
        frame.feed(leftover)
        while block := client.inbox.read(_PER_EVENT):
            inbox.write(block)
            if frame.state == "partial":
                frame.feed(block)
        client.inbox.close()
        client.inbox, client.continued, client.done = inbox, False, False
        conn.frame = frame
        now = time.monotonic()
        conn.timeout = now + (self.client_timeout if frame.received else idle)
        self.receiving.add(conn)
        self._watch(conn, selectors.EVENT_READ, self._on_request_bytes)
        self._after_bytes(conn)

    def _on_request_bytes(self, conn: TConn) -> None:
        client: ClientSocket = conn.sock
        frame: RequestFrame = conn.frame
        read = 0
        while frame.state == "partial" and read < _PER_EVENT:
            try:
                data = client.real.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop(conn)
                return
            if not data:
                self._drop(conn)
                return
            if not frame.received:
                conn.timeout = time.monotonic() + self.client_timeout
            client.inbox.write(data)
            frame.feed(data)
            read += len(data)
        self._after_bytes(conn)

    def _after_bytes(self, conn: TConn) -> None:
        client: ClientSocket = conn.sock
        frame: RequestFrame = conn.frame
        if frame.state == "partial":
            if frame.expects_continue and frame.in_body and not client.continued:
                client.continued = True
                client.sendall(CONTINUE)
            return
        self._unwatch(conn)
        self.receiving.discard(conn)
        if frame.state == "too_large":
            message = f"The body is larger than the {self.max_body} bytes the service accepts."
            self._refuse(conn, 413, message)
            return
        if frame.state == "unclear" and frame.in_body:
            # A malformed chunked body: gunicorn would find it only while the app reads it.
            self._refuse(conn, 400, "The request's chunked body is malformed.")
            return
        client.deadline = conn.timeout
        self.enqueue_req(conn)

    # Sending answers and closing

    def _refuse(self, conn: TConn, status: int, message: str) -> None:
        conn.sock.sendall(error_answer(status, message))
        self._finish(conn, False)

    def _finish(self, conn: TConn, keep: bool) -> None:
        client: ClientSocket = conn.sock
        conn.keep = keep and not client.done
        if client.outbox is not None:
            if len(client.outbox):
                conn.timeout = time.monotonic() + self.client_timeout
                self.sending.add(conn)
                self._watch(conn, selectors.EVENT_WRITE, self._on_room_to_send)
                return
            client.outbox.close()
            client.outbox = None
        if not conn.keep:
            self._linger(conn)
            return
        leftover = conn.parser.unreader.take_buffered() if conn.parser else b""
        idle = self.cfg.keepalive if self.alive else min(self.cfg.keepalive, STOP_KEEPALIVE_LINGER)
        self._receive(conn, idle=idle, leftover=leftover)

    def _on_room_to_send(self, conn: TConn) -> None:
        client: ClientSocket = conn.sock
        outbox = client.outbox
        assert outbox is not None
        sent = 0
        while len(outbox) and sent < _PER_EVENT:
            block = outbox.peek(256 * 1024)
            try:
                count = client.real.send(block)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop(conn)
                return
            outbox.skip(count)
            sent += count
            conn.timeout = time.monotonic() + self.client_timeout
            if count < len(block):
                break
        if not len(outbox):
            self._unwatch(conn)
            self.sending.discard(conn)
            self._finish(conn, conn.keep)

    def _linger(self, conn: TConn) -> None:
        """Close after the client has read the answer: end our side, drain theirs a moment."""
        try:
            conn.sock.real.shutdown(socket.SHUT_WR)
        except OSError:
            self._drop(conn)
            return
        conn.timeout = time.monotonic() + LINGER_SECONDS
        conn.drained = 0
        self.closing.add(conn)
        self._watch(conn, selectors.EVENT_READ, self._on_lingering)

    def _on_lingering(self, conn: TConn) -> None:
        try:
            data = conn.sock.real.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.drained += len(data)
        if not data or conn.drained > LINGER_BYTES:
            self._drop(conn)

    def _drop(self, conn: TConn) -> None:
        """Close the connection and free what it holds."""
        if getattr(conn, "dropped", False):
            return
        conn.dropped = True
        self._unwatch(conn)
        for waiting in (self.receiving, self.sending, self.closing):
            waiting.discard(conn)
        client: ClientSocket = conn.sock
        client.inbox.close()
        if client.outbox is not None:
            client.outbox.close()
        with contextlib.suppress(OSError):
            client.real.close()
        self.nr_conns -= 1

    def _watch(self, conn: TConn, events: int, callback: Callable[[TConn], None]) -> None:
        self._unwatch(conn)
        self.poller.register(conn.sock.real, events, lambda _socket: callback(conn))
        conn.watched = True

    def _unwatch(self, conn: TConn) -> None:
        if conn.watched:
            self.poller.unregister(conn.sock.real)
            conn.watched = False
