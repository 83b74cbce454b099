"""Fixtures for the pages: users of each role, signed in through the real sign-in form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from matcher import db
from tests.api.test_match_api import CATALOG
from vendors.access import create_user
from vendors.catalog import create_vendor

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(page: str) -> str:
    """Return the CSRF token of the first form on a page."""
    found = _TOKEN.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def add_user(app: Flask, role: str, email: str | None = None) -> str:
    """Create a web user with a role; return the email."""
    address = email or f"{role}@example.test"
    with app.app_context():
        create_user(db.session(), address, role, PASSWORD)
        db.session().commit()
    return address


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> FlaskClient:
    """Sign a client in through the sign-in form."""
    token = form_token(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, page: str | None = None
) -> TestResponse:
    """Post a form with the CSRF token of the page it comes from (by default, the URL itself)."""
    token = form_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    """Return a client that is not signed in."""
    return app.test_client()


@pytest.fixture
def signed_in(app: Flask) -> Callable[[str], FlaskClient]:
    """Return a function that gives a client signed in with a role."""

    def make(role: str) -> FlaskClient:
        return sign_in(app.test_client(), add_user(app, role))

    return make


@pytest.fixture
def catalog(app: Flask) -> None:
    """Load the small catalog of the matching API tests."""
    with app.app_context():
        for record in CATALOG:
            create_vendor(db.session(), record)
        db.session().commit()
