"""Every page renders in a real browser: no script or console error, no missing asset, a heading.

Also: the pages fit a phone, can be used with the keyboard, and sign-in works as a person does it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import BrowserProblems, LiveServer, sign_in
from vendors.access import ROLES

PHONE: ViewportSize = {"width": 390, "height": 844}


def visit(page: Page, problems: BrowserProblems, url: str, *, heading: str = "h1") -> None:
    """Open a page, let it settle, and check it rendered whole and cleanly, with a heading."""
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, f"{url} answered {response.status}"
    # Scripts may fetch more after the load event (the API docs fetch the OpenAPI document).
    page.wait_for_load_state("networkidle")
    problems.assert_none(f"on {url}")
    assert page.title().strip(), f"{url} has no <title>"
    assert page.locator(heading).count() >= 1, f"{url} has no {heading}"
    expect(page.locator(heading).first).to_be_visible()


def menu_links(page: Page) -> list[str]:
    """Return the paths the main menu links to."""
    return [
        href
        for href in page.locator('nav[aria-label="Main"] a').evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        if href
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_renders_cleanly(
    page: Page, problems: BrowserProblems, live_server: LiveServer, role: str
) -> None:
    visit(page, problems, f"{live_server.url}/login")
    sign_in(page, live_server, role)
    problems.assert_none("signing in")

    visit(page, problems, f"{live_server.url}/")
    expect(page.locator('nav[aria-label="Main"]')).to_be_attached()
    for path in menu_links(page):
        visit(page, problems, f"{live_server.url}{path}")
    # Swagger UI titles the API docs with an <h2 class="title">, not an <h1>.
    visit(page, problems, f"{live_server.url}/api/v1/docs", heading="h1, .swagger-ui h2.title")


def test_the_start_page_fits_a_phone_and_its_menu_is_reachable(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/")

    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px in {widths[1]} px"
    links = page.locator('nav[aria-label="Main"] a')
    for target in [*links.all(), page.get_by_role("button", name="Sign out")]:
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box is not None
        assert box["x"] >= 0, target
        assert box["x"] + box["width"] <= PHONE["width"], target
    if links.count():
        first = links.first
        href = first.get_attribute("href")
        first.click()
        expect(page).to_have_url(f"{live_server.url}{href}")


def focused(page: Page) -> str:
    """Describe the focused element: its id, or else its text."""
    description: str = page.evaluate(
        "() => document.activeElement.id || document.activeElement.textContent.trim()"
    )
    return description


def test_the_keyboard_alone_signs_in_and_skips_to_the_content(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/login")
    assert focused(page) == "email"  # the form's autofocus
    page.keyboard.type(live_server.email("viewer"))
    page.keyboard.press("Tab")
    assert focused(page) == "password"
    page.keyboard.type(live_server.password)
    page.keyboard.press("Tab")
    assert focused(page) == "Sign in"
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.keyboard.press("Tab")
    assert focused(page) == "Skip to content"
    skip = page.get_by_role("link", name="Skip to content")
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the skip link stays off screen when it has the focus"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_wrong_password_is_shown_and_keeps_the_email_then_the_right_one_signs_in(
    page: Page, problems: BrowserProblems, live_server: LiveServer
) -> None:
    problems.allow_status(401, "/login")
    email = live_server.email("procurement")
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    page.get_by_label("Password", exact=True).fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\S"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
