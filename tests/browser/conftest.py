"""Real-browser tests: the service on a loopback port, driven by Playwright and Debian's chromium.

Every test in this folder is marked `browser` (`pytest -m "not browser"` leaves them out). Without
chromium (`apt-get install -y chromium`) they are skipped, unless MATCHER_BROWSER_TESTS=required
(CI sets it): then they fail. No browser is ever downloaded; Playwright drives /usr/bin/chromium.

Each test gets the service on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL)
holding the demo catalog and one user per role, all with the password `PASSWORD`, and a fresh
browser context and page. The page is watched: a console error, an uncaught script error, a
request that fails and an answer with a status of 400 or more all fail the test when it ends, or
at once with `problems.assert_none(...)`. A test that provokes an error on purpose says so:

- `problems.allow_status(401, "/login")`: answers with that status, for paths starting with
  the prefix, are expected (and so is the console's "Failed to load resource" line for them);
- `@pytest.mark.expect_errors`: nothing is checked at the end of the test (`problems.found`
  still lists what happened, for the test to judge).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    WebError,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

from matcher import create_app, db
from matcher.cli import demo_catalog_path, run_import
from vendors.access import ROLES, create_user

HERE = Path(__file__).resolve().parent
PASSWORD = "browser test password"
REQUIRED = os.environ.get("MATCHER_BROWSER_TESTS", "").strip().lower() == "required"
MISSING = "chromium is not installed (apt-get install -y chromium)"
# The machine's network is closed: these keep Chromium from phoning home (and from waiting on it).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
_STATUS = re.compile(r"status of (\d{3})")


def chromium_path() -> str | None:
    """Return Debian's chromium, or whichever chromium is on the PATH; None without one."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "expect_errors: a browser test whose page may log errors or get 4xx/5xx answers"
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = None
    if chromium_path() is None and not REQUIRED:
        skip = pytest.mark.skip(
            reason=f"{MISSING}; set MATCHER_BROWSER_TESTS=required to fail instead of skipping"
        )
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@dataclass(frozen=True)
class LiveServer:
    """The service, served over HTTP on a loopback port."""

    url: str
    app: Flask
    password: str
    users: dict[str, str]  # role: email

    def email(self, role: str) -> str:
        """Return the email of the user with a role."""
        return self.users[role]


@pytest.fixture
def live_server(database: str, tmp_path: Path) -> Iterator[LiveServer]:
    """Serve the service on a fresh database holding the demo catalog and a user per role.

    Function-scoped: setting it up (copy or truncate the database, import the 300 demo vendors,
    hash four passwords, start the server) takes about 0.5 s, so every test starts clean.
    """
    app = create_app(
        {
            "DATABASE_URL": database,
            # Like the `app` fixture: a job queue and uploads of the test's own.
            "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SECRET_KEY": secrets.token_hex(32),
            # Plain HTTP on loopback: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": False,
            # Counters in this process only, and too high to ever refuse a test.
            "REDIS_URL": None,
            "RATE_LIMIT_PER_ADDRESS": "100000 per minute",
            "RATE_LIMIT_LOGIN": "100000 per minute",
        }
    )
    users = {role: f"{role}@demo.example" for role in ROLES}
    with app.app_context():
        report = run_import(
            demo_catalog_path(), dry_run=False, on_error="fail", show_progress=False
        )
        assert report.applied, report.to_dict()
        assert not report.rejected, report.to_dict()
        for role, email in users.items():
            create_user(db.session(), email, role, PASSWORD)
        db.session().commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="browser-test-server",
        daemon=True,
    )
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, PASSWORD, users)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Return one headless chromium for the whole run."""
    path = chromium_path()
    if path is None:
        if REQUIRED:
            pytest.fail(f"{MISSING}, and MATCHER_BROWSER_TESTS=required")
        pytest.skip(MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """Return a fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = chromium.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@dataclass
class BrowserProblems:
    """What went wrong in a browser context: console errors, page errors, failed requests."""

    found: list[str] = field(default_factory=list)
    allowed: list[tuple[int, str]] = field(default_factory=list)

    def allow_status(self, status: int, path: str = "/") -> None:
        """Expect answers with this status for paths that start with `path`."""
        self.allowed.append((status, path))

    def allows(self, status: int, url: str) -> bool:
        """Say whether an answer with this status for this URL is expected."""
        path = urlsplit(url).path
        return any(status == code and path.startswith(prefix) for code, prefix in self.allowed)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium logs every answer of 400 or more as "Failed to load resource: the server
        # responded with a status of 401 (UNAUTHORIZED)"; an expected status is expected there too.
        status = _STATUS.search(message.text)
        if status and self.allows(int(status.group(1)), url):
            return
        self.found.append(f"console error: {message.text}" + (f" (at {url})" if url else ""))

    def on_page_error(self, error: WebError) -> None:
        self.found.append(f"page error: {error.error.message}")

    def on_request_failed(self, request: Request) -> None:
        # Leaving a page cancels what it was still loading (net::ERR_ABORTED): that is the test
        # moving on, not the page failing. A missing asset shows as its 4xx answer instead.
        if request.failure == "net::ERR_ABORTED":
            return
        self.found.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and not self.allows(response.status, response.url):
            request = response.request
            self.found.append(
                f"{request.method} {response.url} ({request.resource_type}) "
                f"answered {response.status}"
            )

    def assert_none(self, where: str = "") -> None:
        """Fail if anything went wrong since the last check; start afresh."""
        found, self.found = self.found, []
        assert not found, f"the browser saw problems{' ' + where if where else ''}:\n" + "\n".join(
            found
        )


@pytest.fixture
def problems() -> BrowserProblems:
    """Return what goes wrong in this test's browser context (see the module's docstring)."""
    return BrowserProblems()


@pytest.fixture
def page(
    context: BrowserContext, problems: BrowserProblems, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """Return a fresh page; the test fails if its context saw a problem it did not expect."""
    context.on("console", problems.on_console)
    context.on("weberror", problems.on_page_error)
    context.on("requestfailed", problems.on_request_failed)
    context.on("response", problems.on_response)
    page = context.new_page()
    yield page
    if request.node.get_closest_marker("expect_errors") is None:
        problems.assert_none("during the test")


def sign_in(page: Page, live_server: LiveServer, role: str) -> None:
    """Sign in as the user with a role through the real sign-in form; wait for the next page."""
    email = live_server.email(role)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    page.wait_for_load_state("load")
