"""Sign-in says nothing by its cost, and signing out ends the session on the server."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from matcher import db
from tests.web.conftest import PASSWORD, add_user, form_token, post_form, sign_in
from vendors.models import LoginSession, utcnow


@pytest.fixture
def scrypt_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the scrypt runs of password checks from now on (one entry per run)."""
    runs: list[int] = []
    original = hashlib.scrypt

    def counted(*args: Any, **kwargs: Any) -> bytes:
        runs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return runs


@pytest.mark.parametrize(
    ("email", "password", "status"),
    [
        ("nobody@example.test", "a guess", 401),
        ("viewer@example.test", "a guess", 401),
        ("viewer@example.test", PASSWORD, 302),
    ],
)
def test_an_unknown_email_costs_the_same_one_scrypt_run_as_a_known_one(
    app: Flask, browser: FlaskClient, scrypt_runs: list[int], email: str, password: str, status: int
) -> None:
    add_user(app, "viewer")
    token = form_token(browser.get("/login").get_data(as_text=True))
    scrypt_runs.clear()

    answer = browser.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )

    assert answer.status_code == status
    assert len(scrypt_runs) == 1


def _copy_cookie(source: FlaskClient, target: FlaskClient) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def test_a_cookie_captured_before_sign_out_opens_no_page_after_it(
    app: Flask, signed_in: Callable[[str], FlaskClient]
) -> None:
    browser = signed_in("procurement")
    thief = app.test_client()
    _copy_cookie(browser, thief)
    page = thief.get("/search")
    assert page.status_code == 200  # the captured cookie works while the session lives
    stolen_token = form_token(page.get_data(as_text=True))

    signed_out = post_form(browser, "/logout", {}, page="/")
    after = thief.get("/search")
    posted = thief.post("/search", data={"csrf_token": stolen_token, "title": "x"})

    assert signed_out.status_code == 302
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login")
    assert posted.status_code == 401


def test_signing_out_in_one_browser_leaves_the_users_other_sign_ins_open(app: Flask) -> None:
    email = add_user(app, "viewer")
    laptop = sign_in(app.test_client(), email)
    phone = sign_in(app.test_client(), email)

    post_form(laptop, "/logout", {}, page="/")

    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_a_sign_in_past_its_hours_opens_nothing_even_with_a_fresh_cookie(
    app: Flask, signed_in: Callable[[str], FlaskClient]
) -> None:
    browser = signed_in("viewer")
    assert browser.get("/").status_code == 200
    with app.app_context():
        past = utcnow() - timedelta(seconds=1)
        db.session().execute(update(LoginSession).values(expires_at=past))
        db.session().commit()

    assert browser.get("/").status_code == 302


def test_signing_in_again_ends_the_browsers_earlier_session(app: Flask) -> None:
    email = add_user(app, "viewer")
    browser = sign_in(app.test_client(), email)
    earlier = app.test_client()
    _copy_cookie(browser, earlier)

    again = post_form(browser, "/login", {"email": email, "password": PASSWORD}, page="/")

    assert again.status_code == 302
    assert browser.get("/").status_code == 200
    assert earlier.get("/").status_code == 302
