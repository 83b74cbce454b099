"""The service under gunicorn with several real worker processes, as it runs in production.

Each test starts `gunicorn -c gunicorn.conf.py wsgi:app` (three workers of two threads) on the
test's database and talks to it over TCP, mostly one connection per request, so requests spread
over the workers. Which worker answered is read from the Prometheus multiprocess files: every worker
counts its requests in files of its own, named after its pid.

Checked: every worker serves the same catalog version (an edit or an import through any worker
is seen by all others on their next request), a background import's progress never goes back
whichever worker answers, /metrics adds up all the workers, the probes answer from every worker,
and a graceful restart (SIGHUP) drops no request, with one listening socket shared by the workers
and with a socket per worker (MATCHER_REUSE_PORT, which also spreads kept-alive clients over every
worker). Redis is used when it is running (required in
CI: CI or MATCHER_REQUIRE_SERVICES set).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
import redis
from flask import Flask
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_key, redis_up, require_redis, services_required
from tests.factories import vendor, vendors
from vendors.synthetic import generate_records
from vendors.writers import write_export

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 3
THREADS = 2
START_SECONDS = 30
MATCH = "api.match.match"
# Needs German: a hard constraint, so a vendor enters or leaves the results as its languages change.
GERMAN_SUPPORT = {
    "skills": ["Customer support"],
    "languages": ["de"],
    "hard_constraints": ["languages"],
}
T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Return the body read as JSON."""
        return json.loads(self.body)


class Server:
    """A gunicorn master and its workers, started on the test's database."""

    def __init__(self, env: dict[str, str], folder: Path, key: str):
        self.port = _free_port()
        self.env = {**env, "MATCHER_BIND": f"127.0.0.1:{self.port}"}
        self.key = key
        self.log = folder / "gunicorn.log"
        self.metrics_dir = Path(env["PROMETHEUS_MULTIPROC_DIR"])
        self.workers = int(env.get("WEB_CONCURRENCY", WORKERS))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The master's pid."""
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        """Start the master and wait until every worker is up and the service is ready."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                ready = self.request("GET", "/readyz", timeout=5).status == 200
            except OSError:
                ready = False
            if ready and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.1)
        raise AssertionError(f"gunicorn was not ready within {START_SECONDS} s:\n{self.tail()}")

    def stop(self) -> None:
        """Stop the master gracefully (SIGTERM); kill it and its workers if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = psutil.Process(self.pid).children()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            for worker in workers:
                if worker.is_running():
                    worker.kill()

    def tail(self, lines: int = 40) -> str:
        """Return the end of gunicorn's log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def worker_pids(self) -> set[int]:
        """Return the pids of the master's live workers."""
        children = psutil.Process(self.pid).children()
        return {child.pid for child in children if child.status() != psutil.STATUS_ZOMBIE}

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Answer:
        """Send one request on a connection of its own (no keep-alive) and read the answer."""
        sent = {"Connection": "close", **(headers or {})}
        if self.key:
            sent.setdefault("X-API-Key", self.key)
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def match(self, profile: dict[str, Any]) -> dict[str, Any]:
        """Rank the catalog for a profile; fail on anything but 200."""
        answer = self.request("POST", "/api/v1/match", json_body=profile)
        assert answer.status == 200, answer.body
        body: dict[str, Any] = answer.json()
        return body

    def upload(self, path: str, filename: str, content: bytes) -> Answer:
        """Send a catalog file as the multipart field `file`."""
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode(),
                b"Content-Type: application/octet-stream\r\n\r\n",
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", path, body=body, headers={"Content-Type": content_type})

    def counted(self, endpoint: str) -> dict[int, int]:
        """Return how many requests to an endpoint each worker pid has answered."""
        counts: dict[int, int] = {}
        for path in self.metrics_dir.glob("counter_*.db"):
            pid = int(path.stem.removeprefix("counter_"))
            values = MmapedDict.read_all_values_from_file(str(path))  # type: ignore[no-untyped-call]
            for key, value, _timestamp, _position in values:
                _metric, name, labels, _help = json.loads(key)
                if name == "matcher_http_requests_total" and labels["endpoint"] == endpoint:
                    counts[pid] = counts.get(pid, 0) + int(value)
        return counts

    def metrics(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        """Return /metrics read as samples by name: (labels, value)."""
        answer = self.request("GET", "/metrics")
        assert answer.status == 200, answer.body
        samples: dict[str, list[tuple[dict[str, str], float]]] = {}
        for family in text_string_to_metric_families(answer.body.decode()):
            for sample in family.samples:
                samples.setdefault(sample.name, []).append((sample.labels, sample.value))
        return samples


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def redis_url() -> str | None:
    """Return the Redis URL when Redis runs; None locally without it, a failure in CI."""
    if redis_up() or services_required():
        return require_redis()
    return None


@pytest.fixture
def settings(database: str, tmp_path: Path, redis_url: str | None) -> Iterator[dict[str, str]]:
    """Return the environment of the service's processes: web workers and job workers."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")
    }
    prefix = f"test-gunicorn-{uuid.uuid4().hex[:8]}"
    env.update(
        {
            "DATABASE_URL": database,
            "WEB_CONCURRENCY": str(WORKERS),
            "MATCHER_THREADS": str(THREADS),
            "MATCHER_JOBS_DATABASE": str(tmp_path / "jobs.sqlite3"),
            "MATCHER_UPLOAD_DIR": str(tmp_path / "uploads"),
            "MATCHER_IMPORT_BATCH_SIZE": "250",
            # Not made here: gunicorn.conf.py makes it before the app is preloaded.
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "MATCHER_RATE_LIMIT_PER_KEY": "100000 per minute",
            "MATCHER_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
            "MATCHER_REDIS_PREFIX": prefix,
            "SECRET_KEY": secrets.token_hex(32),
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    yield env
    if redis_url:
        client = redis.Redis.from_url(redis_url)
        for name in client.scan_iter(match=f"*{prefix}*", count=1000):
            client.delete(name)


@pytest.fixture
def server(
    app: Flask, settings: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """Start gunicorn on the test's database with an admin key; stop it after the test.

    Parametrised indirectly, the parameter is MATCHER_REUSE_PORT (default: the config's auto).
    """
    reuse_port = getattr(request, "param", None)
    if reuse_port == "true" and not kernel_migrates_connections():
        pytest.skip("needs net.ipv4.tcp_migrate_req=1 (.ci/run sets it)")
    env = settings if reuse_port is None else {**settings, "MATCHER_REUSE_PORT": reuse_port}
    running = Server(env, tmp_path, make_key(app, "admin"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def job_worker(
    server: Server, settings: dict[str, str], tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `flask jobs worker` with the service's settings, once the service is up."""
    with (tmp_path / "jobs-worker.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
            cwd=ROOT,
            env=settings,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def spread(
    server: Server,
    endpoint: str,
    call: Callable[[], T],
    *,
    minimum: int,
    per_worker: int = 3,
    limit: int = 600,
) -> list[T]:
    """Call at least `minimum` times, and until every worker has answered `per_worker` calls."""
    workers = server.worker_pids()
    before = server.counted(endpoint)
    results: list[T] = []
    while True:
        results += [call() for _ in range(10)]
        now = server.counted(endpoint)
        share = {pid: now.get(pid, 0) - before.get(pid, 0) for pid in workers}
        if len(results) >= minimum and min(share.values()) >= per_worker:
            return results
        assert len(results) < limit, f"{len(results)} requests did not reach every worker: {share}"


def result_ids(body: dict[str, Any]) -> list[str]:
    """Return the ids of a match's results, best first."""
    return [result["vendor"]["id"] for result in body["results"]]


def seed(server: Server, records: list[dict[str, Any]]) -> None:
    """Add vendors through the API."""
    for record in records:
        answer = server.request("POST", "/api/v1/vendors", json_body=record)
        assert answer.status == 201, answer.body


def test_every_worker_serves_the_catalog_version_an_edit_or_an_import_made(
    server: Server,
) -> None:
    seed(server, vendors(4))

    def german_support() -> tuple[tuple[str, ...], int]:
        body = server.match(GERMAN_SUPPORT)
        return tuple(result_ids(body)), body["considered"]

    # Every worker builds its index of the catalog: nobody speaks German yet.
    warm = spread(server, MATCH, german_support, minimum=60)
    assert set(warm) == {((), 4)}

    # An edit through one worker: every worker's next answer has it, never the old one.
    changed = server.request(
        "PATCH", "/api/v1/vendors/v00002", json_body={"languages": ["en", "de"]}
    )
    assert changed.status == 200, changed.body
    after_edit = spread(server, MATCH, german_support, minimum=60)
    assert set(after_edit) == {(("v00002",), 4)}

    # An import through one worker adds a vendor that every worker ranks first at once.
    berlin = vendor(
        "berlin-support",
        name="Spree Kundendienst",
        services=["Customer support", "Email and chat support"],
        delivery_countries=["DE"],
        hq_country="DE",
        languages=["de", "en"],
        rating=4.9,
        review_count=120,
        headcount=800,
        certifications=["ISO 27001", "PCI DSS"],
    )
    imported = server.upload(
        "/api/v1/vendors/import", "catalog.json", json.dumps([berlin]).encode()
    )
    assert imported.status == 200, imported.body
    assert imported.json()["created"] == 1
    after_import = spread(server, MATCH, german_support, minimum=60)
    assert set(after_import) == {(("berlin-support", "v00002"), 5)}


@pytest.mark.usefixtures("job_worker")
def test_a_background_import_progresses_whichever_worker_answers_and_lands_on_all(
    server: Server, tmp_path: Path
) -> None:
    rows = 3_000
    catalog = tmp_path / "catalog.jsonl"
    write_export(generate_records(rows, seed=11), catalog)

    accepted = server.upload(
        "/api/v1/vendors/import?background=true", catalog.name, catalog.read_bytes()
    )
    assert accepted.status == 202, accepted.body
    job_url = accepted.json()["job"]["url"]

    order = {"queued": 0, "running": 1, "done": 2, "failed": 2}
    seen: list[tuple[str, int]] = []
    polls_before = server.counted("api.jobs.get_job_state")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = server.request("GET", job_url)
        assert answer.status == 200, answer.body
        job = answer.json()
        seen.append((job["state"], job["rows_done"]))
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.02)
    polls = server.counted("api.jobs.get_job_state")

    assert job["state"] == "done", job
    assert job["rows_done"] == job["rows_total"] == rows
    assert job["report"]["created"] == rows
    # Progress never goes back, whichever worker answers the poll.
    states = [order[state] for state, _ in seen]
    done = [rows_done for _, rows_done in seen]
    assert states == sorted(states), seen
    assert done == sorted(done), seen
    assert any(0 < rows_done < rows for _, rows_done in seen), seen  # progress showed
    answered_by = {pid for pid, count in polls.items() if count > polls_before.get(pid, 0)}
    assert len(answered_by) >= 2, polls

    # Every worker lists and matches the new catalog whole.
    def total() -> int:
        answer = server.request("GET", "/api/v1/vendors?per_page=1")
        assert answer.status == 200, answer.body
        count: int = answer.json()["total"]
        return count

    assert set(spread(server, "api.vendors.list_vendors", total, minimum=15, per_worker=2)) == {
        rows
    }
    considered = spread(
        server,
        MATCH,
        lambda: server.match({"skills": ["Customer support"]})["considered"],
        minimum=15,
        per_worker=2,
    )
    assert set(considered) == {rows}


def test_metrics_add_up_every_worker_and_the_probes_answer_from_all(
    server: Server, redis_url: str | None
) -> None:
    seed(server, vendors(3))
    made = len(spread(server, MATCH, lambda: server.match(GERMAN_SUPPORT), minimum=40))
    by_worker = server.counted(MATCH)
    assert sum(by_worker.values()) == made
    assert len([count for count in by_worker.values() if count]) == WORKERS

    # Whichever worker answers the scrape, it counts the requests of all of them.
    def scrape() -> tuple[float, float]:
        samples = server.metrics()
        matches = sum(
            value
            for labels, value in samples["matcher_http_requests_total"]
            if labels["endpoint"] == MATCH
        )
        return matches, samples["matcher_catalog_vendors"][0][1]

    assert set(spread(server, "metrics.metrics", scrape, minimum=12, per_worker=2)) == {(made, 3)}

    def probe(path: str) -> dict[str, Any]:
        answer = server.request("GET", path)
        assert answer.status == 200, (path, answer.body)
        body: dict[str, Any] = answer.json()
        return body

    healthz = spread(server, "health.healthz", lambda: probe("/healthz"), minimum=12, per_worker=1)
    assert all(body == {"status": "ok"} for body in healthz)
    expected = {"database": "ok", "matching_index": "ok"}
    if redis_url:
        expected["redis"] = "ok"
    readyz = spread(server, "health.readyz", lambda: probe("/readyz"), minimum=12, per_worker=1)
    assert all(body == {"status": "ready", "checks": expected} for body in readyz)


def kernel_migrates_connections() -> bool:
    """Say whether Linux hands a closing socket's queued connections to its siblings."""
    try:
        return Path("/proc/sys/net/ipv4/tcp_migrate_req").read_text().strip() == "1"
    except OSError:
        return False


# With a socket per worker, a stopping worker's queued connections go to a sibling only when
# the kernel migrates them: both ways of listening must drop nothing.
@pytest.mark.parametrize("server", ["false", "true"], indirect=True, ids=["shared", "per-worker"])
def test_a_graceful_restart_drops_no_request_and_replaces_every_worker(server: Server) -> None:
    seed(server, [*vendors(3), vendor("hamburg-help", languages=["de", "en"])])
    warm = spread(server, MATCH, lambda: result_ids(server.match(GERMAN_SUPPORT)), minimum=30)
    assert all(ids == ["hamburg-help"] for ids in warm), warm[:3]
    old_workers = server.worker_pids()

    # Four clients send 200 requests in all, so the old workers have requests in hand when
    # the master (SIGHUP) starts new workers and tells the old ones to stop.
    outcomes: list[str] = []

    def send(count: int) -> None:
        for _ in range(count):
            try:
                answer = server.request("POST", "/api/v1/match", json_body=GERMAN_SUPPORT)
            except OSError as error:
                outcomes.append(f"connection error: {error!r}")
                continue
            ids = result_ids(answer.json()) if answer.status == 200 else None
            outcomes.append("ok" if ids == ["hamburg-help"] else f"{answer.status} {ids}")

    senders = [threading.Thread(target=send, args=(50,)) for _ in range(4)]
    for sender in senders:
        sender.start()
    while len(outcomes) < 30 and any(sender.is_alive() for sender in senders):
        time.sleep(0.005)
    os.kill(server.pid, signal.SIGHUP)
    for sender in senders:
        sender.join(timeout=120)

    failed = [outcome for outcome in outcomes if outcome != "ok"]
    assert failed == [], f"{len(failed)} of {len(outcomes)} failed:\n{server.tail()}"
    assert len(outcomes) == 200

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new_workers = server.worker_pids()
        if len(new_workers) == WORKERS and not new_workers & old_workers:
            break
        time.sleep(0.1)
    assert len(new_workers) == WORKERS, new_workers
    assert not new_workers & old_workers, (old_workers, new_workers)
    by_worker = server.counted(MATCH)
    assert sum(by_worker.get(pid, 0) for pid in new_workers) > 0  # they took over the stream
    assert sum(by_worker.values()) == len(warm) + 200

    # The new workers all serve the catalog, and /metrics keeps the old workers' counts.
    after = spread(server, MATCH, lambda: result_ids(server.match(GERMAN_SUPPORT)), minimum=15)
    assert all(ids == ["hamburg-help"] for ids in after)
    samples = server.metrics()["matcher_http_requests_total"]
    counted = sum(value for labels, value in samples if labels["endpoint"] == MATCH)
    assert counted == len(warm) + 200 + len(after)


def test_with_a_socket_per_worker_kept_alive_clients_are_shared_by_every_worker(
    app: Flask, settings: dict[str, str], tmp_path: Path
) -> None:
    # Thirty clients connect at once and keep their connections, as a load balancer's pool
    # or a load generator does. With one shared socket a burst like this can land on a single
    # worker; with MATCHER_REUSE_PORT the kernel spreads the connections over the workers.
    running = Server({**settings, "MATCHER_REUSE_PORT": "true"}, tmp_path, make_key(app, "admin"))
    try:
        running.start()
        before = running.counted(MATCH)
        clients = [
            http.client.HTTPConnection("127.0.0.1", running.port, timeout=30) for _ in range(30)
        ]
        for client in clients:
            client.connect()
        body = json.dumps(GERMAN_SUPPORT).encode()
        headers = {"Content-Type": "application/json", "X-API-Key": running.key}
        for _ in range(2):
            for client in clients:
                client.request("POST", "/api/v1/match", body=body, headers=headers)
                response = client.getresponse()
                assert response.status == 200, response.read()
                response.read()
        for client in clients:
            client.close()
        after = running.counted(MATCH)
        answered = {pid: after.get(pid, 0) - before.get(pid, 0) for pid in running.worker_pids()}
    finally:
        running.stop()
    assert sum(answered.values()) == 60
    assert all(count > 0 for count in answered.values()), answered
    assert max(answered.values()) < 40, answered  # no worker holds two thirds of the clients


def test_a_wrong_reuse_port_setting_stops_gunicorn_with_a_clear_message(
    settings: dict[str, str],
) -> None:
    env = {**settings, "MATCHER_REUSE_PORT": "sometimes", "MATCHER_BIND": "127.0.0.1:0"}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--check-config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "MATCHER_REUSE_PORT must be auto, true or false, not 'sometimes'" in done.stderr
