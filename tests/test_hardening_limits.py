"""Rate limits as the README states them: every endpoint but the probes, per address and per key.

The Redis outage test starts a Redis of its own on a free port, stops and restarts it while
clients keep asking, and counts the answers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from matcher import create_app, limits
from matcher.matching import CatalogChurning
from tests.conftest import make_key, services_required
from tests.factories import vendor

LOOSE = "100000 per minute"


@pytest.fixture
def limited(database: str, tmp_path: Path) -> Iterator[Any]:
    """Return a function that makes the service with the given settings (disposed at the end)."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database,
                "JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                **settings,
            }
        )
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["engine"].dispose()


def test_the_address_limit_counts_every_endpoint_but_the_probes_together(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_ADDRESS="5 per minute")
    key = make_key(app, "viewer")
    client = app.test_client()
    keyed = {"X-API-Key": key}
    asks = [
        ("/api/v1/vendors", keyed),
        ("/api/v1/vendors", {}),
        ("/api/v1/vendors", {"X-API-Key": key + "x"}),
        ("/login", {}),
        ("/api/v1/openapi.json", {}),
        ("/no-such-page", {}),
        ("/api/v1/vendors/acme", keyed),
        ("/api/v1/docs", {}),
        ("/api/v1/vendors", keyed),
        ("/", {}),
        ("/api/v1/vendors", {}),
        ("/api/v1/vendors", keyed),
    ]

    statuses = [client.get(path, headers=headers).status_code for path, headers in asks]
    probes = {client.get(path).status_code for path in ("/healthz", "/readyz", "/metrics") * 3}

    assert statuses[:5] == [200, 401, 401, 200, 200]
    assert statuses[5:] == [429] * 7
    assert probes == {200}


def test_anonymous_and_refused_api_requests_are_limited_per_address(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_ADDRESS="5 per minute")
    client = app.test_client()

    anonymous = [client.get("/api/v1/vendors").status_code for _ in range(6)]
    other = {"REMOTE_ADDR": "198.51.100.7"}
    refused = [
        client.get(
            "/api/v1/vendors", headers={"X-API-Key": "vmk_0123_guess"}, environ_base=other
        ).status_code
        for _ in range(6)
    ]

    assert anonymous == [401] * 5 + [429]
    assert refused == [401] * 5 + [429]


def test_a_keys_limit_counts_all_its_requests_whatever_the_endpoint(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_KEY="4 per minute")
    key = make_key(app, "viewer")
    client = app.test_client()
    asks = [
        ("GET", "/api/v1/vendors"),
        ("GET", "/api/v1/vendors/acme"),  # 404
        ("POST", "/api/v1/match"),  # 403: a viewer may not match
        ("GET", "/api/v1/vendors/export?format=json"),
        ("GET", "/api/v1/vendors"),
        ("GET", "/api/v1/audit"),
    ]

    statuses = [
        client.open(
            path,
            method=method,
            headers={"X-API-Key": key},
            # A new address each time: only the key's own count can refuse.
            environ_base={"REMOTE_ADDR": f"10.0.0.{turn}"},
        ).status_code
        for turn, (method, path) in enumerate(asks, start=1)
    ]

    assert statuses == [200, 404, 403, 200, 429, 429]


def test_guessing_a_keys_secret_does_not_use_up_the_key(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_KEY="3 per minute")
    key = make_key(app, "viewer")
    client = app.test_client()
    guessed = key.rsplit("_", 1)[0] + "_wrong"

    guesses = {
        client.get(
            "/api/v1/vendors",
            headers={"X-API-Key": guessed},
            environ_base={"REMOTE_ADDR": f"10.1.0.{turn}"},
        ).status_code
        for turn in range(6)
    }
    own = client.get("/api/v1/vendors", headers={"X-API-Key": key})

    assert guesses == {401}
    assert own.status_code == 200


def test_a_refusal_says_when_to_retry_in_the_error_shape(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_ADDRESS="1 per minute")
    client = app.test_client()

    client.get("/api/v1/openapi.json")
    refused = client.get("/api/v1/openapi.json")

    assert refused.status_code == 429
    assert refused.json is not None
    assert refused.json["status"] == 429
    assert "address" in refused.json["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_retry_after_is_on_429_only_and_the_apps_own_value_stands(limited: Any) -> None:
    app = limited(RATE_LIMIT_PER_ADDRESS="50 per minute", RATE_LIMIT_PER_KEY="50 per minute")

    def churning() -> None:
        raise CatalogChurning()

    app.add_url_rule("/churning", "churning", churning)
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = make_key(app, "admin")
    record = vendor("andes-care")

    created = client.post("/api/v1/vendors", json=record)
    again = client.post("/api/v1/vendors", json=record)
    read = client.get("/api/v1/vendors/andes-care")
    busy = client.get("/churning")

    assert (created.status_code, again.status_code, read.status_code) == (201, 409, 200)
    assert "Retry-After" not in created.headers
    assert "Retry-After" not in again.headers
    assert "Retry-After" not in read.headers
    assert busy.status_code == 503
    assert busy.headers.get_all("Retry-After") == ["5"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class OwnRedis:
    """A Redis server of the test's own: a free port, a temporary folder, nothing kept."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("the test's Redis did not start")

    def stop(self) -> None:
        """Stop the server at once, as a crash or a restart would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def keys(self, pattern: str) -> list[bytes]:
        """Return the server's keys matching a pattern."""
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        return list(client.scan_iter(match=pattern))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """Return a running Redis of this test's own, stopped at the end whatever happens."""
    if shutil.which("redis-server") is None:
        if services_required():
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed here; CI has it")
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _ask_until(stop: threading.Event, client: FlaskClient, answers: Counter[int]) -> None:
    asks = ["/api/v1/vendors", "/api/v1/openapi.json", "/login", "/healthz"]
    turn = 0
    while not stop.is_set():
        answers[client.get(asks[turn % len(asks)]).status_code] += 1
        turn += 1


def test_redis_going_away_and_coming_back_under_load_refuses_nothing(
    limited: Any, own_redis: OwnRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quick to ask Redis again once it is back, so the test need not wait long.
    monkeypatch.setattr(limits, "REDIS_BACKOFF_SECONDS", 0.2)
    prefix = f"test-{uuid.uuid4().hex}"
    app = limited(
        REDIS_URL=own_redis.url,
        REDIS_PREFIX=prefix,
        RATE_LIMIT_PER_ADDRESS=LOOSE,
        RATE_LIMIT_PER_KEY=LOOSE,
    )
    key = make_key(app, "viewer")
    stop = threading.Event()
    answers: list[Counter[int]] = [Counter() for _ in range(6)]
    clients = []
    for _ in answers:
        client = app.test_client()
        client.environ_base["HTTP_X_API_KEY"] = key
        clients.append(client)
    threads = [
        threading.Thread(target=_ask_until, args=(stop, client, counted))
        for client, counted in zip(clients, answers, strict=True)
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            time.sleep(0.7)
            own_redis.stop()
            time.sleep(0.7)
            own_redis.start()
        time.sleep(0.7)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    counted_back = own_redis.keys(f"{prefix}*")

    total = sum(answers, Counter())
    assert total[500] == 0, total
    assert set(total) == {200}, total
    assert total[200] > 100
    assert counted_back, "once Redis is back the counts are kept there again"
