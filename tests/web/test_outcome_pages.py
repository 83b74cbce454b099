"""Outcomes on the pages: recorded from a shortlist or a prospect, shown on the vendor's page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import db
from tests.web.conftest import post_form
from vendors.outcomes import list_outcomes
from vendors.prospects import save_prospect

Client = Callable[[str], FlaskClient]


@pytest.fixture
def shortlist(signed_in: Client, catalog: None) -> tuple[FlaskClient, str]:
    """Return a procurement user and the path of a search with Manila on its shortlist."""
    buyer = signed_in("procurement")
    response = post_form(
        buyer, "/search", {"action": "run", "skills": "Customer support"}, page="/search"
    )
    path = response.headers["Location"]
    added = post_form(buyer, f"{path}/shortlist", {"add": "manila-care"}, page=path)
    assert added.status_code == 302
    return buyer, path


def record(client: FlaskClient, page: str, **fields: str) -> str:
    response = post_form(client, "/outcomes", fields, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash \w+" role="status">([^<]*)</p>', page)


def test_a_buyer_records_the_award_and_the_delivery_and_the_vendor_page_shows_them(
    shortlist: tuple[FlaskClient, str],
) -> None:
    buyer, path = shortlist
    search_id = path.rsplit("/", 1)[1]
    page = buyer.get(f"{path}/shortlist").get_data(as_text=True)
    assert "Record the outcome" in page
    assert "No outcome is recorded yet." in page

    record(
        buyer, f"{path}/shortlist", search_id=search_id, vendor_id="manila-care", stage="awarded"
    )
    after = record(
        buyer,
        f"{path}/shortlist",
        search_id=search_id,
        vendor_id="manila-care",
        stage="delivered",
        rating="4,5",
        note="Handled the holiday peak without a missed target.",
    )
    assert "Recorded: manila-care delivered." in flashes(after)
    assert "2 outcomes, newest first" in after
    assert "Handled the holiday peak without a missed target." in after

    vendor_page = buyer.get("/vendors/manila-care").get_data(as_text=True)
    assert "4.5 of 5 from 1 verified outcome" in vendor_page
    assert "awarded" in vendor_page


def test_an_outcome_that_cannot_be_true_is_refused_with_the_reason_and_nothing_is_kept(
    app: Flask, shortlist: tuple[FlaskClient, str]
) -> None:
    buyer, path = shortlist
    search_id = path.rsplit("/", 1)[1]
    page = f"{path}/shortlist"
    common = {"search_id": search_id, "vendor_id": "manila-care"}

    unrated = record(buyer, page, **common, stage="delivered", rating="4")
    assert flashes(unrated) == [
        "Not recorded: Record the award first: only awarded work can be rated as delivered."
    ]
    too_high = record(buyer, page, **common, stage="awarded", rating="7", note="Second pilot")
    assert flashes(too_high)[0].startswith("Not recorded: rating:")
    # What was typed is back in the form, once.
    assert re.search(r'<input id="outcome-rating" name="rating"[^>]* value="7">', too_high)
    assert ">Second pilot</textarea>" in too_high
    assert '<option value="awarded" selected>' in too_high
    assert ">Second pilot</textarea>" not in buyer.get(page).get_data(as_text=True)
    with app.app_context():
        assert list_outcomes(db.session(), search_id=search_id) == []


def test_on_a_prospect_an_admin_records_outcomes_and_sales_only_read_them(
    app: Flask, signed_in: Client, catalog: None
) -> None:
    with app.app_context():
        prospect = save_prospect(
            db.session(), {"name": "Omega Stores", "profile": {"skills": ["Customer support"]}}
        )
        db.session().commit()
        page = f"/prospects/{prospect.id}"
    admin = signed_in("admin")
    shown = record(
        admin, page, prospect_id=page.rsplit("/", 1)[1], vendor_id="bogota-contact", stage="invited"
    )
    assert "1 outcome, newest first" in shown
    assert "Record the outcome" in shown

    seller = signed_in("sales")
    seen = seller.get(page).get_data(as_text=True)
    assert "1 outcome, newest first" in seen
    assert "Record the outcome" not in seen
    response = post_form(
        seller,
        "/outcomes",
        {"prospect_id": page.rsplit("/", 1)[1], "vendor_id": "bogota-contact", "stage": "awarded"},
        page=page,
    )
    assert response.status_code == 403
