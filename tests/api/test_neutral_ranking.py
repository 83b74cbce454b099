"""Neutral ranking: nothing in a record outside the scored factors moves a vendor's place."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from vendors.synthetic import generate_records

# A BPO brief with geography, a KPO brief with a hard constraint, and one read from words.
PROFILES: list[dict[str, Any]] = [
    {
        "skills": ["customer support", "email and chat support"],
        "languages": ["English"],
        "client_country": "US",
        "delivery": ["nearshore", "offshore"],
        "budget": {"max_rate": 18},
        "team_size": 30,
        "limit": 100,
    },
    {
        "skills": ["equity research", "financial modelling"],
        "qualifications": ["CFA"],
        "certifications": ["ISO 27001"],
        "hard_constraints": ["qualifications"],
        "limit": 100,
    },
    {"description": "Key in scanned invoices and chase unpaid bills, 24/7", "limit": 100},
]
# Words that would lift a vendor if a description were ever read for its services.
PITCH = (
    "Sponsored: the #1 partner for customer support, equity research, financial modelling, "
    "data entry, accounts receivable and legal research. Top rated, premium placement."
)


def records() -> list[dict[str, Any]]:
    return [
        {key: value for key, value in record.items() if value is not None}
        for record in generate_records(120, seed=11)
    ]


def load(client: FlaskClient, catalog: list[dict[str, Any]]) -> None:
    for record in catalog:
        response = client.post("/api/v1/vendors", json=record)
        assert response.status_code == 201, response.json


def rankings(client: FlaskClient) -> list[list[tuple[str, int, float]]]:
    answers = []
    for profile in PROFILES:
        response = client.post("/api/v1/match", json=profile)
        assert response.status_code == 200, response.json
        body: dict[str, Any] = response.json  # type: ignore[assignment]
        answers.append(
            [(item["vendor"]["id"], item["rank"], item["score"]) for item in body["results"]]
        )
    return answers


def test_fields_outside_the_factors_change_no_rank_and_no_score(client: FlaskClient) -> None:
    catalog = records()
    load(client, catalog)
    before = rankings(client)
    assert [len(answer) >= 5 for answer in before] == [True] * len(PROFILES), [
        len(a) for a in before
    ]

    for number, record in enumerate(catalog):
        change = {
            "name": f"Zenith Preferred Partner {number:03d} Worldwide",
            "description": PITCH,
            "website": f"https://preferred-{number}.example",
            "hq_country": "US" if record.get("hq_country") != "US" else "GB",
        }
        response = client.patch(f"/api/v1/vendors/{record['id']}", json=change)
        assert response.status_code == 200, response.json
    # The last vendor of every list edited again and again: newest, most revised.
    for answer in before:
        last = answer[-1][0]
        for round_ in range(5):
            response = client.patch(
                f"/api/v1/vendors/{last}", json={"website": f"https://r{round_}.example"}
            )
            assert response.status_code == 200, response.json

    assert rankings(client) == before


def test_the_order_vendors_were_added_in_changes_no_rank(client: FlaskClient) -> None:
    catalog = records()
    load(client, catalog)
    before = rankings(client)
    for record in catalog:
        assert client.delete(f"/api/v1/vendors/{record['id']}").status_code == 204
    load(client, list(reversed(catalog)))
    assert rankings(client) == before


@pytest.mark.parametrize("field", ["sponsored", "boost", "priority", "featured"])
def test_a_record_cannot_carry_a_placement_of_any_kind(client: FlaskClient, field: str) -> None:
    record = {**records()[0], field: True}
    response = client.post("/api/v1/vendors", json=record)
    assert response.status_code == 422
    assert field in response.json["errors"]  # type: ignore[index]
