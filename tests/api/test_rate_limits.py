"""Rate limits per API key and per client address; shared by workers through Redis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask

from matcher import create_app
from tests.conftest import make_key, require_redis


def limited_app(database: str, **settings: Any) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": database, **settings})


def test_too_many_requests_from_one_address_are_429_with_retry_after(database: str) -> None:
    app = limited_app(database, RATE_LIMIT_PER_ADDRESS="3 per minute")
    client = app.test_client()

    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(4)]
    refused = client.get("/api/v1/openapi.json")

    assert statuses == [200, 200, 200, 429]
    assert refused.json is not None
    assert refused.json["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    app.extensions["engine"].dispose()


def test_one_key_is_limited_across_addresses(database: str) -> None:
    app = limited_app(database, RATE_LIMIT_PER_KEY="2 per minute")
    key = make_key(app, "viewer")
    client = app.test_client()

    statuses = [
        client.get(
            "/api/v1/vendors", headers={"X-API-Key": key}, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3")
    ]

    assert statuses == [200, 200, 429]
    app.extensions["engine"].dispose()


def test_workers_sharing_redis_count_together(database: str) -> None:
    settings = {
        "REDIS_URL": require_redis(),
        "RATE_LIMIT_PER_ADDRESS": "3 per minute",
        "REDIS_PREFIX": f"test-{uuid.uuid4().hex}",  # a namespace of this test's own
    }
    workers = [limited_app(database, **settings) for _ in range(2)]

    statuses = [
        workers[turn % 2].test_client().get("/api/v1/openapi.json").status_code for turn in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
    for worker in workers:
        worker.extensions["engine"].dispose()


@pytest.mark.parametrize(("hops", "limited_together"), [(0, True), (1, False)])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    database: str, hops: int, limited_together: bool
) -> None:
    # Two clients behind one proxy: with the proxy trusted they are counted apart; without it,
    # X-Forwarded-For is ignored (anyone could send it) and the proxy's address counts.
    app = limited_app(database, RATE_LIMIT_PER_ADDRESS="2 per minute", PROXY_HOPS=hops)
    client = app.test_client()

    statuses = [
        client.get("/api/v1/openapi.json", headers={"X-Forwarded-For": address}).status_code
        for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3")
    ]

    assert (statuses[-1] == 429) is limited_together
    app.extensions["engine"].dispose()


def test_the_probes_and_metrics_are_never_limited(database: str) -> None:
    app = limited_app(database, RATE_LIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()

    statuses = {client.get(path).status_code for path in ("/healthz", "/metrics") * 5}

    assert statuses == {200}
    app.extensions["engine"].dispose()


def test_with_redis_down_requests_are_still_served_and_counted_in_the_process(
    database: str,
) -> None:
    app = limited_app(
        database, RATE_LIMIT_PER_ADDRESS="3 per minute", REDIS_URL="redis://127.0.0.1:1/0"
    )
    client = app.test_client()

    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    app.extensions["engine"].dispose()
