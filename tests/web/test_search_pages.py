"""The requirement form, its results, relaxations, why-not, compare, shortlist and drafts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from matcher import db
from tests.factories import vendor
from tests.web.conftest import form_token, post_form
from vendors.catalog import create_vendor

Client = Callable[[str], FlaskClient]


@pytest.fixture
def buyer(signed_in: Client, catalog: None) -> FlaskClient:
    return signed_in("procurement")


def submit(client: FlaskClient, **fields: Any) -> TestResponse:
    return post_form(client, "/search", {"action": "run", **fields}, page="/search")


def run(client: FlaskClient, **fields: Any) -> tuple[str, str]:
    """Submit the form; return the search's permalink path and its results page."""
    response = submit(client, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    path = response.headers["Location"]
    return path, client.get(path).get_data(as_text=True)


def ranked(page: str) -> list[str]:
    return re.findall(r'<li class="result" id="vendor-([^"]+)"', page)


def field_error(page: str, field: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else None


def test_the_form_offers_every_field_of_the_profile_with_help(buyer: FlaskClient) -> None:
    page = buyer.get("/search").get_data(as_text=True)

    for name in (
        "title", "description", "complexity", "engagement_model", "skills", "preferred_skills",
        "client_country", "delivery", "countries", "exclude_countries", "languages",
        "budget_max_rate", "budget_currency", "team_size", "certifications", "qualifications",
        "industry", "hard_constraints", "limit", "weight_skills", "weight_budget",
    ):  # fmt: skip
        assert f'name="{name}"' in page, name
    assert '<optgroup label="Regions">' in page
    assert ">Eastern Europe</option>" in page
    assert 'data-suggest="/suggest/skills"' in page
    # The BPO and KPO default weights are shown next to each factor.
    row = re.search(r'<label for="weight_skills">.*?</tr>', page, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([\d.]+)</td>', row.group(0)) == ["3", "3.5"]


def test_a_mistake_is_shown_next_to_its_field_and_the_input_is_kept(buyer: FlaskClient) -> None:
    response = submit(
        buyer,
        title="Support desk",
        skills="Customer support",
        team_size="a dozen",
        budget_max_rate="-5",
        languages="English, Klingonese",
        countries=["Eastern Europe", "PH"],
        weight_budget="lots",
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(page, "team_size") == "Not a valid integer."
    assert field_error(page, "budget_max_rate")
    assert "Klingonese" in (field_error(page, "languages") or "")
    assert field_error(page, "weight_budget") == "Not a valid number."
    assert 'aria-invalid="true"' in page
    assert 'role="alert"' in page  # the summary at the top links to each field
    # What was typed is still there.
    assert 'value="Support desk"' in page
    assert 'value="a dozen"' in page
    assert ">English, Klingonese</textarea>" in page
    assert '<option value="Eastern Europe" selected>' in page
    assert '<option value="PH" selected>' in page


def test_the_form_and_the_api_refuse_the_same_profile_for_the_same_reason(
    buyer: FlaskClient, app: Flask
) -> None:
    # One source of truth: the form runs the API's own schema.
    page = submit(buyer, description="", skills="").get_data(as_text=True)
    api = (
        app.test_client()
        .post("/api/v1/match", json={}, headers={"X-API-Key": _key(app)})
        .get_json()
    )

    assert field_error(page, "skills") == " ".join(api["errors"]["skills"])


def _key(app: Flask) -> str:
    from tests.conftest import make_key

    return make_key(app, "procurement")


def test_a_fixed_form_gives_results_with_scores_bars_reasons_and_the_engagement_model(
    buyer: FlaskClient,
) -> None:
    assert submit(buyer, skills="Customer support", team_size="many").status_code == 422

    path, page = run(
        buyer,
        title="Support desk",
        skills="Customer support",
        languages="Spanish",
        client_country="US",
        team_size="100",
    )

    assert re.fullmatch(r"/searches/[\w-]{16}", path)
    assert ranked(page)[0] == "bogota-contact"  # the only Spanish speakers
    assert "Kind of work: BPO" in page
    assert page.count('<meter min="0" max="1"') >= 10  # a bar per factor per vendor
    assert '<ul class="reasons"><li class="fit">' in page
    assert 'class="gap"' in page
    assert "vendors considered" in page


def test_each_result_says_how_sure_its_score_is_and_unsure_ones_can_be_left_out(
    buyer: FlaskClient,
) -> None:
    _, page = run(buyer, skills="Customer support", team_size="100")
    assert "Could be <strong>" in page or "Sure: every weighted factor" in page

    _, strict = run(buyer, skills="Customer support", team_size="100", min_confidence="1")
    shown, every = ranked(strict), ranked(page)
    assert len(shown) < len(every)
    assert "Could be <strong>" not in strict
    assert f"{len(every) - len(shown)} not shown: their scores rest on less known data" in strict

    assert submit(buyer, skills="Customer support", min_confidence="2").status_code == 422


def test_a_lowest_score_and_a_cap_per_country_shape_the_shortlist_and_say_what_they_cut(
    app: Flask, buyer: FlaskClient
) -> None:
    with app.app_context():
        create_vendor(
            db.session(),
            vendor(
                "cebu-voice",
                name="Cebu Voice Desk",
                services=["Customer support"],
                delivery_countries=["PH"],
                rate_min=8,
                rate_max=12,
            ),
        )
        db.session().commit()
    _, page = run(buyer, skills="Customer support", limit="2")
    assert ranked(page)[:2] == ["manila-care", "cebu-voice"]
    assert "The order rests on the factors shown and their weights alone" in page

    _, spread = run(buyer, skills="Customer support", limit="2", max_per_country="1")
    assert ranked(spread)[0] == "manila-care"
    assert "cebu-voice" not in ranked(spread)
    assert "Passed over to keep at most 1 per delivery country:" in spread
    assert "Cebu Voice Desk" in spread

    _, high = run(buyer, skills="Customer support", limit="10", min_score="99.9")
    assert re.search(r"\d+ not shown: they score below 99.9\.", high)
    assert submit(buyer, skills="Customer support", max_per_country="0").status_code == 422
    assert submit(buyer, skills="Customer support", min_score="many").status_code == 422


def test_the_results_say_how_many_places_hold_when_a_weight_changes(buyer: FlaskClient) -> None:
    _, page = run(buyer, skills="Customer support", team_size="100", limit="2")

    summary = re.search(r"(\d) of 2 shown vendors stay on this shortlist under every", page)
    assert summary is not None
    stable = int(summary.group(1))
    assert page.count("Stable: stays in the shortlist") == stable
    assert page.count("Not stable: ") == 2 - stable


def test_a_permalink_reproduces_the_search_for_a_colleague(
    buyer: FlaskClient, signed_in: Client
) -> None:
    path, page = run(buyer, skills="Equity research", qualifications="CFA")
    colleague = signed_in("sales")

    again = colleague.get(path).get_data(as_text=True)

    assert ranked(again) == ranked(page)
    assert ranked(page)[0] == "pune-equity"
    assert f'value="http://localhost{path}"' in page


def test_a_viewer_cannot_open_a_search(buyer: FlaskClient, signed_in: Client) -> None:
    path, _ = run(buyer, skills="Customer support")

    assert signed_in("viewer").get(path).status_code == 403


def test_exclusions_are_counted_and_a_relaxation_applies_with_one_click(
    buyer: FlaskClient,
) -> None:
    path, page = run(
        buyer, skills="Customer support", budget_max_rate="10", hard_constraints=["budget"]
    )
    assert ranked(page) == ["manila-care"]
    assert "3 left out by the hard constraints" in page
    assert "<li>Budget: 3</li>" in page
    assert "Raise the budget from 10 to " in page

    response = post_form(buyer, f"{path}/relax", {"constraint": "budget"}, page=path)
    relaxed = buyer.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"] != path  # a new search; the old one is unchanged
    assert len(ranked(relaxed)) > 1
    assert "Applied: raise the budget from 10 to" in relaxed
    assert ranked(buyer.get(path).get_data(as_text=True)) == ["manila-care"]


def test_a_relaxation_the_catalog_no_longer_offers_is_refused_politely(
    buyer: FlaskClient,
) -> None:
    path, _ = run(buyer, skills="Customer support")

    response = post_form(buyer, f"{path}/relax", {"constraint": "budget"}, page=path)

    assert response.status_code == 302
    assert "no longer applies" in buyer.get(response.headers["Location"]).get_data(as_text=True)


def test_why_not_explains_a_vendor_left_out_by_a_hard_constraint(buyer: FlaskClient) -> None:
    path, _ = run(
        buyer, skills="Customer support", languages="Spanish", hard_constraints=["languages"]
    )

    by_name = buyer.get(f"{path}/why-not", query_string={"vendor": "manila bay care"})
    page = by_name.get_data(as_text=True)

    assert "Why not Manila Bay Care?" in page
    assert "Left out by 1 hard constraint" in page
    assert "Languages:" in page
    # Spanish is all it lacks: one change to its record would put it on the list.
    assert "What it would take to be in the top 10" in page
    assert re.search(r"Would rank #\d+ \([\d.]+\) speaking Spanish", page)


def test_why_not_says_a_draft_has_nothing_to_explain_yet(buyer: FlaskClient) -> None:
    saved = post_form(buyer, "/search", {"action": "draft", "title": "Half done"})
    draft_id = saved.headers["Location"].split("=", 1)[1]

    answer = buyer.get(f"/searches/{draft_id}/why-not", query_string={"vendor": "Manila"})

    assert answer.status_code == 404
    assert "A draft has no results to explain: run it first." in answer.get_data(as_text=True)


def test_why_not_offers_a_choice_when_a_name_is_ambiguous_and_says_when_nothing_matches(
    buyer: FlaskClient, app: Flask
) -> None:
    with app.app_context():
        create_vendor(db.session(), vendor("manila-two", name="Manila Bay Outsourcing"))
        db.session().commit()
    path, _ = run(buyer, skills="Customer support")

    ambiguous = buyer.get(f"{path}/why-not?vendor=Manila").get_data(as_text=True)
    unknown = buyer.get(f"{path}/why-not?vendor=Nobody+Inc").get_data(as_text=True)

    assert "Several vendors match" in ambiguous
    assert "manila-two" in ambiguous
    assert "manila-care" in ambiguous
    assert "No vendor's id or name matches" in unknown


def test_two_to_four_vendors_compare_side_by_side(buyer: FlaskClient) -> None:
    path, _ = run(buyer, skills="Customer support")

    page = buyer.get(f"{path}/compare?vendor=manila-care&vendor=bogota-contact").get_data(
        as_text=True
    )
    one = buyer.get(f"{path}/compare?vendor=manila-care")

    assert "Compare 2 vendors" in page
    assert "Manila Bay Care" in page
    assert "Bogota Contact Partners" in page
    assert '<th scope="row">Skills</th>' in page
    assert one.status_code == 302
    assert "Choose 2 to 4 vendors" in buyer.get(one.headers["Location"]).get_data(as_text=True)
    assert buyer.get(f"{path}/compare?vendor=manila-care&vendor=nobody").status_code == 404


def test_the_shortlist_keeps_vendors_and_exports_csv_and_xlsx_with_formulas_escaped(
    buyer: FlaskClient, app: Flask
) -> None:
    with app.app_context():
        create_vendor(
            db.session(),
            vendor("formula-co", name='=HYPERLINK("http://evil")', services=["Customer support"]),
        )
        db.session().commit()
    path, _ = run(buyer, skills="Customer support")
    for vendor_id in ("formula-co", "manila-care"):
        assert (
            post_form(buyer, f"{path}/shortlist", {"add": vendor_id}, page=path).status_code == 302
        )

    page = buyer.get(f"{path}/shortlist").get_data(as_text=True)
    exported = buyer.get(f"{path}/shortlist.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    sheet = load_workbook(io.BytesIO(buyer.get(f"{path}/shortlist.xlsx").data)).active

    assert "Manila Bay Care" in page
    assert "Export XLSX" in page
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    assert [row[2] for row in rows[1:]] == ["formula-co", "manila-care"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert sheet is not None
    assert sheet.cell(row=2, column=4).value == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=3, column=3).value == "manila-care"


def test_only_the_owner_changes_a_shortlist(buyer: FlaskClient, signed_in: Client) -> None:
    path, _ = run(buyer, skills="Customer support")
    colleague = signed_in("sales")

    response = post_form(colleague, f"{path}/shortlist", {"add": "manila-care"}, page=path)

    assert response.status_code == 403
    assert "Add to shortlist" not in colleague.get(path).get_data(as_text=True)


def test_a_draft_keeps_even_an_unfinished_form_and_resumes(buyer: FlaskClient) -> None:
    saved = post_form(
        buyer, "/search", {"action": "draft", "title": "Half done", "team_size": "tbd"}
    )
    resumed = buyer.get(saved.headers["Location"]).get_data(as_text=True)
    listed = buyer.get("/searches").get_data(as_text=True)

    assert "/search?draft=" in saved.headers["Location"]
    assert 'value="Half done"' in resumed
    assert 'value="tbd"' in resumed
    assert "Half done" in listed
    assert "Draft" in listed

    # Finishing the draft runs it under the same id.
    draft_id = saved.headers["Location"].split("=", 1)[1]
    token = form_token(resumed)
    finished = buyer.post(
        "/search",
        data={
            "csrf_token": token,
            "action": "run",
            "draft_id": draft_id,
            "skills": "Customer support",
        },
    )
    assert finished.headers["Location"] == f"/searches/{draft_id}"


def test_a_draft_is_private_to_its_owner(buyer: FlaskClient, signed_in: Client) -> None:
    saved = post_form(buyer, "/search", {"action": "draft", "title": "Mine"})

    assert signed_in("sales").get(saved.headers["Location"]).status_code == 404


def test_a_search_can_be_changed_and_run_again(buyer: FlaskClient) -> None:
    path, _ = run(buyer, title="First", skills="Customer support", languages="Spanish")

    form = buyer.get(f"/search?from={path.rsplit('/', 1)[1]}").get_data(as_text=True)

    assert 'value="First"' in form
    assert ">Spanish</textarea>" in form


def test_a_search_is_deleted_only_by_its_owner(buyer: FlaskClient, signed_in: Client) -> None:
    path, _ = run(buyer, title="Old", skills="Customer support")
    other = signed_in("sales")

    assert post_form(other, f"{path}/delete", {}, page="/searches").status_code == 404
    assert post_form(buyer, f"{path}/delete", {}, page="/searches").status_code == 302
    assert buyer.get(path).status_code == 404


def test_an_unknown_search_is_a_404_page(buyer: FlaskClient) -> None:
    response = buyer.get("/searches/nope")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        ("skills", "payr", "Payroll processing"),
        ("certifications", "hipa", "HIPAA"),
        ("languages", "span", "Spanish"),
        ("places", "eastern eu", "Eastern Europe"),
        ("industries", "bank", "Banking"),
    ],
)
def test_suggestions_follow_what_is_typed(
    signed_in: Client, kind: str, typed: str, expected: str
) -> None:
    answer = signed_in("viewer").get(f"/suggest/{kind}", query_string={"q": typed}).get_json()

    assert answer["suggestions"][0] == expected


def test_the_results_say_what_was_read_and_a_wrong_reading_is_dropped_with_one_click(
    buyer: FlaskClient,
) -> None:
    path, page = run(
        buyer,
        description="We are a data analytics startup and need someone to answer our phones "
        "and chase unpaid invoices.",
    )
    assert "We read" in page
    assert "<strong>Inbound call centre</strong> from <q>answer our phones</q>" in page
    assert "<strong>Collections</strong> from <q>chase unpaid invoices</q>" in page
    assert "<strong>Data analytics</strong>" not in page
    assert "read from <q>data analytics startup</q>" in page

    response = post_form(buyer, f"{path}/reading", {"drop": "collections"}, page=path)
    corrected = buyer.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"] != path  # a new search; the old one is unchanged
    assert "Not read any more: Collections." in corrected
    assert "<strong>Collections</strong>" not in corrected
    assert "<strong>Inbound call centre</strong>" in corrected
    assert "<strong>Collections</strong>" in buyer.get(path).get_data(as_text=True)


def test_a_missed_service_is_added_and_an_unknown_one_is_refused(buyer: FlaskClient) -> None:
    path, _ = run(buyer, description="Our phones ring all day and nobody picks up.")

    response = post_form(buyer, f"{path}/reading", {"add": "call center"}, page=path)
    added = buyer.get(response.headers["Location"]).get_data(as_text=True)
    refused = post_form(buyer, f"{path}/reading", {"add": "basket weaving"}, page=path)

    assert "Read as well: Inbound call centre." in added
    assert "Added by you: Inbound call centre." in added
    assert refused.headers["Location"].endswith(path)
    assert "No service of the taxonomy is called" in buyer.get(path).get_data(as_text=True)
