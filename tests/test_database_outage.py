"""A PostgreSQL restart under load: each answer a success or a 503 in the error shape, never a 500.

The test runs a PostgreSQL cluster of its own (initdb on a free port, as the `postgres` user when
run as root), serves the service from it with real gunicorn, keeps several clients asking while
the cluster is restarted quickly and then stopped for a while, and counts the answers. While the
database is away each answer is 503 JSON with `Retry-After`; once it is back the next requests
succeed, since the pool checks a connection before handing it out.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from matcher import create_app, migrate
from tests.conftest import make_key, services_required
from tests.factories import vendors
from tests.test_gunicorn import Server, _free_port, redis_url, settings  # noqa: F401

pytestmark = pytest.mark.slow

CLIENTS = 4


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    return found[-1] or None


class OwnPostgres:
    """A PostgreSQL cluster of the test's own, on a free port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root.
            shutil.chown(folder, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        """The URL of the service's database on this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/matcher"

    def _ctl(self, *args: str) -> None:
        pg_ctl = _bin("pg_ctl") or "pg_ctl"
        command = [*self.as_user, pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log")]
        subprocess.run([*command, *args], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        """Make the cluster, start it and create the service's database."""
        initdb = _bin("initdb") or "initdb"
        subprocess.run(
            [*self.as_user, initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.start()
        admin = create_engine(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE matcher"))
        admin.dispose()

    def start(self) -> None:
        """Start the cluster and wait until it takes connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-w", "-o", options, "start")

    def stop(self) -> None:
        """Stop the cluster at once, dropping every connection."""
        self._ctl("-w", "-m", "fast", "stop")

    def restart(self) -> None:
        """Stop and start again, as an operator's quick restart does."""
        self.stop()
        self.start()


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """Return a running PostgreSQL cluster of this test's own, removed at the end."""
    if _bin("initdb") is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if services_required():
            pytest.fail("PostgreSQL's initdb is not installed")
        pytest.skip("PostgreSQL's server programs are not installed here; CI has them")
    folder = Path(tempfile.mkdtemp(prefix="matcher-pg-"))
    folder.chmod(0o755)
    cluster = OwnPostgres(folder)
    try:
        cluster.create()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def served(
    own_postgres: OwnPostgres,
    settings: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> Iterator[Server]:
    """Serve the service from the test's own cluster, with a small catalog and an admin key."""
    engine = create_engine(own_postgres.url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": own_postgres.url})
    key = make_key(app, "admin")
    client = app.test_client()
    for record in vendors(20):
        assert (
            client.post("/api/v1/vendors", json=record, headers={"X-API-Key": key}).status_code
            == 201
        )
    app.extensions["engine"].dispose()
    server = Server({**settings, "DATABASE_URL": own_postgres.url}, tmp_path, key)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _ask(server: Server, turn: int) -> tuple[int, str, str, str]:
    """Ask one of the usual questions; return status, content type, Retry-After and body."""
    asks = [
        ("POST", "/api/v1/match", {"skills": ["customer support"], "limit": 5}),
        ("GET", "/api/v1/vendors?per_page=5", None),
        ("GET", "/api/v1/vendors/v00000", None),
    ]
    method, path, body = asks[turn % len(asks)]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"X-API-Key": server.key, "Content-Type": "application/json"}
        connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        answer = connection.getresponse()
        data = answer.read().decode(errors="replace")
        return (
            answer.status,
            answer.getheader("Content-Type") or "",
            answer.getheader("Retry-After") or "",
            data,
        )
    finally:
        connection.close()


def test_a_database_restart_under_load_answers_503_and_never_500(
    served: Server, own_postgres: OwnPostgres
) -> None:
    stop = threading.Event()
    answers: list[tuple[int, str, str, str]] = []
    lock = threading.Lock()

    def keep_asking(offset: int) -> None:
        turn = offset
        while not stop.is_set():
            answer = _ask(served, turn)
            with lock:
                answers.append(answer)
            turn += 1

    threads = [threading.Thread(target=keep_asking, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        own_postgres.restart()  # a quick restart: well under a second
        time.sleep(1)
        own_postgres.stop()  # and an outage long enough to be seen by every client
        time.sleep(2)
        own_postgres.start()
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = Counter(status for status, *_ in answers)
    assert statuses[500] == 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[503] > 0, "the outage was never seen"
    for status, content_type, retry_after, body in answers:
        if status == 503:
            assert content_type.startswith("application/json"), body
            assert json.loads(body)["status"] == 503
            assert retry_after.isdigit()
    # Back: the next requests from every question succeed, on every worker.
    after = [_ask(served, turn)[0] for turn in range(30)]
    assert after == [200] * 30, Counter(after)
