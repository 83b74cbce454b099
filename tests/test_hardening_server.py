"""The service under real gunicorn against hostile and broken clients.

A worker of four threads serves while clients trickle their headers or bodies, send nothing, or
ask for answers they never read; a probe must be answered within a second throughout. What
gunicorn answers itself (a URI too long, an invalid header) comes in the JSON error shape, and
forwarded headers are believed only from the proxies MATCHER_PROXY_HOPS counts.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_key
from tests.test_gunicorn import ROOT, Server

pytestmark = pytest.mark.slow

CLIENT_TIMEOUT = 3
PROBE_BOUND = 1.0


@pytest.fixture
def environment(database: str, tmp_path: Path) -> dict[str, str]:
    """Return the environment of one gunicorn worker of four threads on the test's database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "MATCHER_PROXY_HOPS")
    }
    env.update(
        {
            "DATABASE_URL": database,
            "WEB_CONCURRENCY": "1",
            "MATCHER_THREADS": "4",
            "MATCHER_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
            "MATCHER_JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
            "MATCHER_UPLOAD_DIR": str(tmp_path / "uploads"),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "MATCHER_RATE_LIMIT_PER_KEY": "100000 per minute",
            "MATCHER_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
            "SECRET_KEY": secrets.token_hex(32),
        }
    )
    return env


@pytest.fixture
def serve(app: Flask, environment: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    """Return a function that starts gunicorn with extra settings; every one is stopped after."""
    started: list[Server] = []

    def start(**settings: str) -> Server:
        folder = tmp_path / f"server-{len(started)}"
        folder.mkdir()
        server = Server({**environment, **settings}, folder, make_key(app, "admin"))
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


def connect(server: Server, *, receive_buffer: int | None = None) -> socket.socket:
    """Open a connection to the server (with a small receive window, if asked)."""
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    return sock


def read_all(sock: socket.socket, *, timeout: float = 10) -> bytes:
    """Read until the server closes the connection (a reset counts as closed)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def answers(stream: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Split a stream of HTTP/1.1 answers with a Content-Length into (status, headers, body)."""
    found = []
    while stream:
        head, _, rest = stream.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        length = int(headers.get("Content-Length", "0"))
        status = int(lines[0].split()[1])
        stream = rest[length:]
        if status != 100:
            found.append((status, headers, rest[:length]))
    return found


def ask(server: Server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes on a new connection and return the one answer."""
    with connect(server) as sock:
        sock.sendall(request)
        (answer,) = answers(read_all(sock))
    return answer


def test_slow_and_silent_clients_hold_no_thread_and_each_gets_a_bounded_time(serve: Any) -> None:
    server = serve()
    stop = threading.Event()
    outcomes: dict[str, list[bytes]] = {"headers": [], "body": [], "silent": [], "unread": []}

    def trickle(kind: str, first: bytes, then: bytes) -> None:
        # One more byte every 0.3 s until the server answers.
        with connect(server) as sock:
            sock.sendall(first)
            while not stop.is_set() and not select.select([sock], [], [], 0.3)[0]:
                sock.sendall(then)
            outcomes[kind].append(read_all(sock, timeout=5))

    def silent() -> None:
        with connect(server) as sock:
            outcomes["silent"].append(read_all(sock, timeout=CLIENT_TIMEOUT + 10))

    def unread() -> None:
        # A hundred answers asked for at once, none read, through a small receive window.
        with connect(server, receive_buffer=4096) as sock:
            sock.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n" * 100)
            stop.wait(CLIENT_TIMEOUT + 3)
            outcomes["unread"].append(read_all(sock, timeout=10))

    post = b"POST /api/v1/match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    clients: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
        *[(trickle, ("headers", b"GET /healthz HTTP/1.1\r\nX", b"X")) for _ in "1234"],
        *[(trickle, ("body", post + b"Content-Length: 100\r\n\r\n{", b" ")) for _ in "1234"],
        *[(silent, ()) for _ in "1234"],
        *[(unread, ()) for _ in "1234"],
    ]
    threads = [threading.Thread(target=run, args=args) for run, args in clients]
    for thread in threads:
        thread.start()

    # The probe asks all along, past the clients' time and until they are all closed.
    waits = []
    deadline = time.monotonic() + CLIENT_TIMEOUT + 4
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status = server.request("GET", "/healthz", timeout=10).status
        except OSError as error:
            status = repr(error)
        waits.append((status, time.monotonic() - started))
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert {status for status, _ in waits} == {200}
    assert max(wait for _, wait in waits) < PROBE_BOUND, waits
    # Trickled requests are refused once their time is up, never served late.
    for kind in ("headers", "body"):
        assert len(outcomes[kind]) == 4
        for stream in outcomes[kind]:
            ((status, _, body),) = answers(stream)
            assert status == 408
            assert json.loads(body)["message"] == (
                f"The request did not arrive whole within {CLIENT_TIMEOUT} s."
            )
    # Silent connections are closed without an answer; answers left unread are cut off.
    assert outcomes["silent"] == [b""] * 4
    assert len(outcomes["unread"]) == 4


def test_a_request_sent_slowly_within_its_time_is_served(serve: Any) -> None:
    server = serve()
    body = json.dumps({"skills": ["Customer support"]}).encode()
    head = (
        "POST /api/v1/match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        f"X-API-Key: {server.key}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    request = head + body

    with connect(server) as sock:
        for start in range(0, len(request), len(request) // 10 + 1):
            sock.sendall(request[start : start + len(request) // 10 + 1])
            time.sleep(0.1)
        ((status, _, answer),) = answers(read_all(sock))

    assert status == 200, answer
    assert json.loads(answer)["results"] == []


def test_a_chunked_body_and_an_expected_100_continue_are_read_whole(serve: Any) -> None:
    server = serve()
    body = json.dumps({"skills": ["Customer support"], "limit": 5}).encode()
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(body[at : at + 7]), body[at : at + 7])
        for at in range(0, len(body), 7)
    )
    head = (
        "POST /api/v1/match HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        f"X-API-Key: {server.key}\r\nConnection: close\r\n"
    ).encode()

    status, _, answer = ask(
        server, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n"
    )
    assert status == 200, answer

    with connect(server) as sock:
        sock.sendall(head + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        stream = read_all(sock)
    assert stream.count(b"100 Continue") == 0
    ((status, _, answer),) = answers(stream)
    assert status == 200, answer


def test_answers_taken_slowly_arrive_whole_and_in_order(serve: Any) -> None:
    server = serve()
    document = server.request("GET", "/api/v1/openapi.json").body
    asks = [
        b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
    ]
    pipelined = (
        b"".join(asks * 20) + b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )

    with connect(server, receive_buffer=4096) as sock:
        sock.sendall(pipelined)
        stream = b""
        while chunk := sock.recv(16384):
            stream += chunk
            time.sleep(0.002)

    got = answers(stream)
    assert [status for status, _, _ in got] == [200] * 41
    assert [body for _, _, body in got[:40:2]] == [document] * 20
    assert [json.loads(body) for _, _, body in got[1::2]] == [{"status": "ok"}] * 20


LONG_HEADER = "X-Padding: " + "p" * 9000
MANY_HEADERS = "".join(f"X-Field-{number}: {number}\r\n" for number in range(120))
REFUSED = [
    pytest.param("GET /" + "a" * 5000 + " HTTP/1.1\r\nHost: t\r\n\r\n", 414, id="uri-too-long"),
    pytest.param(f"GET / HTTP/1.1\r\nHost: t\r\n{LONG_HEADER}\r\n\r\n", 431, id="header-too-large"),
    pytest.param(f"GET / HTTP/1.1\r\nHost: t\r\n{MANY_HEADERS}\r\n", 431, id="too-many-headers"),
    pytest.param("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400, id="invalid-header"),
    pytest.param("GET / HTTP/1.1\r\nHost: t\r\nX-Bad: a\x00b\r\n\r\n", 400, id="nul-in-header"),
    pytest.param("GET / HTTP/1.1\r\nHost: t\r\n  folded\r\n\r\n", 400, id="obsolete-folding"),
    pytest.param("BR@KEN / HTTP/1.1\r\nHost: t\r\n\r\n", 400, id="invalid-method"),
    pytest.param("GET / HTTP/9.9\r\nHost: t\r\n\r\n", 400, id="invalid-version"),
    pytest.param(
        "POST /api/v1/match HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
        "Transfer-Encoding: chunked\r\n\r\n",
        400,
        id="length-and-chunked",
    ),
    pytest.param(
        "POST /api/v1/match HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        400,
        id="malformed-chunk",
    ),
    pytest.param(
        "POST /api/v1/match HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999999\r\n\r\n",
        413,
        id="body-too-large",
    ),
]


def test_requests_gunicorn_refuses_are_answered_in_the_json_error_shape(serve: Any) -> None:
    server = serve()
    shape: tuple[Any, ...] = ("application/json", True, "nosniff", True, {})
    expected: dict[str, tuple[Any, ...]] = {}
    answered: dict[str, tuple[Any, ...]] = {}
    for case in REFUSED:
        request_text, status = case.values
        got, headers, body = ask(server, str(request_text).encode("latin-1"))
        problem = json.loads(body)
        expected[str(case.id)] = (status, status, *shape)
        answered[str(case.id)] = (
            got,
            problem["status"],
            headers["Content-Type"],
            bool(re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])),
            headers["X-Content-Type-Options"],
            bool(problem["message"]),
            problem["errors"],
        )

    assert answered == expected
    # The worker serves on afterwards.
    assert server.request("GET", "/healthz").status == 200


def sign_in_without_referrer(server: Server, headers: dict[str, str]) -> int:
    """Post the sign-in form with a valid CSRF token and no Referer; return the status."""
    form = server.request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.body)
    assert token is not None
    cookie = form.headers["Set-Cookie"].split(";", 1)[0]
    answer = server.request(
        "POST",
        "/login",
        body=b"csrf_token=" + token.group(1) + b"&email=a%40b.example&password=wrong",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            **headers,
        },
    )
    return answer.status


def test_a_forwarded_scheme_is_believed_only_from_the_proxies_counted(serve: Any) -> None:
    # Over HTTPS a form post must carry a Referer of this site (400 without one); over plain
    # HTTP the form's token is enough and a wrong password answers 401.
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    direct = serve(MATCHER_PROXY_HOPS="0")
    assert sign_in_without_referrer(direct, {}) == 401
    assert sign_in_without_referrer(direct, forged) == 401
    assert (
        sign_in_without_referrer(direct, {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "off"})
        == 401
    )

    behind_proxy = serve(MATCHER_PROXY_HOPS="1")
    assert sign_in_without_referrer(behind_proxy, {"X-Forwarded-Proto": "https"}) == 400
    assert sign_in_without_referrer(behind_proxy, {"X-Forwarded-Proto": "http"}) == 401


def test_a_wrong_client_timeout_stops_gunicorn_with_a_clear_message(
    environment: dict[str, str],
) -> None:
    env = {**environment, "MATCHER_CLIENT_TIMEOUT": "soon", "MATCHER_BIND": "127.0.0.1:0"}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--check-config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "MATCHER_CLIENT_TIMEOUT must be a number of seconds, not 'soon'" in done.stderr
