"""The vendor endpoints: create, read, replace, update, delete, list with filters."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import vendor


def add(client: FlaskClient, record: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/vendors", json=record)
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def test_a_created_vendor_can_be_read_back_normalised(client: FlaskClient) -> None:
    add(client, vendor("manila-1", delivery_countries=["Philippines"], languages=["English"]))

    response = client.get("/api/v1/vendors/manila-1")

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["delivery_countries"] == ["PH"]
    assert body["languages"] == ["en"]
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'


def test_creating_a_vendor_answers_201_with_its_location(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors", json=vendor("loc-1"))

    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/vendors/loc-1")


def test_unknown_fields_of_a_vendor_are_absent_in_the_answer(client: FlaskClient) -> None:
    body = add(client, {"id": "lean", "name": "Lean Co", "tags": ["KPO"]})

    assert "rate_min" not in body
    assert "headcount" not in body


def test_creating_an_existing_id_is_a_conflict(client: FlaskClient) -> None:
    add(client, vendor("dup"))

    response = client.post("/api/v1/vendors", json=vendor("dup"))

    assert response.status_code == 409
    assert response.json is not None
    assert "dup" in response.json["message"]


def test_an_unknown_id_is_404_in_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/vendors/nobody")

    assert response.status_code == 404
    assert response.json == {
        "status": 404,
        "message": "No vendor has the id 'nobody'.",
        "errors": {},
    }


def test_validation_errors_are_422_with_field_messages(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors", json=vendor("bad", rating=8, fax="1"))

    assert response.status_code == 422
    body = response.json
    assert body is not None
    assert body["status"] == 422
    assert set(body["errors"]) == {"rating", "fax"}


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors", data='{"id": "x",', content_type="application/json")

    assert response.status_code == 400
    assert response.json is not None
    assert response.json["status"] == 400


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors", data="id=x", content_type="text/plain")

    assert response.status_code == 415


@pytest.mark.parametrize("body", ["[]", '"text"', "null", "42"])
def test_json_that_is_not_an_object_is_422(client: FlaskClient, body: str) -> None:
    response = client.post("/api/v1/vendors", data=body, content_type="application/json")

    assert response.status_code == 422


def test_put_replaces_the_whole_record(client: FlaskClient) -> None:
    add(client, vendor("r1", headcount=100, rating=4.0))

    response = client.put("/api/v1/vendors/r1", json={"name": "Renamed", "tags": ["KPO"]})

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert (body["name"], body["tags"], body["version"]) == ("Renamed", ["KPO"], 2)
    assert "headcount" not in body


def test_put_to_a_new_id_creates_it(client: FlaskClient) -> None:
    response = client.put("/api/v1/vendors/fresh", json={"name": "Fresh", "tags": ["BPO"]})

    assert response.status_code == 201


def test_put_with_a_different_id_in_the_body_is_refused(client: FlaskClient) -> None:
    add(client, vendor("r2"))

    response = client.put("/api/v1/vendors/r2", json=vendor("other"))

    assert response.status_code == 422
    assert response.json is not None
    assert "id" in response.json["errors"]


def test_patch_changes_only_the_given_fields_and_null_clears(client: FlaskClient) -> None:
    add(client, vendor("p1", headcount=100, rating=4.0))

    response = client.patch("/api/v1/vendors/p1", json={"headcount": 250, "rating": None})

    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["headcount"] == 250
    assert "rating" not in body
    assert body["name"] == vendor("p1")["name"]


def test_patch_validates_the_record_as_a_whole(client: FlaskClient) -> None:
    add(client, vendor("p2", rate_min=10, rate_max=20))

    response = client.patch("/api/v1/vendors/p2", json={"rate_min": 35})

    assert response.status_code == 422
    assert response.json is not None
    assert "rate_max" in response.json["errors"]


def test_patch_cannot_clear_a_required_field(client: FlaskClient) -> None:
    add(client, vendor("p3"))

    response = client.patch("/api/v1/vendors/p3", json={"name": None})

    assert response.status_code == 422


def test_a_change_based_on_a_stale_version_is_a_conflict(client: FlaskClient) -> None:
    add(client, vendor("v1"))
    client.patch("/api/v1/vendors/v1", json={"headcount": 1})

    stale = client.patch("/api/v1/vendors/v1", json={"headcount": 2}, headers={"If-Match": '"1"'})
    fresh = client.patch("/api/v1/vendors/v1", json={"headcount": 3, "version": 2})

    assert stale.status_code == 409
    assert fresh.status_code == 200


def test_delete_removes_the_vendor(client: FlaskClient) -> None:
    add(client, vendor("d1"))

    assert client.delete("/api/v1/vendors/d1").status_code == 204
    assert client.get("/api/v1/vendors/d1").status_code == 404
    assert client.delete("/api/v1/vendors/d1").status_code == 404


def listing(client: FlaskClient, query: str) -> list[str]:
    response = client.get(f"/api/v1/vendors?{query}")
    assert response.status_code == 200, response.json
    assert response.json is not None
    return [item["id"] for item in response.json["items"]]


@pytest.fixture
def small_catalog(client: FlaskClient) -> None:
    add(client, vendor("ph-bpo", delivery_countries=["PH"], services=["Inbound call centre"]))
    add(
        client,
        vendor(
            "in-kpo",
            name="Deccan Equity Research",
            tags=["KPO"],
            delivery_countries=["IN", "PH"],
            services=["Equity research", "Financial modelling"],
            description="Sell-side research support with CFA charterholders.",
        ),
    )
    add(
        client,
        vendor(
            "mx-both",
            name="Sierra Madre Servicios",
            tags=["both"],
            delivery_countries=["MX"],
            services=["Soporte en español", "Market research"],
        ),
    )


@pytest.mark.usefixtures("small_catalog")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["in-kpo", "mx-both", "ph-bpo"]),
        ("tag=KPO", ["in-kpo", "mx-both"]),
        ("tag=bpo", ["mx-both", "ph-bpo"]),
        ("country=PH", ["in-kpo", "ph-bpo"]),
        ("country=Mexico", ["mx-both"]),
        ("service=research", ["in-kpo", "mx-both"]),
        ("service=ESPAÑOL", ["mx-both"]),
        ("service=español", ["mx-both"]),
        ("q=cfa", ["in-kpo"]),
        ("q=sierra", ["mx-both"]),
        ("q=100%25", []),
        ("tag=KPO&country=IN", ["in-kpo"]),
        ("sort=-id", ["ph-bpo", "mx-both", "in-kpo"]),
    ],
)
def test_the_listing_filters_by_tag_country_service_and_text(
    client: FlaskClient, query: str, expected: list[str]
) -> None:
    assert listing(client, query) == expected


@pytest.mark.usefixtures("small_catalog")
def test_the_listing_is_paginated_with_links(client: FlaskClient) -> None:
    response = client.get("/api/v1/vendors?per_page=2&page=2")

    body = response.json
    assert body is not None
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (3, 2, 2, 1)
    assert body["next"] is None
    assert "page=1" in body["prev"]


@pytest.mark.parametrize(
    "query",
    [
        "country=Atlantis",
        "tag=ITO",
        "page=0",
        "per_page=0",
        "per_page=100000",
        "sort=price",
        "colour=red",
    ],
)
def test_bad_listing_parameters_are_422(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/v1/vendors?{query}")

    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"]


def test_an_unknown_route_is_404_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json is not None
    assert response.json["status"] == 404


def test_a_wrong_method_is_405_json(client: FlaskClient) -> None:
    response = client.delete("/api/v1/vendors")

    assert response.status_code == 405
    assert response.json is not None
    assert response.json["status"] == 405


def test_a_json_body_over_the_size_limit_is_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2000
    record = vendor("big", description="x" * 5000)

    response = client.post("/api/v1/vendors", json=record)

    assert response.status_code == 413
    assert response.json is not None
    assert response.json["status"] == 413


def test_a_malformed_if_match_is_400(client: FlaskClient) -> None:
    add(client, vendor("im"))

    response = client.patch("/api/v1/vendors/im", json={}, headers={"If-Match": "yesterday"})

    assert response.status_code == 400


def test_what_was_read_can_be_sent_back_and_changes_nothing(client: FlaskClient) -> None:
    body = add(client, vendor("round"))

    response = client.put("/api/v1/vendors/round", json=body)

    assert response.status_code == 200
    assert response.json == body
