"""Logs carry request ids and what happened, never secrets, keys, rates or free text."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_key
from tests.factories import vendor
from tests.web.conftest import PASSWORD, add_user, form_token

# Distinctive values that must never reach a log line.
SECRET_TEXT = "zebra-lantern-4471"
SECRET_RATE = 73.91


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(message)s %(args)s")
    return "\n".join(
        formatter.format(record) + " " + str(record.__dict__) for record in caplog.records
    )


def test_a_busy_day_leaves_no_secret_in_the_logs(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = make_key(app, "admin")
    email = add_user(app, "procurement", f"buyer-{SECRET_TEXT}@example.test")
    record = vendor(
        "secret-rates",
        rate_min=SECRET_RATE,
        rate_max=SECRET_RATE + 1,
        description=f"Notes {SECRET_TEXT}",
    )
    browser = app.test_client()

    # Sign-in, good and bad, with the password in the form.
    token = form_token(browser.get("/login").get_data(as_text=True))
    browser.post(
        "/login", data={"email": email, "password": "wrong" + SECRET_TEXT, "csrf_token": token}
    )
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    # API traffic with a key, including refusals, conflicts and validation errors.
    headers = {"X-API-Key": key}
    statuses = [
        client.post("/api/v1/vendors", json=record, headers=headers).status_code,
        client.post("/api/v1/vendors", json=record, headers=headers).status_code,
        client.post(
            "/api/v1/vendors", json={**record, "rate_min": "x" + SECRET_TEXT}, headers=headers
        ).status_code,
    ]
    client.patch(
        "/api/v1/vendors/secret-rates", json={"rate_max": SECRET_RATE + 2}, headers=headers
    )
    client.get("/api/v1/vendors", headers={"X-API-Key": key[:-3] + "xyz"})  # forged key
    client.get(f"/api/v1/vendors?q={SECRET_TEXT}", headers=headers)
    client.post(
        "/api/v1/match",
        json={"description": f"Support desk {SECRET_TEXT}", "budget": {"max_rate": SECRET_RATE}},
        headers=headers,
    )
    upload = io.BytesIO(json.dumps([{**record, "id": "other", "name": SECRET_TEXT}]).encode())
    imported = client.post(
        "/api/v1/vendors/import",
        data={"file": (upload, "catalog.json")},
        content_type="multipart/form-data",
        headers=headers,
    )

    logged = everything_logged(caplog)
    assert statuses == [201, 409, 422]
    assert imported.status_code == 200
    assert "signed in" in logged  # the log does say what happened
    assert "sign-in refused" in logged
    for secret in (SECRET_TEXT, str(SECRET_RATE), PASSWORD, key, key.split("_")[2]):
        assert secret not in logged, secret
