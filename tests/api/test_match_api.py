"""POST /api/v1/match and /api/v1/fit: every profile field, the contract shape, fresh data."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from matcher import create_app
from tests.factories import vendor
from vendors.catalog import create_vendor
from vendors.schema import load_record

CATALOG = [
    vendor(
        "manila-care",
        name="Manila Bay Care",
        tags=["BPO"],
        services=["Customer support", "Email and chat support"],
        delivery_countries=["PH"],
        languages=["en", "tl"],
        rate_min=9,
        rate_max=13,
        headcount=1200,
        certifications=["PCI DSS", "ISO 27001"],
        industries=["Retail"],
        rating=4.5,
        review_count=60,
    ),
    vendor(
        "bogota-contact",
        name="Bogota Contact Partners",
        tags=["BPO"],
        services=["Customer support", "Inbound call centre"],
        delivery_countries=["CO"],
        languages=["es", "en"],
        rate_min=14,
        rate_max=20,
        headcount=400,
        certifications=["ISO 27001"],
        industries=["Telecom"],
        rating=4.3,
        review_count=25,
    ),
    vendor(
        "pune-equity",
        name="Pune Equity Analysts",
        tags=["KPO"],
        services=["Equity research", "Financial modelling"],
        delivery_countries=["IN"],
        languages=["en", "hi"],
        rate_min=25,
        rate_max=40,
        currency="USD",
        headcount=90,
        certifications=["ISO 27001"],
        qualifications=["CFA", "MBA"],
        industries=["Asset management"],
        rating=4.7,
        review_count=40,
    ),
    vendor(
        "krakow-ledger",
        name="Krakow Ledger Services",
        tags=["BPO", "KPO"],
        services=["Accounts payable", "Financial modelling"],
        delivery_countries=["PL"],
        languages=["en", "pl", "de"],
        rate_min=30,
        rate_max=45,
        currency="EUR",
        headcount=None,
        certifications=None,
        qualifications=["ACCA"],
        industries=["Banking"],
        rating=None,
        review_count=None,
    ),
]


@pytest.fixture
def catalog(client: FlaskClient) -> None:
    for record in CATALOG:
        assert client.post("/api/v1/vendors", json=record).status_code == 201


def match(client: FlaskClient, profile: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post("/api/v1/match", json=profile)
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [result["vendor"]["id"] for result in body["results"]]


@pytest.mark.usefixtures("catalog")
def test_a_match_answers_in_the_contracts_shape(client: FlaskClient) -> None:
    body = match(client, {"skills": ["customer support"]})

    assert set(body) == {
        "engagement_model",
        "results",
        "considered",
        "excluded",
        "relaxations",
        "notes",
        "reading",
        "below_confidence",
        "below_min_score",
        "passed_over",
        "stable",
    }
    assert body["reading"]["services"][0]["code"] == "customer_support"
    assert body["considered"] == 4
    assert body["engagement_model"]["value"] == "BPO"
    assert body["engagement_model"]["inferred"] is True
    first = body["results"][0]
    assert first["rank"] == 1
    assert abs(sum(factor["points"] for factor in first["factors"]) - first["score"]) <= 0.1
    assert abs(sum(factor["weight"] for factor in first["factors"]) - 1) < 1e-9
    assert all(factor["reason"] for factor in first["factors"])


@pytest.mark.usefixtures("catalog")
def test_results_are_ordered_by_score(client: FlaskClient) -> None:
    scores = [result["score"] for result in match(client, {"skills": ["support"]})["results"]]

    assert scores == sorted(scores, reverse=True)


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("profile", "first"),
    [
        ({"skills": ["equity research"]}, "pune-equity"),
        ({"skills": ["customer support"], "languages": ["Spanish"]}, "bogota-contact"),
        (
            {"skills": ["customer support"], "client_country": "US", "delivery": ["nearshore"]},
            "bogota-contact",
        ),
        ({"skills": ["customer support"], "budget": {"max_rate": 12}}, "manila-care"),
        ({"skills": ["customer support"], "team_size": 1000}, "manila-care"),
        ({"skills": ["customer support"], "certifications": ["PCI-DSS"]}, "manila-care"),
        ({"skills": ["customer support"], "industry": "telecommunications"}, "bogota-contact"),
        ({"skills": ["financial modelling"], "qualifications": ["CFA"]}, "pune-equity"),
        ({"skills": ["financial modelling"], "countries": ["Eastern Europe"]}, "krakow-ledger"),
        ({"skills": ["customer support"], "countries": ["South-East Asia"]}, "manila-care"),
        ({"description": "Sell-side equity research and valuation models"}, "pune-equity"),
        ({"skills": ["Kundendienstleistungen"], "languages": ["es"]}, "bogota-contact"),
    ],
)
def test_each_profile_field_moves_the_ranking(
    client: FlaskClient, profile: dict[str, Any], first: str
) -> None:
    assert ids(match(client, profile))[0] == first


@pytest.mark.usefixtures("catalog")
def test_excluded_countries_are_never_ranked(client: FlaskClient) -> None:
    body = match(
        client, {"skills": ["customer support"], "exclude_countries": ["Philippines", "CO"]}
    )

    assert "manila-care" not in ids(body)
    assert "bogota-contact" not in ids(body)
    assert body["excluded"]["by_constraint"]["geography"] == 2


@pytest.mark.usefixtures("catalog")
def test_hard_constraints_exclude_and_are_counted(client: FlaskClient) -> None:
    body = match(
        client,
        {
            "skills": ["customer support"],
            "budget": {"max_rate": 15},
            "hard_constraints": ["budget"],
        },
    )

    assert set(ids(body)) == {"manila-care", "bogota-contact"}
    assert body["excluded"] == {"count": 2, "by_constraint": {"budget": 2}}


@pytest.mark.usefixtures("catalog")
def test_unknown_vendor_data_fails_a_hard_constraint(client: FlaskClient) -> None:
    body = match(
        client,
        {
            "skills": ["financial modelling"],
            "certifications": ["ISO 27001"],
            "hard_constraints": ["certifications"],
        },
    )

    assert "krakow-ledger" not in ids(body)


@pytest.mark.usefixtures("catalog")
def test_too_few_results_come_with_computed_relaxations(client: FlaskClient) -> None:
    profile = {
        "skills": ["customer support"],
        "budget": {"max_rate": 10},
        "hard_constraints": ["budget"],
        "limit": 3,
    }

    body = match(client, profile)
    relaxation = body["relaxations"][0]
    raised = float(relaxation["suggestion"].split(" to ")[1].split()[0])
    again = match(client, {**profile, "budget": {"max_rate": raised}})

    assert relaxation["constraint"] == "budget"
    assert len(ids(again)) - len(ids(body)) == relaxation["adds"]


@pytest.mark.usefixtures("catalog")
def test_the_engagement_model_is_taken_as_given(client: FlaskClient) -> None:
    body = match(client, {"skills": ["financial modelling"], "engagement_model": "kpo"})

    assert body["engagement_model"] == {
        "value": "KPO",
        "inferred": False,
        "reason": "as the requirement states",
    }


@pytest.mark.usefixtures("catalog")
def test_weights_override_the_defaults(client: FlaskClient) -> None:
    body = match(
        client,
        {
            "skills": ["customer support"],
            "budget": {"max_rate": 12},
            "weights": {"budget": 0, "skills": 1},
        },
    )

    weights = {factor["name"]: factor["weight"] for factor in body["results"][0]["factors"]}
    assert weights["budget"] == 0


@pytest.mark.usefixtures("catalog")
def test_limit_caps_the_results(client: FlaskClient) -> None:
    assert len(ids(match(client, {"skills": ["support"], "limit": 2}))) == 2


@pytest.mark.usefixtures("catalog")
def test_unknown_data_is_a_gap_never_a_reason(client: FlaskClient) -> None:
    body = match(
        client, {"skills": ["financial modelling"], "team_size": 10, "certifications": ["SOC 2"]}
    )

    krakow = next(result for result in body["results"] if result["vendor"]["id"] == "krakow-ledger")
    assert any("headcount not listed" in gap for gap in krakow["gaps"])
    assert not any("not listed" in reason for reason in krakow["reasons"])


@pytest.mark.usefixtures("catalog")
def test_each_result_says_how_sure_its_score_is_and_min_confidence_cuts_the_unsure(
    client: FlaskClient,
) -> None:
    profile = {"skills": ["financial modelling"], "team_size": 10, "certifications": ["SOC 2"]}
    body = match(client, profile)
    by_id = {result["vendor"]["id"]: result for result in body["results"]}
    krakow, pune = by_id["krakow-ledger"]["confidence"], by_id["pune-equity"]["confidence"]
    # Krakow lists no headcount, no certifications and no reviews.
    assert {"capacity", "certifications", "track_record"} <= set(krakow["unknown"])
    assert krakow["low"] < by_id["krakow-ledger"]["score"] < krakow["high"]
    assert pune["known_weight"] == 1.0
    assert pune["low"] == pune["high"] == by_id["pune-equity"]["score"]
    assert body["below_confidence"] == 0

    sure = match(client, {**profile, "min_confidence": 0.9})
    assert "krakow-ledger" not in ids(sure)
    assert "pune-equity" in ids(sure)
    assert sure["below_confidence"] >= 1


@pytest.mark.usefixtures("catalog")
def test_each_result_says_whether_its_place_holds_when_one_weight_changes(
    client: FlaskClient,
) -> None:
    body = match(client, {"skills": ["customer support"], "team_size": 100, "limit": 2})
    verdicts = [result["stability"] for result in body["results"]]

    assert body["stable"] == sum(verdict["stable"] for verdict in verdicts)
    for verdict in verdicts:
        assert verdict["stable"] == (not verdict["moves"])
        for move in verdict["moves"]:
            assert move["change"] in (0.2, -0.2)
            assert move["rank"] > 2
            assert move["reason"].startswith(f"drops to #{move['rank']} if ")


@pytest.mark.usefixtures("catalog")
def test_min_score_cuts_the_lower_scores_and_says_how_many(client: FlaskClient) -> None:
    profile = {"skills": ["customer support"], "limit": 100}
    every = match(client, profile)["results"]
    floor = every[1]["score"]

    cut = match(client, {**profile, "min_score": floor})
    assert [result["score"] for result in cut["results"]] == [
        result["score"] for result in every if result["score"] >= floor
    ]
    assert cut["below_min_score"] == sum(1 for result in every if result["score"] < floor)


@pytest.mark.usefixtures("catalog")
def test_max_per_country_keeps_one_market_from_filling_the_list(client: FlaskClient) -> None:
    cebu = vendor(
        "cebu-voice",
        name="Cebu Voice Desk",
        tags=["BPO"],
        services=["Customer support", "Inbound call centre"],
        delivery_countries=["PH"],
        languages=["en", "tl"],
        rate_min=8,
        rate_max=12,
        headcount=900,
        certifications=["PCI DSS", "ISO 27001"],
        rating=4.4,
        review_count=50,
    )
    assert client.post("/api/v1/vendors", json=cebu).status_code == 201
    profile = {"skills": ["customer support"], "limit": 2}
    plain = match(client, profile)
    assert ids(plain) == ["manila-care", "cebu-voice"]
    assert plain["passed_over"] == []

    spread = match(client, {**profile, "max_per_country": 1})
    assert ids(spread) == ["manila-care", "bogota-contact"]
    [passed] = spread["passed_over"]
    assert passed["vendor"]["id"] == "cebu-voice"
    assert (passed["rank"], passed["country"]) == (2, "PH")
    assert passed["score"] == plain["results"][1]["score"]
    assert "Philippines" in passed["reason"]


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({}, "skills"),
        ({"skills": ["x"], "colour": "red"}, "colour"),
        ({"skills": ["x"], "complexity": 7}, "complexity"),
        ({"skills": ["x"], "complexity": "extreme"}, "complexity"),
        ({"skills": ["x"], "engagement_model": "ITO"}, "engagement_model"),
        ({"skills": ["x"], "client_country": "Atlantis"}, "client_country"),
        ({"skills": ["x"], "delivery": ["nearshore"]}, "client_country"),
        ({"skills": ["x"], "delivery": ["moonshore"], "client_country": "US"}, "delivery"),
        ({"skills": ["x"], "countries": ["Middle Earth"]}, "countries"),
        ({"skills": ["x"], "exclude_countries": ["Narnia"]}, "exclude_countries"),
        ({"skills": ["x"], "languages": ["Gibberishian"]}, "languages"),
        ({"skills": ["x"], "budget": {"max_rate": -5}}, "budget"),
        ({"skills": ["x"], "budget": {"max_rate": 10, "currency": "DOL"}}, "budget"),
        ({"skills": ["x"], "team_size": 0}, "team_size"),
        ({"skills": ["x"], "hard_constraints": ["price"]}, "hard_constraints"),
        ({"skills": ["x"], "hard_constraints": ["budget"]}, "hard_constraints"),
        ({"skills": ["x"], "weights": {"price": 1}}, "weights"),
        ({"skills": ["x"], "weights": {"skills": -1}}, "weights"),
        ({"skills": ["x"], "limit": 0}, "limit"),
        ({"skills": ["x"], "limit": 101}, "limit"),
        ({"skills": ["x"], "min_confidence": 1.5}, "min_confidence"),
        ({"skills": ["x"], "min_score": 101}, "min_score"),
        ({"skills": ["x"], "min_score": -1}, "min_score"),
        ({"skills": ["x"], "max_per_country": 0}, "max_per_country"),
        ({"skills": ["x"], "max_per_country": 1.5}, "max_per_country"),
        ({"skills": "customer support"}, "skills"),
    ],
)
def test_a_bad_profile_is_422_naming_the_field(
    client: FlaskClient, profile: dict[str, Any], field: str
) -> None:
    assert field in match(client, profile, status=422)["errors"]


@pytest.mark.usefixtures("catalog")
def test_a_fit_matches_the_ranking_for_a_ranked_vendor(client: FlaskClient) -> None:
    profile = {"skills": ["customer support"], "languages": ["es"]}
    ranked = match(client, profile)["results"][1]

    response = client.post(
        "/api/v1/fit", json={"profile": profile, "vendor_id": ranked["vendor"]["id"]}
    )

    body = response.json
    assert body is not None
    assert (body["rank"], body["score"], body["excluded_by"]) == (2, ranked["score"], [])


@pytest.mark.usefixtures("catalog")
def test_a_fit_explains_an_excluded_vendor(client: FlaskClient) -> None:
    profile = {
        "skills": ["customer support"],
        "budget": {"max_rate": 10},
        "exclude_countries": ["CO"],
        "hard_constraints": ["budget"],
    }

    body = client.post("/api/v1/fit", json={"profile": profile, "vendor_id": "bogota-contact"}).json

    assert body is not None
    assert body["rank"] is None
    reasons = {item["constraint"]: item["reason"] for item in body["excluded_by"]}
    assert set(reasons) == {"budget", "geography"}
    assert "40% above" in reasons["budget"]


@pytest.mark.usefixtures("catalog")
def test_a_fit_says_what_it_would_take_and_each_change_holds_when_made(
    client: FlaskClient,
) -> None:
    # Manila does not speak Spanish, a hard constraint; Bogota does, and is the only one.
    profile = {
        "skills": ["customer support"],
        "languages": ["es"],
        "certifications": ["PCI DSS"],
        "hard_constraints": ["languages"],
        "limit": 1,
    }
    body = client.post("/api/v1/fit", json={"profile": profile, "vendor_id": "manila-care"}).json
    assert body is not None
    assert body["rank"] is None
    [speaks] = [item for item in body["would_take"] if item["change"]["field"] == "languages"]
    assert speaks["change"] == {"field": "languages", "add": "es"}
    assert speaks["rank"] == 1
    assert "speaking Spanish" in speaks["reason"]
    assert [item["rank"] for item in body["would_take"]] == sorted(
        item["rank"] for item in body["would_take"]
    )

    # Made for real, the change gives the rank and the score it said.
    response = client.patch("/api/v1/vendors/manila-care", json={"languages": ["en", "tl", "es"]})
    assert response.status_code == 200
    top = match(client, profile)["results"][0]
    assert (top["vendor"]["id"], top["score"]) == ("manila-care", speaks["score"])
    again = client.post("/api/v1/fit", json={"profile": profile, "vendor_id": "manila-care"}).json
    assert again is not None
    assert (again["rank"], again["would_take"]) == (1, [])


def test_a_fit_for_an_unknown_vendor_is_404(client: FlaskClient) -> None:
    response = client.post("/api/v1/fit", json={"profile": {"skills": ["x"]}, "vendor_id": "ghost"})

    assert response.status_code == 404


def test_a_fit_with_a_bad_profile_is_422_under_profile(client: FlaskClient) -> None:
    response = client.post("/api/v1/fit", json={"profile": {"limit": 0}, "vendor_id": "x"})

    assert response.status_code == 422
    assert response.json is not None
    assert "profile" in response.json["errors"]


@pytest.mark.usefixtures("catalog")
def test_a_catalog_change_is_seen_by_the_next_match(client: FlaskClient) -> None:
    before = ids(match(client, {"skills": ["equity research"]}))

    client.delete("/api/v1/vendors/pune-equity")
    client.post(
        "/api/v1/vendors", json=vendor("lima-equity", tags=["KPO"], services=["Equity research"])
    )
    after = ids(match(client, {"skills": ["equity research"]}))

    assert before[0] == "pune-equity"
    assert after[0] == "lima-equity"
    assert "pune-equity" not in after


def test_an_empty_catalog_answers_no_results(client: FlaskClient) -> None:
    body = match(client, {"skills": ["payroll"]})

    assert (body["results"], body["considered"]) == ([], 0)


def test_a_change_through_one_worker_is_seen_by_another_on_its_next_request(
    client: FlaskClient, database: str
) -> None:
    other_worker = create_app({"TESTING": True, "DATABASE_URL": database}).test_client()
    other_worker.environ_base.update(client.environ_base)
    client.post("/api/v1/vendors", json=vendor("first", services=["Payroll processing"]))
    before = ids(match(other_worker, {"skills": ["payroll"]}))

    client.post("/api/v1/vendors", json=vendor("second", services=["Payroll processing"]))
    client.patch("/api/v1/vendors/first", json={"services": ["Data entry"]})
    after = ids(match(other_worker, {"skills": ["payroll"]}))

    other_worker.application.extensions["engine"].dispose()
    assert before[0] == "first"
    assert after[0] == "second"


@pytest.mark.usefixtures("catalog")
def test_a_requirement_the_engine_cannot_read_says_so(client: FlaskClient) -> None:
    body = match(client, {"description": "We need zebra grooming experts"})

    assert any("No service was recognised" in note for note in body["notes"])


@pytest.mark.usefixtures("catalog")
def test_skills_that_must_be_met_but_are_not_recognised_exclude_everyone(
    client: FlaskClient,
) -> None:
    body = match(
        client, {"description": "We need zebra grooming experts", "hard_constraints": ["skills"]}
    )

    assert body["results"] == []
    assert body["excluded"]["by_constraint"] == {"skills": 4}


@pytest.mark.usefixtures("catalog")
def test_an_excluded_vendor_is_excluded_once_per_constraint_with_its_own_countries(
    client: FlaskClient,
) -> None:
    profile = {
        "skills": ["customer support"],
        "client_country": "US",
        "countries": ["Latin America"],
        "exclude_countries": ["Colombia"],
        "hard_constraints": ["geography"],
    }

    body = client.post("/api/v1/fit", json={"profile": profile, "vendor_id": "bogota-contact"}).json

    assert body is not None
    [exclusion] = body["excluded_by"]
    assert exclusion["constraint"] == "geography"
    assert "delivers only from excluded countries (Colombia)" in exclusion["reason"]


@pytest.mark.usefixtures("catalog")
def test_a_match_asks_the_database_one_question_and_still_sees_every_change(
    app: Flask, client: FlaskClient
) -> None:
    match(client, {"skills": ["payroll"]})  # the index is built
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper() != "SELECT 1":  # the pool's liveness ping
            statements.append(statement)

    engine: Engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        before = ids(match(client, {"skills": ["payroll"]}))
        # The key and the catalog's revision come back together.
        assert len(statements) == 1, statements
        assert "api_keys" in statements[0]
        assert "catalog_state" in statements[0]

        # Another process changes the catalog: only the bumped revision tells this one.
        with Session(engine) as other:
            create_vendor(other, load_record(vendor("late-payroll", services=["Payroll"])))
            other.commit()
        statements.clear()
        after = ids(match(client, {"skills": ["payroll"]}))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "late-payroll" not in before
    assert "late-payroll" in after
    assert len(statements) > 1  # the rebuild read the catalog
