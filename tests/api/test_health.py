"""Liveness and readiness probes."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from matcher import create_app


def test_healthz_says_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_is_ready_on_a_migrated_database_with_the_index_loaded(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json is not None
    assert response.json["checks"] == {"database": "ok", "matching_index": "ok"}


def test_readyz_is_503_until_the_schema_is_migrated(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json is not None
    assert "expected" in response.json["checks"]["database"]
    app.extensions["engine"].dispose()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    app = create_app({"TESTING": True, "DATABASE_URL": url})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["checks"]["database"] == "unreachable"


def test_the_front_page_asks_a_stranger_to_sign_in_and_links_the_api_docs(
    client: FlaskClient,
) -> None:
    response = client.get("/")
    sign_in = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert 'href="/api/v1/docs"' in sign_in
