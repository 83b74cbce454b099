"""Signing in to the pages: sessions, cookies, CSRF, redirects, roles and the error pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher import db
from matcher.auth import PERMISSIONS, PUBLIC_PAGES
from tests.web.conftest import PASSWORD, add_user, form_token, post_form, sign_in
from vendors.access import ROLES, set_password


def pages(app: Flask) -> list[tuple[str, str]]:
    """Return (endpoint, url) for every page that takes a GET and no path parameters."""
    return [
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.")
        and rule.endpoint not in PUBLIC_PAGES
        and "GET" in (rule.methods or ())
        and not rule.arguments
    ]


def test_every_page_has_a_rule_and_every_rule_a_route(app: Flask) -> None:
    routed = {rule.endpoint for rule in app.url_map.iter_rules()}
    pages_routed = {name for name in routed if name.startswith("web.")} - PUBLIC_PAGES

    assert pages_routed <= set(PERMISSIONS)
    assert set(PERMISSIONS) <= routed, set(PERMISSIONS) - routed


def test_a_page_sends_a_stranger_to_sign_in_and_back(app: Flask, browser: FlaskClient) -> None:
    email = add_user(app, "viewer")

    response = browser.get("/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/?tab%3D1"

    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    token = form_token(page)
    answer = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/?tab=1", "csrf_token": token},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/?tab=1"
    assert browser.get("/").status_code == 200


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_sign_in_never_sends_the_browser_to_another_site(
    app: Flask, browser: FlaskClient, target: str
) -> None:
    email = add_user(app, "viewer")
    token = form_token(browser.get("/login").get_data(as_text=True))

    answer = browser.post(
        "/login", data={"email": email, "password": PASSWORD, "next": target, "csrf_token": token}
    )

    assert answer.headers["Location"] == "/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    app: Flask, browser: FlaskClient
) -> None:
    email = add_user(app, "viewer")
    token = form_token(browser.get("/login").get_data(as_text=True))

    wrong = browser.post("/login", data={"email": email, "password": "nope", "csrf_token": token})
    unknown = browser.post(
        "/login", data={"email": "who@example.test", "password": "nope", "csrf_token": token}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert "The email or password is wrong." in wrong.get_data(as_text=True)
    assert "The email or password is wrong." in unknown.get_data(as_text=True)
    assert f'value="{email}"' in wrong.get_data(as_text=True)  # the email is kept
    assert browser.get("/").status_code == 302  # still not signed in


def test_sign_in_without_the_form_token_is_refused(app: Flask, browser: FlaskClient) -> None:
    email = add_user(app, "admin")
    browser.get("/login")

    response = browser.post("/login", data={"email": email, "password": PASSWORD})

    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert browser.get("/").status_code == 302


def test_the_session_cookie_is_http_only_same_site_and_https_only(
    app: Flask, browser: FlaskClient
) -> None:
    email = add_user(app, "viewer")
    token = form_token(browser.get("/login").get_data(as_text=True))

    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    response = browser.post("/login", data=data)

    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and "session=" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    assert "Expires=" in cookie  # ends after SESSION_HOURS, not only when the browser closes
    assert PASSWORD not in cookie
    assert email not in cookie


def test_signing_out_needs_the_form_token_and_ends_the_session(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("viewer")

    assert client.post("/logout").status_code == 400  # no token: a forged sign-out
    assert client.get("/").status_code == 200

    response = post_form(client, "/logout", {}, page="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(
    app: Flask, browser: FlaskClient
) -> None:
    email = add_user(app, "viewer")
    sign_in(browser, email)
    with app.app_context():
        set_password(db.session(), email, "another long password")
        db.session().commit()

    assert browser.get("/").status_code == 302


def test_a_forged_session_cookie_is_ignored(app: Flask, browser: FlaskClient) -> None:
    add_user(app, "admin")
    browser.set_cookie("session", "eyJ1aWQiOjF9.forged.signature")

    assert browser.get("/").status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_its_rules_allow(
    app: Flask, signed_in: Callable[[str], FlaskClient], role: str
) -> None:
    client = signed_in(role)
    for endpoint, url in pages(app):
        response = client.get(url)
        body = response.get_data(as_text=True)
        if role in PERMISSIONS[endpoint]:
            assert response.status_code == 200, (endpoint, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, response.status_code)
            assert response.mimetype == "text/html"
            assert "may not open this page" in body


def test_the_menu_shows_only_pages_the_role_may_open(
    app: Flask, signed_in: Callable[[str], FlaskClient]
) -> None:
    for role in ROLES:
        page = signed_in(role).get("/").get_data(as_text=True)
        menu = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
        assert menu is not None
        for link in re.findall(r'href="([^"]+)"', menu.group(1)):
            endpoint = app.url_map.bind("localhost").match(link)[0]
            assert role in PERMISSIONS[endpoint], (role, link)


def test_pages_answer_errors_as_pages_and_the_api_as_json(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("admin")

    page = client.get("/no-such-page", headers={"Accept": "text/html,*/*;q=0.8"})
    api = client.get("/api/v1/no-such-thing")

    assert page.status_code == api.status_code == 404
    assert page.mimetype == "text/html"
    assert "Not found" in page.get_data(as_text=True)
    assert api.get_json()["status"] == 404


def test_a_signed_in_browser_gets_no_api_access_without_a_key(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    # The API takes keys only, so a page on another site cannot use the browser's session.
    assert signed_in("admin").get("/api/v1/vendors").status_code == 401


def test_sign_in_attempts_per_address_are_limited(app: Flask, browser: FlaskClient) -> None:
    token = form_token(browser.get("/login").get_data(as_text=True))
    statuses = [
        browser.post(
            "/login", data={"email": "x@example.test", "password": "guess", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]

    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


@pytest.mark.parametrize(
    ("referrer", "status"),
    [("https://localhost/login", 302), ("https://evil.example/login", 400), (None, 400)],
)
def test_over_https_a_form_must_come_from_this_site(
    app: Flask, referrer: str | None, status: int
) -> None:
    email = add_user(app, "viewer")
    browser = app.test_client()
    page = browser.get("/login", base_url="https://localhost").get_data(as_text=True)
    headers = {"Referer": referrer} if referrer else {}

    response = browser.post(
        "/login",
        base_url="https://localhost",
        headers=headers,
        data={"email": email, "password": PASSWORD, "csrf_token": form_token(page)},
    )

    assert response.status_code == status
