# ruff: noqa: E501  (the catalog reads best one attack per line)
"""The catalog of hostile inputs and the answer each gets: a clear 4xx, never a 500 or a leak.

Each entry names the attack, sends it, and states the status and the words of the message a
client sees. Other files test some of these more deeply (tests/api/test_hostile_inputs.py,
tests/vendors/test_workbook_guard.py); this one keeps the whole list in one place.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import make_key
from tests.factories import vendor

Send = Callable[[FlaskClient], TestResponse]


@dataclass(frozen=True)
class Hostile:
    """One hostile input: what it is, how it is sent, what the client is answered."""

    name: str
    send: Send
    status: int
    says: str


def _json(path: str, body: object, method: str = "POST") -> Send:
    return lambda client: client.open(path, method=method, json=body)


def _raw(path: str, data: bytes, content_type: str) -> Send:
    return lambda client: client.post(path, data=data, content_type=content_type)


def _upload(name: str, data: bytes) -> Send:
    return lambda client: client.post(
        "/api/v1/vendors/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 60_000_000 + "</a>")
    return buffer.getvalue()


def _header(path: str, name: str, value: str) -> Send:
    # Raw WSGI environ: a header value with CR and LF, as a hand-made request could carry.
    key = "HTTP_" + name.upper().replace("-", "_")
    return lambda client: client.get(path, environ_overrides={key: value})


INJECTION = "'; DROP TABLE vendors; -- <script>alert(1)</script> {{7*7}} ${7*7}"
CATALOG = [
    Hostile("oversized JSON body", _raw("/api/v1/vendors", b" " * (1024 * 1024 + 1), "application/json"), 413, "exceeds the capacity limit"),
    Hostile("malformed JSON", _raw("/api/v1/vendors", b'{"id": "a",', "application/json"), 400, "not valid JSON"),
    Hostile("JSON that is not an object", _json("/api/v1/vendors", ["a", "b"]), 422, "must be a JSON object"),
    Hostile("wrong content type", _raw("/api/v1/vendors", b"id=a", "application/x-www-form-urlencoded"), 415, "application/json"),
    Hostile("wrong type: a number as text", _json("/api/v1/vendors", vendor("a-b", headcount="many")), 422, "not valid"),
    Hostile("wrong type: a list as a string", _json("/api/v1/vendors", vendor("a-b", tags="BPO")), 422, "not valid"),
    Hostile("a huge list in a record", _json("/api/v1/vendors", vendor("a-b", services=[f"s{i}" for i in range(5000)])), 422, "not valid"),
    Hostile("a huge list in a profile", _json("/api/v1/match", {"skills": [f"s{i}" for i in range(5000)]}), 422, "not valid"),
    Hostile("a huge string in a profile", _json("/api/v1/match", {"description": "x" * 100_000}), 422, "not valid"),
    Hostile("NUL in text", _json("/api/v1/vendors", vendor("a-b", name="A\u0000B")), 422, "not valid"),
    Hostile("injection text as an id", _json("/api/v1/vendors", vendor(INJECTION)), 422, "not valid"),
    Hostile("injection text in a path", lambda c: c.get("/api/v1/vendors/%27%3B%20DROP%20TABLE%20vendors"), 404, "No vendor"),
    Hostile("unknown query parameter", lambda c: c.get("/api/v1/vendors?sort=id;DROP"), 422, "not valid"),
    Hostile("an upload that is not a catalog", _upload("evil.exe", b"MZ\x90\x00"), 422, "file"),
    Hostile("a decompression bomb as XLSX", _upload("bomb.xlsx", _zip_bomb()), 422, "file"),
    Hostile("a JSON catalog nested 100,000 deep", _upload("deep.json", b"[" * 100_000), 422, "file"),
    Hostile("CRLF in If-Match", lambda c: c.delete("/api/v1/vendors/a-b", environ_overrides={"HTTP_IF_MATCH": '"1"\r\nX-Evil: 1'}), 400, "If-Match"),
    Hostile("CRLF in the API key", _header("/api/v1/vendors", "X-API-Key", "vmk_a_b\r\nX-Evil: 1"), 401, "not valid"),
]  # fmt: skip


@pytest.fixture
def plain(app: Flask) -> FlaskClient:
    """An admin client that sends requests as they are (the conforming client would refuse
    to build some of them, such as headers with line breaks)."""
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = make_key(app, "admin")
    return client


@pytest.mark.parametrize("hostile", CATALOG, ids=[item.name for item in CATALOG])
def test_each_hostile_input_gets_its_clear_answer(plain: FlaskClient, hostile: Hostile) -> None:
    response = hostile.send(plain)
    body = response.get_json()

    assert response.status_code == hostile.status, body
    # The error shape; a refused import file answers with the contract's import report.
    assert body.get("status") == hostile.status or body.get("applied") is False
    assert hostile.says.lower() in json.dumps(body).lower(), body
    assert "Traceback" not in response.get_data(as_text=True)


def test_injection_text_is_data_never_code(client: FlaskClient) -> None:
    created = client.post(
        "/api/v1/vendors", json=vendor("odd-name", name=INJECTION, description=INJECTION)
    )
    found = client.get("/api/v1/vendors", query_string={"q": "DROP TABLE"}).get_json()
    none = client.get("/api/v1/vendors", query_string={"q": "' OR '1'='1"}).get_json()

    assert created.status_code == 201
    assert [item["name"] for item in found["items"]] == [INJECTION]
    assert none["total"] == 0
    assert client.get("/api/v1/vendors/odd-name").get_json()["description"] == INJECTION


def test_crlf_in_a_request_id_never_splits_the_response(plain: FlaskClient) -> None:
    response = _header("/healthz", "X-Request-ID", "abc\r\nSet-Cookie: evil=1")(plain)

    assert response.status_code == 200
    assert "evil" not in response.headers.get("X-Request-ID", "")
    assert "Set-Cookie" not in response.headers


def test_crlf_in_a_sign_in_form_is_just_a_wrong_email(app: Flask) -> None:
    from tests.web.conftest import form_token

    browser = app.test_client()
    token = form_token(browser.get("/login").get_data(as_text=True))
    response = browser.post(
        "/login",
        data={"email": "a@b.c\r\nBcc: x@y.z", "password": "x", "csrf_token": token},
    )

    assert response.status_code == 401
