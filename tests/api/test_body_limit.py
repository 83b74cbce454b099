"""The body limit holds for every transfer encoding: a chunked body past it is 413, never cut short.

In-process, the requests are built as a server that ends chunked bodies itself hands them on
(`wsgi.input_terminated`, no length); the last test sends real chunked bodies to gunicorn.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import make_key
from tests.factories import vendor

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1024 * 1024


def _chunked(client: FlaskClient, path: str, body: bytes, content_type: str) -> TestResponse:
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides={"wsgi.input_terminated": True},
    )


def _too_long_string() -> bytes:
    return b'{"skills": ["' + b"a" * (LIMIT + 100_000) + b'"]}'


def _padded_record() -> bytes:
    # A valid body in its first megabyte, then padding: cut at the limit it would still parse.
    return json.dumps(vendor("andes-care")).encode() + b" " * (2 * LIMIT)


def _multipart(content: bytes) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="catalog.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("body", [_too_long_string(), _padded_record()], ids=["long", "padded"])
def test_a_chunked_json_body_past_the_limit_is_413(client: FlaskClient, body: bytes) -> None:
    response = _chunked(client, "/api/v1/vendors", body, "application/json")

    assert response.status_code == 413
    assert response.json is not None
    assert response.json["status"] == 413


def test_a_chunked_json_body_within_the_limit_is_read_whole(client: FlaskClient) -> None:
    body = json.dumps(vendor("andes-care")).encode() + b" " * (LIMIT // 2)

    response = _chunked(client, "/api/v1/vendors", body, "application/json")

    assert response.status_code == 201


def test_a_chunked_json_body_of_exactly_the_limit_is_taken(client: FlaskClient) -> None:
    record = json.dumps(vendor("andes-care")).encode()
    body = record + b" " * (LIMIT - len(record))

    response = _chunked(client, "/api/v1/vendors", body, "application/json")

    assert response.status_code == 201


def test_a_chunked_upload_past_the_import_limit_is_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_IMPORT_BYTES"] = 10_000
    rows = b"id,name,tags\n" + b"".join(b"v%d,Vendor %d,BPO\n" % (n, n) for n in range(2000))
    body, content_type = _multipart(rows)

    response = _chunked(client, "/api/v1/vendors/import", body, content_type)

    assert response.status_code == 413
    assert client.get("/api/v1/vendors").json == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
        "pages": 0,
        "next": None,
        "prev": None,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def gunicorn(app: Flask, database: str, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """Run gunicorn (one worker) on the test's database; return its port and an admin key."""
    key = make_key(app, "admin")
    port = _free_port()
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DATABASE_URL": database,
        "MATCHER_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "MATCHER_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "MATCHER_JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
        "MATCHER_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    with (tmp_path / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield port, key
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _send_chunked(port: int, key: str, body: bytes) -> tuple[int, bytes]:
    """Send a JSON body in 64 KB chunks while reading the answer, which may come before the end."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /api/v1/vendors HTTP/1.1\r\nHost: localhost\r\n"
        f"X-API-Key: {key}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()

    def pump() -> None:
        # The service may answer and stop reading before the end: sending then fails, as it
        # would for any client.
        try:
            sock.sendall(head)
            for start in range(0, len(body), 65536):
                part = body[start : start + 65536]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass

    sender = threading.Thread(target=pump)
    sender.start()
    try:
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return answer.status, answer.read()
    finally:
        sender.join(timeout=30)
        sock.close()


@pytest.mark.slow
def test_gunicorn_refuses_chunked_bodies_past_the_limit_and_takes_those_within(
    gunicorn: tuple[int, str],
) -> None:
    port, key = gunicorn
    record = json.dumps(vendor("andes-care")).encode()

    statuses = {
        "3 MB": _send_chunked(port, key, b'{"skills": ["' + b"a" * 3_000_000 + b'"]}')[0],
        "10 MB": _send_chunked(port, key, b'{"skills": ["' + b"a" * 10_000_000 + b'"]}')[0],
        "padded": _send_chunked(port, key, record + b" " * 3_000_000)[0],
        "small": _send_chunked(port, key, record)[0],
    }

    assert statuses == {"3 MB": 413, "10 MB": 413, "padded": 413, "small": 201}
