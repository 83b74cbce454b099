"""The OpenAPI document describes every endpoint; the docs are served from the service."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_the_document_is_valid_openapi_3(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json is not None
    validate(response.json)


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("docs.")
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }

    assert served <= documented


def test_the_browsable_docs_load_only_local_assets(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    # Assets: scripts, styles, icons (not the links to other pages).
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [asset for asset in assets if asset not in ("/", "/api/v1/openapi.json")]

    assert assets
    assert all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
