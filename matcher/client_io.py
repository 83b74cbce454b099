"""A client's bytes as the gunicorn worker holds them: a request until whole, an answer until taken.

The worker's main loop reads every request into a `Spool` while `RequestFrame` tells when it
has arrived whole; only then does a thread parse and answer it, through a `ClientSocket` that
reads the spooled bytes and keeps whatever part of the answer the client is not taking yet.
So a slow client costs a connection and some buffer, never a thread.
"""

from __future__ import annotations

import select
import socket
import tempfile
import time
from typing import IO, Any

# Bytes held in memory per request or answer; past this they go to a temporary file.
IN_MEMORY = 1024 * 1024
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# A chunk-size line or the trailer section longer than this is not a request worth reading.
_MAX_CHUNK_LINE = 1024
_MAX_TRAILERS = 64 * 1024


class Spool:
    """Bytes written at one end and read from the other: in memory, then in a temporary file."""

    def __init__(self, folder: str | None = None, data: bytes = b""):
        # Open for as long as the connection needs it; `close` ends it.
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=IN_MEMORY, dir=folder
        )
        self._read = 0
        self._size = 0
        self.write(data)

    def __len__(self) -> int:
        return self._size - self._read

    def write(self, data: bytes | memoryview) -> None:
        """Add bytes at the end."""
        if data:
            self._file.seek(self._size)
            self._file.write(data)
            self._size += len(data)

    def read(self, size: int) -> bytes:
        """Take up to `size` bytes from the front."""
        if self._read >= self._size or size <= 0:
            return b""
        self._file.seek(self._read)
        data = self._file.read(min(size, self._size - self._read))
        self._read += len(data)
        return data

    def peek(self, size: int) -> bytes:
        """Return up to `size` bytes from the front without taking them."""
        data = self.read(size)
        self._read -= len(data)
        return data

    def skip(self, size: int) -> None:
        """Drop `size` bytes from the front (that many were sent)."""
        self._read = min(self._read + size, self._size)

    def close(self) -> None:
        """Free the memory or the file."""
        self._file.close()


class RequestFrame:
    """Tell, from the bytes of a request fed as they come, whether it has arrived whole.

    Only the framing is read: where the header section ends, then `Content-Length` bytes or
    chunks up to the last one and its trailers. Whatever this cannot read for sure is
    `unclear`, for gunicorn's parser to judge (and refuse) at once.
    """

    def __init__(self, *, max_head: int, max_body: int):
        self.max_head = max_head
        self.max_body = max_body
        self.state = "partial"  # then "whole", "unclear" or "too_large"
        self.expects_continue = False
        self.received = 0
        self._head = bytearray()
        self._phase = "head"
        self._left = 0  # bytes of a body or of a chunk still to come
        self._body = 0
        self._line = bytearray()

    def feed(self, data: bytes) -> None:
        """Read the next bytes of the stream; bytes after a whole request are not looked at."""
        self.received += len(data)
        view = memoryview(data)
        while view and self.state == "partial":
            view = getattr(self, f"_on_{self._phase}")(view)

    @property
    def in_body(self) -> bool:
        """Say whether the header section has been read and the body is being read."""
        return self._phase != "head"

    def _end(self, state: str) -> memoryview:
        self.state = state
        return memoryview(b"")

    def _on_head(self, view: memoryview) -> memoryview:
        start = max(0, len(self._head) - 3)
        self._head += view
        end = self._head.find(b"\r\n\r\n", start)
        if end < 0:
            return self._end("unclear") if len(self._head) > self.max_head else memoryview(b"")
        rest = memoryview(bytes(self._head[end + 4 :]))
        self._frame(bytes(self._head[:end]))
        return rest

    def _frame(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        fields: dict[bytes, list[bytes]] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name[-1:].isspace() or line[:1].isspace():
                self.state = "unclear"
                return
            fields.setdefault(name.strip().lower(), []).append(value.strip())
        lengths = set(fields.get(b"content-length", []))
        codings = b",".join(fields.get(b"transfer-encoding", []))
        http11 = lines[0].endswith(b"HTTP/1.1")
        self.expects_continue = http11 and b"100-continue" in [
            value.lower() for value in fields.get(b"expect", [])
        ]
        if codings:
            last = codings.split(b",")[-1].strip().lower()
            if lengths or last != b"chunked" or not http11:
                self.state = "unclear"
            else:
                self._phase = "size_line"
            return
        if not lengths:
            self.state = "whole"
            return
        if len(lengths) > 1 or not next(iter(lengths)).isdigit():
            self.state = "unclear"
            return
        self._left = int(next(iter(lengths)))
        if self._left > self.max_body:
            self.state = "too_large"
        elif self._left == 0:
            self.state = "whole"
        else:
            self._phase = "length"

    def _on_length(self, view: memoryview) -> memoryview:
        taken = min(self._left, len(view))
        self._left -= taken
        if not self._left:
            self.state = "whole"
        return view[taken:]

    def _on_size_line(self, view: memoryview) -> memoryview:
        line, rest = self._take_line(view)
        if line is None:
            return rest
        size = bytes(line).split(b";", 1)[0].rstrip(b" \t")
        if not size or size.strip(b"0123456789abcdefABCDEF"):
            return self._end("unclear")
        self._left = int(size, 16)
        self._body += self._left
        if self._body > self.max_body:
            return self._end("too_large")
        self._phase = "chunk" if self._left else "trailers"
        return rest

    def _on_chunk(self, view: memoryview) -> memoryview:
        taken = min(self._left, len(view))
        self._left -= taken
        if not self._left:
            self._phase = "chunk_end"
        return view[taken:]

    def _on_chunk_end(self, view: memoryview) -> memoryview:
        line, rest = self._take_line(view)
        if line is None:
            return rest
        if line:
            return self._end("unclear")
        self._phase = "size_line"
        return rest

    def _on_trailers(self, view: memoryview) -> memoryview:
        line, rest = self._take_line(view, limit=_MAX_TRAILERS)
        if line is None:
            return rest
        if not line:
            self.state = "whole"
        return rest

    def _take_line(
        self, view: memoryview, limit: int = _MAX_CHUNK_LINE
    ) -> tuple[bytearray | None, memoryview]:
        """Return a whole line (without CRLF) and what follows, or None while it is partial."""
        start = max(0, len(self._line) - 1)
        self._line += view
        end = self._line.find(b"\r\n", start)
        if end < 0:
            if len(self._line) > limit:
                self.state = "unclear"
            return None, memoryview(b"")
        line, rest = self._line[:end], memoryview(bytes(self._line[end + 2 :]))
        self._line = bytearray()
        return line, rest


class ClientSocket:
    """The socket a worker thread sees: it reads the spooled request and never waits to send.

    What the client does not take at once is kept in `outbox`, for the worker's main loop to
    send as the client reads. Closing is left to the main loop too: a thread's shutdown and
    close only mark the connection done.
    """

    def __init__(self, sock: socket.socket, folder: str | None):
        sock.setblocking(False)
        self.real = sock
        self.folder = folder
        self.inbox = Spool(folder)
        self.outbox: Spool | None = None
        # A thread waits for bytes that are not spooled until then at the latest (an unclear
        # request); past it the client counts as gone.
        self.deadline = 0.0
        self.continued = False
        self.done = False
        self._timeout: float | None = None

    def fileno(self) -> int:
        """Return the socket's file descriptor."""
        return self.real.fileno()

    def recv(self, size: int) -> bytes:
        """Return the next bytes of the request: spooled ones first, then the socket's."""
        if self.done:
            return b""
        data = self.inbox.read(size)
        if data:
            return data
        while True:
            try:
                return self.real.recv(size)
            except (BlockingIOError, InterruptedError):
                pass
            wait = self.deadline - time.monotonic()
            if self._timeout is not None and self._timeout < wait:
                if not select.select([self.real], [], [], self._timeout)[0]:
                    raise TimeoutError("timed out")
                continue
            if wait <= 0 or not select.select([self.real], [], [], wait)[0]:
                return b""

    def sendall(self, data: bytes | memoryview) -> None:
        """Send what the client takes now; keep the rest for the main loop to send."""
        if self.outbox is not None:
            self.outbox.write(data)
            return
        view = memoryview(data)
        while view:
            try:
                view = view[self.real.send(view) :]
            except InterruptedError:
                continue
            except BlockingIOError:
                self.outbox = Spool(self.folder, bytes(view))
                return

    def send(self, data: bytes) -> int:
        """Send bytes (all of them); a 100 Continue the main loop already sent is not repeated."""
        if data != CONTINUE or not self.continued:
            self.sendall(data)
        return len(data)

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a file's bytes through `sendall`."""
        file.seek(offset)
        sent = 0
        while count is None or sent < count:
            block = file.read(65536 if count is None else min(65536, count - sent))
            if not block:
                break
            self.sendall(block)
            sent += len(block)
        return sent

    def setblocking(self, flag: bool) -> None:
        """Note how long reads may wait; the real socket stays non-blocking."""
        self._timeout = None if flag else 0.0

    def settimeout(self, value: float | None) -> None:
        """Note how long reads may wait (within the client's deadline)."""
        self._timeout = value

    def gettimeout(self) -> float | None:
        """Return how long reads may wait."""
        return self._timeout

    def shutdown(self, how: int) -> None:
        """Mark the exchange over: the main loop closes the connection once the answer is out."""
        self.done = True

    def close(self) -> None:
        """Mark the exchange over (see `shutdown`)."""
        self.done = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
