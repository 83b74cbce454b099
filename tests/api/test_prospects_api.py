"""Saved prospects for sales: a named profile, its matches and a vendor's fit."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import vendor

PROFILE = {"skills": ["customer support"], "languages": ["es"], "client_country": "US"}


@pytest.fixture
def catalog(client: FlaskClient) -> None:
    client.post(
        "/api/v1/vendors", json=vendor("mx-care", delivery_countries=["MX"], languages=["es", "en"])
    )
    client.post(
        "/api/v1/vendors", json=vendor("ph-care", delivery_countries=["PH"], languages=["en"])
    )


def save(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/prospects", json={"name": "Acme Retail", "profile": PROFILE, **fields}
    )
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_a_saved_prospect_can_be_read_listed_changed_and_deleted(client: FlaskClient) -> None:
    saved = save(client, company="Acme Retail Inc.")
    url = f"/api/v1/prospects/{saved['id']}"

    listed = client.get("/api/v1/prospects").json
    changed = client.patch(url, json={"notes": "Wants Spanish support by Q2"}).json
    deleted = client.delete(url)

    assert listed is not None
    assert [item["name"] for item in listed["items"]] == ["Acme Retail"]
    assert changed is not None
    assert changed["notes"] == "Wants Spanish support by Q2"
    assert changed["profile"] == PROFILE
    assert deleted.status_code == 204
    assert client.get(url).status_code == 404


def test_a_prospect_with_a_bad_profile_is_refused(client: FlaskClient) -> None:
    response = client.post("/api/v1/prospects", json={"name": "Bad", "profile": {"limit": 0}})

    assert response.status_code == 422
    assert response.json is not None
    assert "profile" in response.json["errors"]


def test_two_prospects_cannot_share_a_name(client: FlaskClient) -> None:
    save(client)

    response = client.post("/api/v1/prospects", json={"name": "Acme Retail", "profile": PROFILE})

    assert response.status_code == 409


def test_put_replaces_a_prospect_whole(client: FlaskClient) -> None:
    saved = save(client, company="Acme", notes="old")

    body = client.put(
        f"/api/v1/prospects/{saved['id']}",
        json={"name": "Acme 2", "profile": {"skills": ["payroll"]}},
    ).json

    assert body is not None
    assert (body["name"], body["company"], body["notes"]) == ("Acme 2", None, None)


@pytest.mark.usefixtures("catalog")
def test_a_prospects_matches_rank_the_catalog_for_its_profile(client: FlaskClient) -> None:
    saved = save(client)

    body = client.get(f"/api/v1/prospects/{saved['id']}/matches").json

    assert body is not None
    assert body["results"][0]["vendor"]["id"] == "mx-care"


@pytest.mark.usefixtures("catalog")
def test_a_prospects_fit_for_a_named_vendor(client: FlaskClient) -> None:
    saved = save(client)

    body = client.get(f"/api/v1/prospects/{saved['id']}/fit/ph-care").json
    missing = client.get(f"/api/v1/prospects/{saved['id']}/fit/ghost")

    assert body is not None
    assert (body["rank"], body["vendor"]["id"]) == (2, "ph-care")
    assert any("not Spanish" in factor["reason"] for factor in body["factors"])
    assert missing.status_code == 404


def test_an_unknown_prospect_is_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/prospects/999").status_code == 404
    assert client.get("/api/v1/prospects/999/matches").status_code == 404
