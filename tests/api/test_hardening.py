"""Every response carries a request id and security headers; errors reveal no internals."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from matcher import db
from matcher.edge.errors import HttpError


@pytest.mark.parametrize("path", ["/api/v1/vendors", "/api/v1/nowhere", "/healthz", "/api/v1/docs"])
def test_every_response_has_a_request_id_and_the_security_headers(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert len(response.headers["X-Request-ID"]) >= 16
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_plain_request_id_from_the_client_is_kept(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})

    assert response.headers["X-Request-ID"] == "trace-42.a_b"


@pytest.mark.parametrize("given", ["has space", "x" * 65, "<script>", "a\tb"])
def test_an_odd_request_id_is_replaced(client: FlaskClient, given: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": given})

    assert response.headers["X-Request-ID"] != given


def test_a_server_error_reveals_nothing_and_is_logged_with_the_request_id(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom", headers={"X-Request-ID": "req-boom"})

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret" not in body
    assert "Traceback" not in body
    assert any(getattr(record, "request_id", None) == "req-boom" for record in caplog.records)


def test_errors_raised_by_views_keep_the_one_shape(app: Flask) -> None:
    @app.get("/api/v1/teapot")
    def teapot() -> str:
        raise HttpError(418, "I am a teapot.", {"pot": ["Too small."]})

    response = app.test_client().get("/api/v1/teapot")

    assert response.json == {
        "status": 418,
        "message": "I am a teapot.",
        "errors": {"pot": ["Too small."]},
    }


def test_database_errors_never_carry_the_values_into_logs(app: Flask) -> None:

    with app.app_context():
        try:
            db.session().execute(
                text("SELECT no_such_column FROM vendors WHERE name = :n"), {"n": "secret-rate-42"}
            )
        except Exception as error:
            message = str(error)
        else:
            raise AssertionError("the query should fail")

    assert "secret-rate-42" not in message
