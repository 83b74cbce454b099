"""Every API endpoint against every role: no key 401, wrong role 403, right role allowed."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.auth import PERMISSIONS
from tests.conftest import make_key
from vendors.access import ROLES

BODY_METHODS = {"POST", "PUT", "PATCH"}


def endpoints(app: Flask) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every API route, path parameters filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "some-vendor", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def call(client: FlaskClient, method: str, url: str, key: str | None) -> tuple[int, str]:
    headers = {"X-API-Key": key} if key is not None else {}
    sends_json = method in BODY_METHODS and not url.endswith("/import")
    response = client.open(url, method=method, headers=headers, json={} if sends_json else None)
    return response.status_code, response.get_data(as_text=True)


def test_every_api_endpoint_has_a_rule(app: Flask) -> None:
    api_rules = {endpoint for endpoint in PERMISSIONS if endpoint.startswith("api.")}

    assert {endpoint for endpoint, _, _ in endpoints(app)} == api_rules


def test_without_a_key_every_api_endpoint_is_401(app: Flask, anonymous: FlaskClient) -> None:
    for endpoint, method, url in endpoints(app):
        status, body = call(anonymous, method, url, None)
        assert status == 401, (endpoint, method, status)
        assert "X-API-Key" in body


def test_a_bad_or_revoked_key_is_401_and_the_body_gives_nothing_away(
    app: Flask, anonymous: FlaskClient
) -> None:
    key = make_key(app, "admin")
    forged = key[:-4] + "abcd"

    status, body = call(anonymous, "GET", "/api/v1/vendors", forged)

    assert status == 401
    assert forged not in body
    assert key.split("_")[1] not in body


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_its_rules_allow(
    app: Flask, anonymous: FlaskClient, role: str
) -> None:
    key = make_key(app, role)
    for endpoint, method, url in endpoints(app):
        status, body = call(anonymous, method, url, key)
        if role in PERMISSIONS[endpoint]:
            assert status not in (401, 403), (endpoint, method, status, body)
        else:
            assert status == 403, (endpoint, method, status)
            assert key not in body


def test_the_docs_the_document_and_the_probes_need_no_key(anonymous: FlaskClient) -> None:
    for url in ("/api/v1/openapi.json", "/api/v1/docs", "/healthz", "/readyz"):
        assert anonymous.get(url).status_code == 200, url
