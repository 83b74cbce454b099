"""Sales pages: prospects with their saved profile, top matches and a fit check."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import db
from tests.web.conftest import post_form
from tests.web.test_search_pages import ranked, run
from vendors.models import Prospect
from vendors.prospects import save_prospect

Client = Callable[[str], FlaskClient]


@pytest.fixture
def seller(signed_in: Client, catalog: None) -> FlaskClient:
    return signed_in("sales")


def add_prospect(app: Flask, name: str, profile: dict[str, object]) -> int:
    with app.app_context():
        prospect = save_prospect(
            db.session(), {"name": name, "company": "Gamma Retail", "profile": profile}
        )
        db.session().commit()
        return prospect.id


def test_a_search_is_saved_for_a_new_prospect_and_its_page_shows_matches_and_profile(
    seller: FlaskClient, app: Flask
) -> None:
    path, _ = run(seller, title="Retail support", skills="Customer support", languages="Spanish")
    search_id = path.rsplit("/", 1)[1]

    saved = post_form(
        seller,
        "/prospects",
        {"search_id": search_id, "name": "Gamma", "company": "Gamma Retail"},
        page=path,
    )
    page = seller.get(saved.headers["Location"]).get_data(as_text=True)
    listed = seller.get("/prospects").get_data(as_text=True)

    assert saved.status_code == 302
    assert "<h1>Gamma" in page
    assert "Retail support" in page  # the saved profile
    assert ranked(page)[0] == "bogota-contact"  # its top matches
    assert "no vendor pays for a place" in page
    assert "Gamma Retail" in listed


def test_a_prospect_name_is_not_taken_twice_and_an_existing_profile_can_be_replaced(
    seller: FlaskClient, app: Flask
) -> None:
    prospect_id = add_prospect(app, "Gamma", {"skills": ["Equity research"]})
    path, _ = run(seller, skills="Customer support")
    search_id = path.rsplit("/", 1)[1]

    clash = post_form(seller, "/prospects", {"search_id": search_id, "name": "Gamma"}, page=path)
    assert "A prospect named “Gamma” exists" in seller.get(clash.headers["Location"]).get_data(
        as_text=True
    )

    post_form(
        seller, "/prospects", {"search_id": search_id, "prospect_id": str(prospect_id)}, page=path
    )
    with app.app_context():
        prospect = db.session().get(Prospect, prospect_id)
        assert prospect is not None
        assert prospect.profile["skills"] == ["Customer support"]


def test_a_fit_check_names_a_vendor_and_explains_it(seller: FlaskClient, app: Flask) -> None:
    prospect_id = add_prospect(
        app,
        "Gamma",
        {"skills": ["Customer support"], "languages": ["es"], "hard_constraints": ["languages"]},
    )

    page = seller.get(f"/prospects/{prospect_id}?vendor=Manila+Bay+Care").get_data(as_text=True)
    fits = seller.get(f"/prospects/{prospect_id}?vendor=bogota-contact").get_data(as_text=True)

    assert "Left out by 1 hard constraint" in page
    assert "<h3>Manila Bay Care</h3>" in page
    assert "What it would take to be in the top 10" in page
    assert re.search(r"Would rank #\d+ \([\d.]+\) speaking Spanish", page)
    assert "for this prospect" in fits
    assert "Ranked #1" in fits


def test_a_prospect_opens_as_a_search_of_ones_own(seller: FlaskClient, app: Flask) -> None:
    prospect_id = add_prospect(app, "Gamma", {"skills": ["Equity research"]})

    response = post_form(
        seller, f"/prospects/{prospect_id}/search", {}, page=f"/prospects/{prospect_id}"
    )
    page = seller.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"].startswith("/searches/")
    assert "<h1>Gamma</h1>" in page
    assert ranked(page)[0] == "pune-equity"


def test_procurement_neither_sees_prospects_nor_saves_for_one(
    signed_in: Client, catalog: None, app: Flask
) -> None:
    buyer = signed_in("procurement")
    prospect_id = add_prospect(app, "Gamma", {"skills": ["Equity research"]})
    path, page = run(buyer, skills="Customer support")

    assert "Save for a prospect" not in page
    assert buyer.get(f"/prospects/{prospect_id}").status_code == 403
    assert (
        post_form(
            buyer, "/prospects", {"search_id": path.rsplit("/", 1)[1], "name": "X"}, page=path
        ).status_code
        == 403
    )


def test_a_prospect_can_be_deleted_and_an_unknown_one_is_a_404(
    seller: FlaskClient, app: Flask
) -> None:
    prospect_id = add_prospect(app, "Gamma", {"skills": ["Equity research"]})

    deleted = post_form(
        seller, f"/prospects/{prospect_id}/delete", {}, page=f"/prospects/{prospect_id}"
    )

    assert deleted.status_code == 302
    assert seller.get(f"/prospects/{prospect_id}").status_code == 404
