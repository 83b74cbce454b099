"""A search keeps the ranking it produced; reopened, it says what has changed since."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import db
from matcher.web.kept import changes_since
from tests.factories import vendor
from tests.web.conftest import post_form
from vendors.catalog import create_vendor, delete_vendor, update_vendor
from vendors.searches import get_search

Client = Callable[[str], FlaskClient]
FIELDS = {"action": "run", "skills": "Customer support", "budget_max_rate": "15"}


def ranked(page: str) -> list[str]:
    return re.findall(r'<li class="result" id="vendor-([^"]+)"', page)


@pytest.fixture
def kept(signed_in: Client, catalog: None) -> tuple[FlaskClient, str, str]:
    """Return the owner of a search, its path and its first page."""
    buyer = signed_in("procurement")
    response = post_form(buyer, "/search", FIELDS, page="/search")
    path = response.headers["Location"]
    return buyer, path, buyer.get(path).get_data(as_text=True)


def change_catalog(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        # Manila's rates go over the budget; Bogota leaves; a new vendor arrives.
        update_vendor(
            session, "manila-care", {"rate_min": 18, "rate_max": 22}, expected_version=None
        )
        delete_vendor(session, "bogota-contact", expected_version=None)
        create_vendor(
            session,
            vendor(
                "lima-contact",
                name="Lima Contact Hub",
                services=["Customer support"],
                delivery_countries=["PE"],
                rate_min=8,
                rate_max=12,
            ),
        )
        session.commit()


def test_a_search_reopened_on_an_unchanged_catalog_says_so(
    kept: tuple[FlaskClient, str, str],
) -> None:
    buyer, path, first = kept
    assert "As it was ranked" in first
    again = buyer.get(path).get_data(as_text=True)
    assert "The catalog has not changed since: this is today's ranking too." in again
    assert ranked(again) == ranked(first)


def test_a_search_reopened_shows_the_ranking_it_kept_and_what_changed_since(
    app: Flask, kept: tuple[FlaskClient, str, str]
) -> None:
    buyer, path, first = kept
    before = ranked(first)
    assert "bogota-contact" in before
    assert "manila-care" in before
    change_catalog(app)

    page = buyer.get(path).get_data(as_text=True)
    assert ranked(page) == before  # as it was, Bogota included
    assert "The catalog has changed since" in page
    assert re.search(
        r"Left: <strong>Bogota Contact Partners</strong>, was #\d .*no longer in the catalog", page
    )
    assert re.search(
        r"Entered: <strong>Lima Contact Hub</strong>, now #\d .*added to the catalog since", page
    )
    moved = re.search(r'<li class="moved"><strong>Manila Bay Care</strong>: ([^<]*)</li>', page)
    assert moved is not None
    assert "mostly budget (-" in moved[1]
    assert "18" in moved[1]  # the budget's reason now: its new rates

    today = buyer.get(f"{path}?catalog=today").get_data(as_text=True)
    assert "On today's catalog" in today
    assert "bogota-contact" not in ranked(today)
    assert "lima-contact" in ranked(today)
    assert f'href="{path}?catalog=today"' in page  # one click away


def test_the_owner_keeps_todays_ranking_and_others_cannot_replace_it(
    app: Flask, signed_in: Client, kept: tuple[FlaskClient, str, str]
) -> None:
    buyer, path, _ = kept
    change_catalog(app)
    colleague = signed_in("sales")
    refused = post_form(colleague, f"{path}/keep", {}, page=path)
    assert refused.status_code == 403

    done = post_form(buyer, f"{path}/keep", {}, page=f"{path}?catalog=today")
    assert done.status_code == 302
    page = buyer.get(path).get_data(as_text=True)
    assert "The catalog has not changed since" in page
    assert "bogota-contact" not in ranked(page)


def answer(*results: tuple[str, int, float, dict[str, float]]) -> dict[str, Any]:
    return {
        "results": [
            {
                "vendor": {"id": key, "name": key.title()},
                "rank": rank,
                "score": score,
                "factors": [
                    {"name": name, "points": points, "reason": f"{name} of {key}"}
                    for name, points in factors.items()
                ],
            }
            for key, rank, score, factors in results
        ]
    }


def test_a_move_is_put_down_to_the_factor_whose_points_moved_most() -> None:
    then = answer(
        ("a", 1, 80.0, {"skills": 40.0, "budget": 40.0}),
        ("b", 2, 70.0, {"skills": 40.0, "budget": 30.0}),
        ("c", 3, 60.0, {"skills": 30.0, "budget": 30.0}),
    )
    now = answer(
        ("b", 1, 75.0, {"skills": 41.0, "budget": 34.0}),
        ("a", 2, 72.0, {"skills": 40.0, "budget": 32.0}),
        ("d", 3, 65.0, {"skills": 35.0, "budget": 30.0}),
    )
    found = changes_since(then, now)
    assert [(item.vendor_id, item.rank) for item in found.entered] == [("d", 3)]
    assert [(item.vendor_id, item.rank) for item in found.left] == [("c", 3)]
    assert [(m.vendor_id, m.factor, m.points, m.reason) for m in found.moved] == [
        ("b", "budget", 4.0, "budget of b"),
        ("a", "budget", -8.0, "budget of a"),
    ]
    assert changes_since(then, then).nothing


def test_a_search_keeps_its_ranking_when_it_is_saved_not_when_it_is_first_opened(
    app: Flask, signed_in: Client, catalog: None
) -> None:
    buyer = signed_in("procurement")
    response = post_form(buyer, "/search", FIELDS, page="/search")
    search_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        stored = get_search(db.session(), search_id)
        assert stored.ranking is not None
        assert stored.ranked_revision is not None
        kept_ids = [item["vendor"]["id"] for item in stored.ranking["results"]]
    change_catalog(app)
    # Opened for the first time only after the catalog changed: it shows what it was saved with.
    assert ranked(buyer.get(response.headers["Location"]).get_data(as_text=True)) == kept_ids
