"""The users' journeys, end to end in a real browser: what a person types, clicks and sees.

Each test drives the pages as its role would, on the demo catalog, through the same fixtures as
the rendering tests: a fresh live server per test, and a page that fails the test on any console
error, failed request or unexpected 4xx/5xx answer.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from matcher import db
from tests.browser.conftest import BrowserProblems, LiveServer, sign_in
from vendors.catalog import update_vendor
from vendors.models import RECORD_FIELDS

SEARCH_URL = re.compile(r"/searches/[^/?#]+$")
SEARCH_RESULTS = re.compile(r"/searches/[^/?#]+(#results)?$")
SCORE = re.compile(r"^\d{1,3}\.\d$")


@dataclass(frozen=True)
class Requirement:
    """What a person types and picks in the requirement form; blank fields are left alone."""

    title: str = ""
    skills: str = ""
    languages: str = ""
    client_country: str = ""  # the country's name, as the picker shows it
    delivery: tuple[str, ...] = ()
    hard_constraints: tuple[str, ...] = ()
    team_size: str = ""
    budget: str = ""
    currency: str = ""
    limit: str = ""


# A search the demo catalog answers with ten vendors, most left out on geography.
NEARSHORE_CARE = Requirement(
    title="Spanish support desk for our US stores",
    skills="Customer support\nEmail and chat support",
    languages="Spanish, English",
    client_country="United States",
    delivery=("Nearshore",),
    hard_constraints=("Geography",),
    team_size="12",
    budget="20",
)


# --- helpers: the requirement form -------------------------------------------------------------


def fieldset(page: Page, legend: str) -> Locator:
    """Return one of the requirement form's fieldsets, by its legend."""
    return page.locator("form.requirement fieldset").filter(
        has=page.get_by_text(legend, exact=True)
    )


def fill_requirement(page: Page, wanted: Requirement) -> None:
    """Fill the requirement form's fields as a person would."""
    if wanted.title:
        page.get_by_label("Title", exact=True).fill(wanted.title)
    if wanted.skills:
        page.get_by_label("Skills required", exact=True).fill(wanted.skills)
    where = fieldset(page, "Where")
    if wanted.languages:
        where.get_by_label("Languages", exact=True).fill(wanted.languages)
    if wanted.client_country:
        page.get_by_label("Client country", exact=True).select_option(label=wanted.client_country)
    for model in wanted.delivery:
        where.get_by_role("checkbox", name=model, exact=True).check()
    hard = fieldset(page, "Hard constraints")
    for factor in wanted.hard_constraints:
        hard.get_by_role("checkbox", name=factor, exact=True).check()
    if wanted.team_size:
        page.get_by_label("Team size", exact=True).fill(wanted.team_size)
    if wanted.budget:
        page.get_by_label("Budget: most per person-hour", exact=True).fill(wanted.budget)
    if wanted.currency:
        page.get_by_label("Currency", exact=True).select_option(wanted.currency)
    if wanted.limit:
        page.get_by_label("Vendors to show", exact=True).fill(wanted.limit)


def open_search_form(page: Page) -> None:
    """Open "Find vendors" from the main menu."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find vendors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find vendors")


def run_search(page: Page, wanted: Requirement) -> None:
    """Fill the form, submit it and wait for the results."""
    open_search_form(page)
    fill_requirement(page, wanted)
    submit(page)
    expect(page).to_have_url(SEARCH_URL)
    expect(page.get_by_role("heading", name="Ranked vendors")).to_be_visible()


def submit(page: Page) -> None:
    """Press the form's "Find vendors" button."""
    page.get_by_role("button", name="Find vendors", exact=True).click()


# --- helpers: the results ----------------------------------------------------------------------


def results(page: Page) -> Locator:
    """Return the ranked vendors of a results page, best first."""
    return page.locator("#results ol.results > li.result")


def result(page: Page, name: str) -> Locator:
    """Return the ranked vendor with this name."""
    return results(page).filter(has=page.get_by_role("heading", name=name, exact=True))


def result_names(page: Page) -> list[str]:
    """Return the names of the ranked vendors, in rank order."""
    return [text.strip() for text in results(page).locator("h3").all_inner_texts()]


def vendor_id(item: Locator) -> str:
    """Return the id of a ranked vendor, from the address its name links to."""
    href = item.get_by_role("heading").get_by_role("link").get_attribute("href")
    assert href is not None
    assert href.startswith("/vendors/"), href
    return href.removeprefix("/vendors/")


def factor_names(item: Locator) -> list[str]:
    """Return the factors a ranked vendor's bars show, in order (without their weights)."""
    names: list[str] = item.locator(".bar-name").evaluate_all(
        "names => names.map(name => name.firstChild.textContent.trim())"
    )
    return names


def numbers(pattern: str, text: str) -> list[int]:
    """Return the numbers a pattern's groups find in a text; fail if it finds none."""
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} not in {text!r}"
    return [int(group) for group in found.groups()]


def focus_outline(page: Page) -> str:
    """Return the computed outline style of the focused element."""
    style: str = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    return style


def focused_id(page: Page) -> str:
    """Return the id of the focused element."""
    found: str = page.evaluate("() => document.activeElement.id")
    return found


def tab_to(page: Page, target: Locator, *, presses: int = 60) -> int:
    """Press Tab until the target has the focus; return how many presses it took."""
    for count in range(1, presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return count
    raise AssertionError(f"{presses} presses of Tab never reached {target}")


# --- 1. procurement: a mistake, corrected, then explained results -------------------------------


def test_procurement_corrects_a_mistake_and_reads_the_ranked_results(
    page: Page, problems: BrowserProblems, live_server: LiveServer
) -> None:
    problems.allow_status(422, "/search")
    sign_in(page, live_server, "procurement")
    open_search_form(page)
    fill_requirement(page, replace(NEARSHORE_CARE, team_size="a dozen", budget="-5"))
    submit(page)

    # Refused: the form again, each mistake next to its field and in the summary at the top.
    expect(page).to_have_url(f"{live_server.url}/search")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Please correct 2 fields")
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile("greater than 0"), "Not a valid integer."]
    )
    team_size = page.get_by_label("Team size", exact=True)
    budget = page.get_by_label("Budget: most per person-hour", exact=True)
    expect(team_size).to_have_attribute("aria-invalid", "true")
    expect(team_size).to_have_accessible_description(re.compile("Not a valid integer"))
    expect(page.locator("#team_size-error")).to_have_text("Not a valid integer.")
    expect(budget).to_have_attribute("aria-invalid", "true")
    expect(budget).to_have_accessible_description(re.compile("Must be greater than 0"))
    expect(page.locator("#budget_max_rate-error")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).not_to_have_attribute("aria-invalid", "true")

    # Everything typed is still there, the mistakes included.
    expect(page.get_by_label("Title", exact=True)).to_have_value(NEARSHORE_CARE.title)
    expect(page.get_by_label("Skills required", exact=True)).to_have_value(NEARSHORE_CARE.skills)
    expect(fieldset(page, "Where").get_by_label("Languages", exact=True)).to_have_value(
        "Spanish, English"
    )
    expect(page.get_by_label("Client country", exact=True)).to_have_value("US")
    expect(page.get_by_role("checkbox", name="Nearshore", exact=True)).to_be_checked()
    hard = fieldset(page, "Hard constraints")
    expect(hard.get_by_role("checkbox", name="Geography", exact=True)).to_be_checked()
    expect(hard.get_by_role("checkbox", name="Budget", exact=True)).not_to_be_checked()
    expect(team_size).to_have_value("a dozen")
    expect(budget).to_have_value("-5")

    # Following the summary's link leads to the field, with the focus.
    summary.get_by_role("link", name="Not a valid integer.").click()
    expect(page).to_have_url(re.compile("#team_size$"))
    expect(team_size).to_be_focused()

    team_size.fill("12")
    budget.fill("20")
    submit(page)

    expect(page).to_have_url(SEARCH_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(NEARSHORE_CARE.title)
    expect(page.get_by_role("alert")).to_have_count(0)

    # The kind of work and why.
    expect(page.get_by_role("heading", name="Kind of work: BPO")).to_be_visible()
    engagement = page.get_by_role("region", name="Kind of work: BPO")
    expect(engagement).to_contain_text("Customer support is BPO work")
    expect(engagement).to_contain_text("(inferred)")

    # How many were considered, and how many the hard constraint left out.
    considered = page.get_by_role("region", name=re.compile(r"^\d+ vendors considered$"))
    expect(considered).to_be_visible()
    text = considered.inner_text()
    total = numbers(r"(\d+) vendors considered", text)[0]
    left_out = numbers(r"(\d+) left out by the hard constraints", text)[0]
    assert 0 < left_out < total, text
    expect(considered.get_by_role("listitem")).to_have_text([f"Geography: {left_out}"])

    # Ten ranked vendors (the default), best first, each with its score, bars and reasons.
    ranked = results(page)
    expect(ranked).to_have_count(10)
    expect(ranked.locator(".rank")).to_have_text([f"#{rank}" for rank in range(1, 11)])
    shown = ranked.locator(".score-value").all_inner_texts()
    assert all(SCORE.match(text) for text in shown), shown
    scores = [float(text) for text in shown]
    assert scores == sorted(scores, reverse=True), scores
    assert 0 < scores[-1] <= scores[0] <= 100, scores
    for item in ranked.all():
        bars = item.get_by_role("list", name="Score by factor")
        expect(bars.get_by_role("meter")).to_have_count(len(factor_names(item)))
        assert {"Skills", "Geography", "Budget", "Languages", "Capacity"} <= set(factor_names(item))
        expect(item.locator(".reasons li.fit").first).to_be_visible()
    first = ranked.first
    expect(first.locator(".reasons li.fit").first).to_contain_text("skills: covers 2 of 2")
    expect(first.get_by_role("meter").first).to_have_attribute("value", re.compile(r"^[01]"))
    # Each factor's reason is a click away.
    first.get_by_text("Why each factor scores as it does").click()
    expect(first.locator(".factor-reasons dd").first).to_be_visible()


# --- 2. a hard budget too tight: apply the relaxation -------------------------------------------


def test_a_budget_too_tight_offers_a_relaxation_that_applies_as_a_new_search(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "procurement")
    run_search(
        page,
        Requirement(
            title="Cheap support",
            skills="Customer support",
            budget="6",
            currency="USD",
            hard_constraints=("Budget",),
        ),
    )
    before = results(page).count()
    assert 0 < before < 10, f"{before} vendors within 6 USD/h: no relaxation to test"
    original = page.url
    expect(page.get_by_label("Permalink")).to_have_value(original)
    considered = page.get_by_role("region", name=re.compile("vendors considered"))
    expect(considered.get_by_role("listitem")).to_have_text([re.compile(r"^Budget: \d+$")])

    offers = page.get_by_role("region", name="Too few vendors? Loosen a constraint")
    offer = offers.get_by_role("listitem").filter(has_text="Raise the budget")
    expect(offer).to_have_text(
        re.compile(r"Raise the budget from 6 to (\d+) USD/h: (\d+) more vendors?\.")
    )
    raised, adds = numbers(r"to (\d+) USD/h: (\d+) more", offer.inner_text())
    offer.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status")).to_have_text(
        f"Applied: raise the budget from 6 to {raised} USD/h."
    )
    expect(page).to_have_url(SEARCH_URL)
    assert page.url != original, "applying a relaxation replaced the original search"
    expect(results(page)).to_have_count(min(before + adds, 10))
    expect(page.get_by_label("Permalink")).to_have_value(page.url)
    expect(page.locator(".search-header dd").filter(has_text="USD/h at most")).to_have_text(
        f"{raised} USD/h at most"
    )

    # The original search is as it was.
    page.goto(original)
    expect(results(page)).to_have_count(before)
    expect(page.locator(".search-header dd").filter(has_text="USD/h at most")).to_have_text(
        "6 USD/h at most"
    )


# --- 3. suggestions while typing a skill --------------------------------------------------------


def test_a_skill_is_chosen_from_the_suggestions_with_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "procurement")
    open_search_form(page)
    skills = page.get_by_label("Skills required", exact=True)
    skills.click()
    skills.press_sequentially("cust supp")

    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(skills).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    names = [name.strip() for name in options.all_inner_texts()]
    assert "Customer support" in names, names
    for _ in range(names.index("Customer support") + 1):
        skills.press("ArrowDown")
    expect(listbox.get_by_role("option", selected=True)).to_have_text("Customer support")
    skills.press("Enter")

    expect(skills).to_have_value(re.compile(r"^Customer support\s*$"))
    expect(listbox).to_be_hidden()
    expect(skills).to_have_attribute("aria-expanded", "false")
    expect(skills).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/search")  # Enter chose; it did not submit

    # The next skill is completed on its own line, the first one kept.
    skills.press_sequentially("email and ch")
    expect(listbox.get_by_role("option").first).to_be_visible()
    skills.press("ArrowDown")
    chosen = listbox.get_by_role("option", selected=True).inner_text().strip()
    skills.press("Enter")
    expect(skills).to_have_value(re.compile(rf"^Customer support\n{re.escape(chosen)}\s*$"))


# --- 4. compare vendors side by side ------------------------------------------------------------


def test_three_vendors_are_compared_side_by_side(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "procurement")
    run_search(page, NEARSHORE_CARE)
    names = result_names(page)[:3]
    factors = factor_names(result(page, names[0]))
    for name in names:
        result(page, name).get_by_label(f"Compare {name}").check()
    page.get_by_role("button", name="Compare selected").click()

    expect(page).to_have_url(re.compile(r"/compare\?vendor=[^&]+&vendor=[^&]+&vendor=[^&]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare 3 vendors")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Factor", *(re.compile(re.escape(name)) for name in names)]
    )
    row_headers = table.get_by_role("rowheader")
    expect(row_headers).to_contain_text(["Score", "Rank", *factors, "Gaps"])
    for factor in factors:
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=factor, exact=True)
        )
        expect(row.get_by_role("cell")).to_have_count(3)
        expect(row.get_by_role("meter")).to_have_count(3)
    ranks = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Rank", exact=True)
    )
    expect(ranks.get_by_role("cell")).to_have_text(["#1", "#2", "#3"])

    page.get_by_role("link", name=re.compile("Back to the results")).click()
    expect(page).to_have_url(SEARCH_URL)


def test_comparing_one_vendor_asks_for_two(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "procurement")
    run_search(page, NEARSHORE_CARE)
    results(page).first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page).to_have_url(SEARCH_URL)
    expect(page.get_by_role("status")).to_have_text("Choose 2 to 4 vendors to compare.")


# --- 5. shortlist, exports, print ---------------------------------------------------------------


def rename_vendor(live_server: LiveServer, vendor_id: str, name: str) -> None:
    """Change a vendor's name in the catalog, as an edit through the API would."""
    with live_server.app.app_context():
        update_vendor(db.session(), vendor_id, {"name": name}, expected_version=None)
        db.session().commit()


def test_a_shortlist_is_built_from_the_results_exported_and_printed(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    # A vendor whose name a spreadsheet would run as a formula: the exports must quote it.
    formula = '=HYPERLINK("https://evil.example","Pantanal")'
    rename_vendor(live_server, "pantanal-operations", formula)
    sign_in(page, live_server, "procurement")
    run_search(page, NEARSHORE_CARE)
    names = result_names(page)
    assert formula in names, names
    chosen = [formula, names[-1]]
    formula_rank = names.index(formula) + 1  # the shortlist keeps each vendor's search rank
    chosen_ids = [vendor_id(result(page, name)) for name in chosen]
    assert chosen_ids[0] == "pantanal-operations", chosen_ids
    expect(page.get_by_role("link", name="Shortlist (0)")).to_be_visible()

    for count, name in enumerate(chosen, start=1):
        result(page, name).get_by_role("button", name=f"Add {name} to shortlist").click()
        expect(page).to_have_url(SEARCH_RESULTS)
        expect(page.get_by_role("link", name=f"Shortlist ({count})")).to_be_visible()
        expect(
            result(page, name).get_by_role("button", name=f"Remove {name} from shortlist")
        ).to_be_visible()

    page.get_by_role("link", name="Shortlist (2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Shortlist: {NEARSHORE_CARE.title}")
    table = page.get_by_role("table")
    rows = table.locator("tbody").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.get_by_role("rowheader")).to_have_text(
        [re.compile("^" + re.escape(name)) for name in chosen]
    )
    expect(rows.first.get_by_role("cell").nth(1)).to_have_text(f"#{formula_rank}")

    # Both exports: the same columns, the chosen vendors in rank order, a formula-like name
    # quoted so a spreadsheet shows it as text.
    for link in ("Export CSV", "Export XLSX"):
        header, *cells = download_rows(page, link, tmp_path)
        assert header[:4] == ["rank", "score", "id", "name"], (link, header)
        assert {"reasons", "gaps", "rate_min", "rate_max", "currency"} <= set(header), header
        column = {name: header.index(name) for name in ("rank", "id", "name")}
        assert [row[column["id"]] for row in cells] == chosen_ids, (link, cells)
        assert [row[column["name"]] for row in cells] == ["'" + formula, chosen[1]], cells
        assert str(cells[0][column["rank"]]) == str(formula_rank), (link, cells[0])

    # Printed, the page is the table: no menu, no buttons, no links away.
    screen_only = [
        page.get_by_role("navigation", name="Main"),
        page.get_by_role("button", name="Sign out"),
        page.get_by_role("link", name="Export CSV"),
        page.get_by_role("link", name="Back to the results"),
        page.get_by_role("link", name="API documentation"),
    ]
    for part in screen_only:
        expect(part).to_be_visible()
    page.emulate_media(media="print")
    for part in screen_only:
        expect(part).to_be_hidden()
    expect(table).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.emulate_media(media="screen")
    expect(screen_only[0]).to_be_visible()

    # Taking one off, from the shortlist itself.
    rows.first.get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.get_by_role("table").locator("tbody").get_by_role("row")).to_have_count(1)


# --- 6. why not another vendor? -----------------------------------------------------------------


def test_why_not_explains_a_vendor_ranked_lower_or_left_out(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "procurement")
    run_search(page, NEARSHORE_CARE)
    shown = result_names(page)
    lower = "Talamanca Records Management"  # ranked, below the ten shown
    assert lower not in shown, shown

    why = page.get_by_role("region", name="Why not another vendor?")
    why.get_by_label("Vendor name or id").fill(lower)
    why.get_by_role("button", name="Explain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Why not {lower}?")
    explanation = page.locator("section.result")
    expect(explanation).to_contain_text(
        re.compile(r"Ranked #(\d+) among the vendors that pass the hard constraints")
    )
    rank = numbers(r"Ranked #(\d+)", explanation.inner_text())[0]
    assert rank > len(shown), rank
    expect(explanation).to_contain_text("below the ones shown")
    expect(explanation.locator(".score-value")).to_have_text(SCORE)
    expect(
        explanation.get_by_role("list", name="Score by factor").get_by_role("meter")
    ).not_to_have_count(0)

    # Asked again from the same page, by a vendor the hard constraint leaves out.
    left_out = "Kalayaan Back Office Corporation"  # delivers from the Philippines only
    assert left_out not in shown, shown
    page.get_by_label("Vendor name or id").fill(left_out)
    page.get_by_label("Vendor name or id").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Why not {left_out}?")
    expect(explanation).to_contain_text("Left out by 1 hard constraint:")
    expect(explanation.locator("li.gap").first).to_have_text(
        re.compile(r"^Geography: delivers from Philippines")
    )

    # A name several vendors share asks which one.
    page.get_by_label("Vendor name or id").fill("Magdalena")
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_text("Several vendors match “Magdalena”. Which one?")).to_be_visible()
    page.get_by_role("link", name="Magdalena CX Partners SAS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why not Magdalena CX Partners SAS?")


def test_why_not_does_not_call_a_shown_vendor_below_the_ones_shown(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "procurement")
    run_search(page, replace(NEARSHORE_CARE, limit="20"))
    expect(results(page)).to_have_count(20)
    shown = "Talamanca Records Management"
    twelfth = result(page, shown)
    expect(twelfth.locator(".rank")).to_have_text("#12")

    page.get_by_label("Vendor name or id").fill(shown)
    page.get_by_role("button", name="Explain").click()
    explanation = page.locator("section.result")
    expect(explanation).to_contain_text("Ranked #12 among the vendors that pass")
    # The page is loaded and does not change: read it once instead of waiting for a change.
    assert "below the ones shown" not in explanation.inner_text()


# --- 7. admin: import a catalog file ------------------------------------------------------------


def catalog_total(page: Page) -> int:
    """Return the number of vendors the catalog page's table caption gives."""
    caption = page.get_by_role("table").locator("caption")
    expect(caption).to_have_text(re.compile(r"^[\d,]+ vendors?"))
    return int(caption.inner_text().split()[0].replace(",", ""))


def download_rows(page: Page, link: str, folder: Path) -> list[list[Any]]:
    """Click an export link; return the downloaded file's rows (CSV or the XLSX sheet)."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link).click()
    download = download_info.value
    suffix = link.split()[-1].lower()
    assert re.fullmatch(rf"shortlist-.+\.{suffix}", download.suggested_filename), download
    saved = folder / download.suggested_filename
    download.save_as(saved)
    if suffix == "csv":
        with saved.open(encoding="utf-8", newline="") as handle:
            return list(csv.reader(handle))
    workbook = load_workbook(saved, read_only=True)
    try:
        return [list(row) for row in workbook["Shortlist"].iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_catalog_csv(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """Write a catalog CSV with the export's columns; cells not given are blank."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RECORD_FIELDS))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def test_admin_checks_an_import_then_confirms_it_skipping_the_bad_row(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    new_name = "Lagoa Night Support Services"
    upload = write_catalog_csv(
        tmp_path / "new vendors.csv",
        [
            {
                "id": "cheap-rates-bpo",
                "name": "Cheap Rates BPO",
                "tags": "BPO",
                "services": "Customer support",
                "delivery_countries": "PH",
                "rate_min": "cheap",
                "rate_max": "12",
                "currency": "USD",
            },
            {
                "id": "lagoa-night-support",
                "name": new_name,
                "tags": "BPO",
                "services": "Customer support;Email and chat support",
                "delivery_countries": "BR;PT",
                "hq_country": "BR",
                "languages": "pt;es;en",
                "rate_min": "11",
                "rate_max": "16",
                "currency": "USD",
                "headcount": "140",
                "rating": "4.2",
                "review_count": "17",
                "description": "Overnight customer support from Porto Alegre.",
            },
        ],
    )
    sign_in(page, live_server, "admin")
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("link", name="Catalog").click()
    before = catalog_total(page)

    menu.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a catalog")
    page.get_by_label("Catalog file").set_input_files(upload)
    page.get_by_label("Import the valid rows, skip the invalid ones").check()
    page.get_by_role("button", name="Check the file").click()

    # The dry run: what would happen, the bad row with its problem, and nothing written.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.locator(".lead")).to_contain_text("new vendors.csv was checked")
    expect(page.locator(".lead")).to_contain_text("Nothing has been written yet.")
    counts = page.locator(".import-counts")
    expect(counts.locator("dt")).to_have_text(["Created", "Updated", "Unchanged", "Rejected"])
    expect(counts.locator("dd")).to_have_text(["1", "0", "0", "1"])
    rejected = page.get_by_role("region", name="Rejected rows").locator("tbody").get_by_role("row")
    expect(rejected).to_have_count(1)
    expect(rejected.get_by_role("cell")).to_have_text(
        ["1", "cheap-rates-bpo", "rate_min", re.compile(r"\S")]
    )
    assert "number" in rejected.get_by_role("cell").nth(3).inner_text().lower()

    # In another tab, the catalog is unchanged.
    catalog = page.context.new_page()
    catalog.goto("/vendors")
    assert catalog_total(catalog) == before
    catalog.get_by_label("Text", exact=True).fill(new_name)
    catalog.get_by_role("button", name="Search").click()
    expect(catalog.get_by_text("No vendor matches these filters.")).to_be_visible()

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    expect(page.get_by_role("status")).to_have_text("The import was applied to the catalog.")
    expect(page.locator(".import-counts dd")).to_have_text(["1", "0", "0", "1"])
    expect(
        page.get_by_role("region", name="Rejected rows").locator("tbody").get_by_role("row")
    ).to_contain_text(["cheap-rates-bpo"])

    page.get_by_role("link", name="Go to the catalog").click()
    assert catalog_total(page) == before + 1
    page.get_by_label("Text", exact=True).fill(new_name)
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("table").locator("tbody").get_by_role("row")
    expect(found).to_have_count(1)
    found.get_by_role("link", name=new_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(new_name)
    expect(page.get_by_role("main")).to_contain_text(
        "Overnight customer support from Porto Alegre."
    )


# --- 8. sales: a prospect's profile and a fit check ---------------------------------------------


def test_sales_saves_a_search_for_a_new_prospect_and_checks_a_vendor_fit(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "sales")
    run_search(page, NEARSHORE_CARE)
    best = result_names(page)[0]

    save = page.get_by_role("region", name="Save for a prospect")
    expect(save.get_by_label("Prospect", exact=True)).to_have_value("")  # a new prospect
    save.get_by_label("New prospect's name").fill("Tienda Norte")
    save.get_by_label("Company").fill("Tienda Norte Retail Inc.")
    save.get_by_role("button", name="Save this profile").click()

    expect(page).to_have_url(re.compile(r"/prospects/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Saved the profile for Tienda Norte.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Tienda Norte\s+Tienda Norte Retail Inc\.$")
    )
    profile = page.get_by_role("region", name="Saved profile")
    expect(profile).to_contain_text(NEARSHORE_CARE.title)
    top = page.get_by_role("region", name="Top matches").locator("li.result")
    expect(top).to_have_count(5)
    expect(top.first.locator("h3")).to_have_text(best)

    fit = page.get_by_role("region", name="How well does a vendor fit?")
    fit.get_by_label("Vendor name or id").fill(best)
    fit.get_by_role("button", name="Check fit").click()
    expect(page).to_have_url(re.compile(r"/prospects/\d+\?vendor=.+#fit$"))
    answer = fit.locator(".result")
    expect(answer.get_by_role("heading", level=3)).to_have_text(best)
    expect(answer.locator(".score-value")).to_have_text(SCORE)
    expect(answer).to_contain_text("Ranked #1 for this prospect.")
    expect(
        answer.get_by_role("list", name="Score by factor").get_by_role("meter")
    ).not_to_have_count(0)

    fit.get_by_label("Vendor name or id").fill("Kalayaan Back Office Corporation")
    fit.get_by_role("button", name="Check fit").click()
    expect(answer.get_by_role("heading", level=3)).to_have_text("Kalayaan Back Office Corporation")
    expect(answer).to_contain_text("Left out by 1 hard constraint:")
    expect(answer.locator("li.gap").first).to_have_text(re.compile("^Geography: "))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Prospects").click()
    listed = page.get_by_role("table").locator("tbody").get_by_role("row")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("cell")).to_contain_text(
        ["Tienda Norte Retail Inc.", NEARSHORE_CARE.title]
    )
    listed.get_by_role("link", name="Tienda Norte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tienda Norte")


# --- 9. a viewer may not search -----------------------------------------------------------------


def test_a_viewer_sees_no_search_or_import_and_is_refused_the_search_page(
    page: Page, problems: BrowserProblems, live_server: LiveServer
) -> None:
    problems.allow_status(403, "/search")
    sign_in(page, live_server, "viewer")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Catalog")).to_be_visible()
    expect(menu.get_by_role("link", name="Find vendors")).to_have_count(0)
    expect(menu.get_by_role("link", name="Import")).to_have_count(0)
    expect(menu.get_by_role("link", name="Prospects")).to_have_count(0)

    response = page.goto("/search")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("link", name="Back to the start page").click()
    expect(page).to_have_url(f"{live_server.url}/")


# --- 10. the keyboard alone ---------------------------------------------------------------------


def test_the_requirement_form_is_keyboard_usable_with_visible_focus(
    page: Page, problems: BrowserProblems, live_server: LiveServer
) -> None:
    problems.allow_status(422, "/search")
    sign_in(page, live_server, "procurement")
    page.goto("/search")

    title = page.get_by_label("Title", exact=True)
    tab_to(page, title)
    assert focus_outline(page) != "none", "the focused Title field shows no outline"
    page.keyboard.type("Keyboard only")

    skills = page.get_by_label("Skills required", exact=True)
    assert tab_to(page, skills, presses=3) == 2  # Title, Description, Skills required
    assert focus_outline(page) != "none", "the focused Skills field shows no outline"

    team_size = page.get_by_label("Team size", exact=True)
    tab_to(page, team_size)
    page.keyboard.type("many")

    find = page.get_by_role("button", name="Find vendors", exact=True)
    tab_to(page, find)
    assert focus_outline(page) != "none", "the focused Find vendors button shows no outline"
    page.keyboard.press("Enter")

    # Refused (a team size that is no number): the focus is on the summary, visibly.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert focused_id(page) == "error-summary"
    assert focus_outline(page) != "none", "the focused error summary shows no outline"
    expect(summary).to_contain_text("Please correct 1 field")
    expect(title).to_have_value("Keyboard only")
    expect(team_size).to_have_value("many")

    # From the summary, Tab reaches its link, and Enter follows it to the field.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Not a valid integer.")).to_be_focused()
    assert focus_outline(page) != "none", "the focused summary link shows no outline"
    page.keyboard.press("Enter")
    expect(team_size).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.get_by_label("Skills required", exact=True).fill("Customer support")
    find.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(SEARCH_URL)
