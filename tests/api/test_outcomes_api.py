"""Outcomes: what became of vendors on searches and prospects, and the track record they make."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import db
from tests.conftest import make_key
from tests.factories import vendor
from vendors.searches import save_search

# Two vendors alike in everything but their ids: the earlier id wins the tie, until outcomes.
TWINS = [
    vendor("cebu-care", rating=4.5, review_count=80),
    vendor("manila-care", rating=4.5, review_count=80),
]
PROFILE = {"skills": ["customer support"], "limit": 2}


@pytest.fixture
def prospect_id(client: FlaskClient) -> int:
    for record in TWINS:
        assert client.post("/api/v1/vendors", json=record).status_code == 201
    response = client.post("/api/v1/prospects", json={"name": "Delta Retail", "profile": PROFILE})
    assert response.status_code == 201
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return int(body["id"])


def record(client: FlaskClient, status: int = 201, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/outcomes", json=fields)
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def ranked(client: FlaskClient) -> list[str]:
    body: dict[str, Any] = client.post("/api/v1/match", json=PROFILE).json  # type: ignore[assignment]
    return [item["vendor"]["id"] for item in body["results"]]


def test_a_vendor_goes_from_shortlisted_to_delivered_and_its_rating_moves_its_rank(
    client: FlaskClient, prospect_id: int
) -> None:
    assert ranked(client) == ["cebu-care", "manila-care"]
    for stage in ("shortlisted", "invited", "awarded"):
        record(client, vendor_id="cebu-care", prospect_id=prospect_id, stage=stage)
    # Recorded but not delivered: nothing about the work is known yet, so nothing moves.
    assert ranked(client) == ["cebu-care", "manila-care"]

    done = record(
        client,
        vendor_id="cebu-care",
        prospect_id=prospect_id,
        stage="delivered",
        rating=2.0,
        note="Missed the service levels for three months running.",
    )
    assert (done["stage"], done["rating"], done["search_id"]) == ("delivered", 2.0, None)
    assert done["actor"]
    # One verified 2.0 outweighs 80 self-stated reviews at 4.5.
    assert ranked(client) == ["manila-care", "cebu-care"]
    fit = client.post("/api/v1/fit", json={"profile": PROFILE, "vendor_id": "cebu-care"}).json
    assert fit is not None
    [track] = [factor for factor in fit["factors"] if factor["name"] == "track_record"]
    assert track["reason"].startswith("2.0 from 1 verified outcome")
    assert "its own rating (4.5 from 80 reviews) not used" in track["reason"]

    listed = client.get("/api/v1/outcomes?vendor_id=cebu-care").json
    assert listed is not None
    assert [item["stage"] for item in listed["items"]] == [
        "delivered",
        "awarded",
        "invited",
        "shortlisted",
    ]
    trail = client.get("/api/v1/audit?vendor_id=cebu-care").json
    assert trail is not None
    assert sum(1 for item in trail["items"] if item["action"] == "outcome") == 4


def test_an_outcome_on_a_search_is_recorded_by_procurement_and_read_by_a_viewer(
    app: Flask, client: FlaskClient, prospect_id: int
) -> None:
    with app.app_context():
        search = save_search(db.session(), owner_id=None, form={}, profile=PROFILE)
        db.session().commit()
        search_id = search.id
    buyer = app.test_client()
    buyer.environ_base["HTTP_X_API_KEY"] = make_key(app, "procurement")
    made = buyer.post(
        "/api/v1/outcomes",
        json={"vendor_id": "manila-care", "search_id": search_id, "stage": "declined"},
    )
    assert made.status_code == 201

    viewer = app.test_client()
    viewer.environ_base["HTTP_X_API_KEY"] = make_key(app, "viewer")
    seen = viewer.get(f"/api/v1/outcomes?search_id={search_id}").json
    assert seen is not None
    assert [item["vendor_id"] for item in seen["items"]] == ["manila-care"]
    refused = viewer.post(
        "/api/v1/outcomes",
        json={"vendor_id": "manila-care", "search_id": search_id, "stage": "declined"},
    )
    assert refused.status_code == 403
    seller = app.test_client()
    seller.environ_base["HTTP_X_API_KEY"] = make_key(app, "sales")
    body = {"vendor_id": "manila-care", "prospect_id": prospect_id, "stage": "awarded"}
    assert seller.post("/api/v1/outcomes", json=body).status_code == 403


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"stage": "delivered"}, 422, "rating"),
        ({"stage": "invited", "rating": 4.0}, 422, "rating"),
        ({"stage": "hired"}, 422, "stage"),
        ({"stage": "delivered", "rating": 6}, 422, "rating"),
        # Delivered work that was never awarded here: the record says otherwise.
        ({"stage": "delivered", "rating": 4.0}, 409, None),
        ({"stage": "awarded", "vendor_id": "ghost"}, 404, None),
        ({"stage": "awarded", "prospect_id": 999}, 404, None),
        ({"stage": "awarded", "search_id": "nope"}, 404, None),
    ],
)
def test_an_outcome_that_cannot_be_true_is_refused_and_nothing_is_kept(
    client: FlaskClient,
    prospect_id: int,
    fields: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    given = {"vendor_id": "cebu-care", "prospect_id": prospect_id, **fields}
    if "search_id" in fields:
        given.pop("prospect_id")
    body = record(client, status, **given)
    if field is not None:
        assert field in body["errors"]
    listed = client.get("/api/v1/outcomes?vendor_id=cebu-care").json
    assert listed == {"items": []}


def test_an_outcome_names_one_search_or_one_prospect_never_both_nor_neither(
    app: Flask, client: FlaskClient, prospect_id: int
) -> None:
    with app.app_context():
        search_id = save_search(db.session(), owner_id=None, form={}, profile=PROFILE).id
        db.session().commit()
    both = {"search_id": search_id, "prospect_id": prospect_id}
    assert (
        "search_id" in record(client, 422, vendor_id="cebu-care", stage="invited", **both)["errors"]
    )
    assert "search_id" in record(client, 422, vendor_id="cebu-care", stage="invited")["errors"]


def test_an_admin_takes_back_an_outcome_recorded_in_error_and_the_rank_returns(
    client: FlaskClient, prospect_id: int
) -> None:
    record(client, vendor_id="cebu-care", prospect_id=prospect_id, stage="awarded")
    wrong = record(
        client, vendor_id="cebu-care", prospect_id=prospect_id, stage="delivered", rating=1.0
    )
    assert ranked(client) == ["manila-care", "cebu-care"]

    assert client.delete(f"/api/v1/outcomes/{wrong['id']}").status_code == 204
    assert ranked(client) == ["cebu-care", "manila-care"]
    assert client.delete(f"/api/v1/outcomes/{wrong['id']}").status_code == 404
    trail = client.get("/api/v1/audit?vendor_id=cebu-care").json
    assert trail is not None
    assert trail["items"][0]["action"] == "outcome deleted"
