"""Process control for a load run: databases, the CLI, gunicorn, HTTP calls, CPU accounting."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bench_support as support
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from loadbench.model import PROFILES, ROOT, TICKS
from vendors.synthetic import generate_records
from vendors.writers import write_export


class Processes:
    """Child processes, each in a process group of its own, all ended on the way out."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen[bytes]] = []

    def start(
        self, command: Sequence[str], env: dict[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        """Start a command in its own session with stdout and stderr to a log file."""
        with log.open("ab") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], grace: float = 35.0) -> None:
        """End a process's group: SIGTERM, then SIGKILL after `grace` seconds."""
        if process in self._running:
            self._running.remove(process)
        for sent in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sent)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; make sure nothing it started lingers in its group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return

    def stop_all(self) -> None:
        """End every process still running, newest first."""
        for process in reversed(list(self._running)):
            self.stop(process, grace=10.0)


def postgres_database() -> contextlib.AbstractContextManager[str]:
    """Return a new PostgreSQL database's URL as a context, dropped afterwards."""
    return support.postgres_database("loadbench")


def sqlite_database(folder: Path) -> contextlib.AbstractContextManager[str]:
    """Return a new SQLite file's URL as a context, removed afterwards."""
    return support.sqlite_database(folder, "loadbench")


def flask(env: dict[str, str], *arguments: str) -> str:
    """Run a `flask --app wsgi` command; return its stdout, or stop with its stderr."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *arguments]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def catalog_file(env: dict[str, str], folder: Path, rows: int) -> Path:
    """Write (or reuse) a synthetic catalog CSV of `rows` vendors, seed 0."""
    path = folder / f"catalog-{rows}.csv"
    if not path.exists():
        flask(env, "vendors", "generate", str(rows), str(path))
    return path


def import_file(folder: Path, rows: int) -> Path:
    """Write a second catalog for the background import: `rows` vendors of another seed, so
    with other names, services, rates..., under the catalog's own ids (v0000000, ...: they
    update vendors) except every tenth, which gets a new id (it adds one). The catalog keeps
    about its size, so the cells before and after the import compare."""
    path = folder / f"import-{rows}.csv"
    records = []
    for number, record in enumerate(generate_records(rows, seed=1)):
        if number % 10 == 9:
            record = {**record, "id": "imp-" + record["id"]}
        records.append(record)
    write_export(records, path)
    return path


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> tuple[int, bytes]:
    """Send one request on a new connection; return the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(port: int, server: subprocess.Popen[bytes], log: Path) -> float:
    """Wait for /readyz to answer 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < 180:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if call(port, "GET", "/readyz", timeout=60)[0] == 200:
                return time.perf_counter() - started
        time.sleep(0.2)
    raise SystemExit(f"gunicorn was not ready after 180 s:\n{log.read_text()[-3000:]}")


def match(port: int, key: str, profile: dict[str, Any]) -> dict[str, Any]:
    """POST one profile to /api/v1/match; return the answer, or stop on anything but 200."""
    headers = {"Content-Type": "application/json", "X-API-Key": key}
    status, body = call(port, "POST", "/api/v1/match", json.dumps(profile).encode(), headers)
    if status != 200:
        raise SystemExit(f"match answered {status}: {body[:300]!r}")
    answer: dict[str, Any] = json.loads(body)
    return answer


def warm_up(port: int, key: str, workers: int, requests: int) -> float:
    """Send `requests` matches on new connections from several clients at once, so that every
    worker builds its index before anything is measured; return the seconds it took."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(4, 2 * workers)) as pool:
        answers = pool.map(
            lambda number: match(port, key, PROFILES[number % len(PROFILES)]), range(requests)
        )
        for _ in answers:
            pass
    return time.perf_counter() - started


def upload(port: int, key: str, path: Path) -> dict[str, Any]:
    """Upload a catalog file for a background import; return the job (202) or stop."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        (
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'.encode(),
            b"Content-Type: text/csv\r\n\r\n",
            path.read_bytes(),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    headers = {"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, answer = call(port, "POST", "/api/v1/vendors/import?background=true", body, headers)
    if status != 202:
        raise SystemExit(f"the background import answered {status}: {answer[:300]!r}")
    job: dict[str, Any] = json.loads(answer)["job"]
    return job


def job_state(port: int, key: str, url: str) -> dict[str, Any]:
    """Return a job as GET on its url answers it."""
    status, body = call(port, "GET", url, headers={"X-API-Key": key}, timeout=10)
    if status != 200:
        raise SystemExit(f"{url} answered {status}: {body[:300]!r}")
    job: dict[str, Any] = json.loads(body)
    return job


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far: by gunicorn (master, workers, reaped workers), by the PostgreSQL
    backends serving the bench's database (by process id), by the job worker, by this script,
    and by the whole machine."""

    server: float
    backends: dict[int, float]
    jobs: float
    own: float
    machine: float

    def postgres_since(self, earlier: CpuSnapshot) -> float:
        """CPU seconds the backends spent since an earlier snapshot (one that has exited since
        is not counted; a new one counts whole)."""
        return sum(now - earlier.backends.get(pid, 0.0) for pid, now in self.backends.items())

    @classmethod
    def take(cls, server: int, jobs: int | None, backends: set[int]) -> CpuSnapshot:
        """Read /proc now."""
        totals = {"server": 0, "jobs": 0}
        serving: dict[int, float] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                head, _, rest = stat.read_text().rpartition(")")
                parts = rest.split()
                pid, parent, name = int(stat.parent.name), int(parts[1]), head.partition("(")[2]
                own = int(parts[11]) + int(parts[12])  # utime + stime
                children = int(parts[13]) + int(parts[14])  # reaped children
                if pid == server:
                    totals["server"] += own + children
                elif parent == server:
                    totals["server"] += own
                elif pid == jobs:
                    totals["jobs"] += own + children
                elif pid in backends and name == "postgres":
                    serving[pid] = own / TICKS
        with open("/proc/stat") as machine:
            # user nice system idle iowait irq softirq steal: busy is all but idle, iowait and
            # steal (time the hypervisor gave to other machines).
            ticks = [int(value) for value in machine.readline().split()[1:9]]
        busy = sum(ticks) - ticks[3] - ticks[4] - ticks[7]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            server=totals["server"] / TICKS,
            backends=serving,
            jobs=totals["jobs"] / TICKS,
            own=usage.ru_utime + usage.ru_stime,
            machine=busy / TICKS,
        )


@dataclass
class Server:
    """A running gunicorn and what the load needs to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    key: str
    profiles: Path
    log: Path
    database: str

    def restarts(self) -> int:
        """Return how many workers have booted so far, the first ones included."""
        return self.log.read_text(errors="replace").count("Booting worker with pid")

    def backends(self) -> set[int]:
        """Return the process ids of the PostgreSQL backends connected to the database."""
        if not self.database.startswith("postgres"):
            return set()
        url = make_url(self.database).set(drivername="postgresql+psycopg")
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                return {int(pid) for pid in found.scalars()}
        finally:
            engine.dispose()
