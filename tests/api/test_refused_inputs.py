"""What the API refuses rather than take silently: ambiguous JSON, text that shows other than it
reads, websites that are not web addresses, pages larger than the service allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import create_app
from tests.conftest import make_key
from tests.factories import vendor

RECORD = '"id": "acme-bpo", "name": "Acme BPO", "tags": ["BPO"]'


@pytest.mark.parametrize(
    ("method", "path", "body", "key"),
    [
        ("POST", "/api/v1/vendors", f'{{{RECORD}, "name": "Evil Twin"}}', "name"),
        ("PUT", "/api/v1/vendors/acme-bpo", f'{{{RECORD}, "tags": ["KPO"]}}', "tags"),
        ("PATCH", "/api/v1/vendors/acme-bpo", '{"rating": 4, "rating": 1}', "rating"),
        (
            "POST",
            "/api/v1/match",
            '{"skills": ["payroll"], "budget": {"max_rate": 20, "max_rate": 2000}}',
            "max_rate",
        ),
        (
            "POST",
            "/api/v1/prospects",
            '{"name": "Acme", "profile": {"skills": ["payroll"], "skills": []}}',
            "skills",
        ),
    ],
)
def test_a_json_body_with_a_key_given_twice_is_400_and_changes_nothing(
    client: FlaskClient, method: str, path: str, body: str, key: str
) -> None:
    client.post("/api/v1/vendors", json=vendor("acme-bpo", name="Acme BPO", rating=4.0))

    response = client.open(path, method=method, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json is not None
    assert f"{key!r} appears twice" in response.json["message"]
    stored = client.get("/api/v1/vendors/acme-bpo").json
    assert stored is not None
    assert (stored["name"], stored["tags"], stored["rating"]) == ("Acme BPO", ["BPO"], 4.0)
    assert client.get("/api/v1/prospects").json == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
    }


def test_the_same_key_in_two_objects_is_no_repetition(client: FlaskClient) -> None:
    body = '{"skills": ["payroll"], "budget": {"max_rate": 20}, "weights": {"budget": 1}}'

    response = client.post("/api/v1/match", data=body, content_type="application/json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/vendors?q=acme%E2%80%AE", "q"),
        ("/api/v1/vendors?service=support%E2%81%A6", "service"),
    ],
)
def test_a_direction_override_in_a_filter_is_422(
    client: FlaskClient, path: str, field: str
) -> None:
    response = client.get(path)

    assert response.status_code == 422
    assert response.json is not None
    assert list(response.json["errors"]) == [field]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/vendors", vendor("acme-bpo", name="Acme \u202eOPB"), "name"),
        ("/api/v1/match", {"description": "payroll for \u2067our\u2069 staff"}, "description"),
        ("/api/v1/prospects", {"name": "Acme\u202d", "profile": {"skills": ["x"]}}, "name"),
    ],
)
def test_a_direction_override_in_a_body_is_422_on_its_field(
    client: FlaskClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(path, json=body)

    assert response.status_code == 422
    assert response.json is not None
    assert list(response.json["errors"]) == [field]
    assert "direction override" in str(response.json["errors"][field])


def test_a_vendor_named_with_invisible_characters_only_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors", json=vendor("acme-bpo", name="\u200b\u2060\ufeff"))

    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"] == {"name": ["May not be blank."]}


def test_a_website_is_a_web_address_or_422(client: FlaskClient) -> None:
    refused = client.post("/api/v1/vendors", json=vendor("a-1", website="javascript:alert(1)"))
    bare = client.post("/api/v1/vendors", json=vendor("a-2", website="www.acme.example"))

    assert refused.status_code == 422
    assert refused.json is not None
    assert list(refused.json["errors"]) == ["website"]
    assert bare.status_code == 201
    assert bare.json is not None
    assert bare.json["website"] == "https://www.acme.example"


def test_a_page_larger_than_the_largest_is_422_like_a_page_below_1(client: FlaskClient) -> None:
    too_large = client.get("/api/v1/vendors?per_page=501")
    largest = client.get("/api/v1/vendors?per_page=500")

    assert too_large.status_code == 422
    assert too_large.json is not None
    assert list(too_large.json["errors"]) == ["per_page"]
    assert "500" in str(too_large.json["errors"]["per_page"])
    assert largest.status_code == 200


def test_the_document_states_the_largest_page_the_service_allows(
    database: str, tmp_path: Path
) -> None:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database,
        "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAX_PAGE_SIZE": 40,
    }
    app: Flask = create_app(settings)
    try:
        client = app.test_client()
        client.environ_base["HTTP_X_API_KEY"] = make_key(app, "admin")
        document = client.get("/api/v1/openapi.json").json
        assert document is not None
        (per_page,) = (
            parameter["schema"]
            for parameter in document["paths"]["/api/v1/vendors"]["get"]["parameters"]
            if parameter["name"] == "per_page"
        )

        assert (per_page["minimum"], per_page["maximum"]) == (1, 40)
        assert client.get("/api/v1/vendors?per_page=41").status_code == 422
        assert client.get("/api/v1/vendors?per_page=40").status_code == 200
    finally:
        app.extensions["engine"].dispose()
