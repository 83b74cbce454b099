"""Operations: Prometheus metrics, readiness with Redis, structured JSON logs."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import create_app
from tests.factories import vendor


def metric(text: str, name: str, **labels: str) -> float:
    """Return the value of one sample of the Prometheus text."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$"
    for line in text.splitlines():
        found = re.match(pattern, line)
        if found and all(part in (found.group(1) or "") for part in wanted.split(",") if part):
            return float(found.group(2))
    raise AssertionError(f"no sample {name} {labels}")


def test_metrics_count_requests_matches_the_catalog_and_jobs_without_any_vendor_data(
    client: FlaskClient, anonymous: FlaskClient
) -> None:
    client.post("/api/v1/vendors", json=vendor("acme-bpo", name="Secretive Name Ltd"))
    before = anonymous.get("/metrics").get_data(as_text=True)
    client.post("/api/v1/match", json={"skills": ["Customer support"]})
    client.get("/api/v1/vendors/nobody")

    response = anonymous.get("/metrics")
    text = response.get_data(as_text=True)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert metric(text, "matcher_catalog_vendors") == 1
    assert metric(text, "matcher_import_jobs", state="done") == 0
    matches_before = metric(before, "matcher_match_duration_seconds_count")
    assert metric(text, "matcher_match_duration_seconds_count") == matches_before + 1
    assert (
        metric(
            text,
            "matcher_http_requests_total",
            endpoint="api.vendors.get_vendor",
            method="GET",
            status="404",
        )
        >= 1
    )
    assert metric(text, "matcher_http_request_duration_seconds_count", endpoint="api.match.match")
    assert "Secretive" not in text
    assert "acme-bpo" not in text


def test_readiness_names_an_unreachable_redis(database: str) -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "unreachable"
    app.extensions["engine"].dispose()


def test_json_logs_carry_the_request_id_and_leave_the_query_string_out(database: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": database, "LOG_FORMAT": "json"})
    stream = io.StringIO()
    handler = app.logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)

    app.test_client().get("/healthz?q=private-words", headers={"X-Request-ID": "req-42"})

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = next(line for line in lines if line["logger"] == "matcher.access")
    assert access["request_id"] == "req-42"
    assert access["path"] == "/healthz"
    assert access["status"] == 200
    assert access["ms"] >= 0
    assert "private-words" not in stream.getvalue()
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_the_probes_and_metrics_need_no_credentials(anonymous: FlaskClient, path: str) -> None:
    assert anonymous.get(path).status_code == 200


def test_metrics_are_documented_in_the_openapi_document(app: Flask) -> None:
    operation = app.extensions["openapi"]["paths"]["/metrics"]["get"]

    assert "text/plain" in operation["responses"]["200"]["content"]
