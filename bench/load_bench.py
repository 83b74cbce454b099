"""Load-test POST /api/v1/match under gunicorn with wrk, on 10k and 100k synthetic vendors.

For each catalog size: a new database (PostgreSQL by default, a SQLite file with --sqlite),
the catalog generated and imported through the CLI (not timed), an admin key, and gunicorn
started with the repository's gunicorn.conf.py on a free loopback port (rate limits raised out
of the way, the per-request log off). The master builds the catalog index before forking;
after a warm-up, wrk (bench/wrk_match.lua) sends requirement profiles in turn, several kinds
with and without hard constraints, at 1, 10 and 50 connections, and then 50 again (for 40 s)
while a background import (`?background=true`, run by a `flask jobs worker`) of 20,000 rows
(at most the catalog's size) of another synthetic catalog (9 in 10 updating vendors, 1 in 10
new) changes the catalog mid-run, so every worker rebuilds its index under load. In the same
run, the baseline: the same wrk settings against GET /healthz, the HTTP floor of this stack on
this machine. Workers replaced between cells (gunicorn's max_requests) are warmed up again
before the next cell.

Prints requests/s, p50/p95/p99 latency, socket errors and non-2xx answers per cell, the CPU
time per answer and the cores used by gunicorn, PostgreSQL, wrk and everything else (other
work on the machine makes a run noisy: it is shown, and warned about), next to the targets on a
2-core machine: at least 300 matches/s at 10k vendors, p99 under 150 ms at 50 concurrent
clients, no errors.

    .venv/bin/python bench/load_bench.py [--sizes 10000,100000] [--concurrency 1,10,50]
        [--duration 20] [--sqlite] [--workers N] [--threads N] [--max-requests N]
        [--env NAME=VALUE] [--skip-import] [--json PATH]      (--help lists every option)

Needs wrk (Debian: apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import bench_support as support
from bench_support import free_port
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from vendors.synthetic import generate_records
from vendors.writers import write_export

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk_match.lua"
TARGET_RPS_10K = 300.0
TARGET_P99_MS = 150.0
LOOSE_LIMIT = "100000000 per minute"
TICKS = os.sysconf("SC_CLK_TCK")
# Cores used by processes other than the stack under test above which a cell is called noisy.
NOISE_CORES = 0.1
# Realistic requirement profiles, sent in turn: BPO and KPO work, with and without hard
# constraints, so that no two consecutive requests ask the same thing.
PROFILES: tuple[dict[str, Any], ...] = (
    {
        "title": "Spanish-speaking customer care for our US stores",
        "skills": ["customer support", "email and chat support"],
        "languages": ["Spanish", "English"],
        "client_country": "US",
        "delivery": ["nearshore"],
        "budget": {"max_rate": 20, "currency": "USD"},
        "team_size": 40,
        "certifications": ["PCI DSS"],
        "hard_constraints": ["geography", "languages"],
        "limit": 5,
    },
    {
        "skills": ["customer support", "technical support"],
        "languages": ["es"],
        "client_country": "US",
        "budget": {"max_rate": 18},
        "team_size": 25,
    },
    {
        "title": "Equity research support for a mid-cap fund",
        "skills": ["equity research", "financial modelling"],
        "qualifications": ["CFA"],
        "certifications": ["ISO 27001"],
        "hard_constraints": ["qualifications"],
        "limit": 20,
    },
    {
        "skills": ["equity research"],
        "qualifications": ["CFA", "MBA"],
        "countries": ["India", "Eastern Europe"],
        "industry": "Financial services",
        "complexity": "high",
    },
    {
        "description": "Scripted high-volume data entry and document processing, 24/7",
        "budget": {"max_rate": 10, "currency": "USD"},
        "team_size": 100,
        "hard_constraints": ["budget"],
    },
    {
        "skills": ["data entry"],
        "budget": {"max_rate": 8},
        "exclude_countries": ["US", "GB"],
        "limit": 25,
    },
    {
        "title": "Legal research for a London firm",
        "skills": ["legal research", "contract review"],
        "client_country": "GB",
        "languages": ["en"],
        "industry": "Legal",
        "budget": {"max_rate": 60, "currency": "GBP"},
    },
    {
        "skills": ["legal research", "document review"],
        "client_country": "GB",
        "delivery": ["offshore", "nearshore"],
        "qualifications": ["LLB"],
        "budget": {"max_rate": 45, "currency": "GBP"},
        "hard_constraints": ["skills", "budget", "geography"],
    },
    {
        "skills": ["Buchhaltung", "payroll processing"],
        "languages": ["German"],
        "client_country": "DE",
        "countries": ["Eastern Europe", "DACH"],
        "budget": {"max_rate": 35, "currency": "EUR"},
        "certifications": ["GDPR", "ISO 27001"],
        "hard_constraints": ["languages"],
    },
    {
        "description": "Market research and analytics: survey design, competitor analysis",
        "engagement_model": "KPO",
        "team_size": 8,
        "weights": {"budget": 0, "skills": 1},
        "limit": 50,
    },
)


@dataclass
class ImportRun:
    """What became of the background import started during a cell."""

    rows: int
    upload_seconds: float = 0.0
    queued_at: float | None = None
    finished_at: float | None = None
    state: str = "not started"
    rows_done: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    job_seconds: float | None = None
    slow_polls: int = 0
    considered_after: int | None = None


@dataclass
class Cell:
    """One wrk run and what it measured."""

    size: int
    endpoint: str
    concurrency: int
    threads: int
    with_import: bool
    seconds: float
    requests: int
    non2xx: int
    statuses: str
    connect: int
    read: int
    write: int
    timeout: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    mean_ms: float
    server_cores: float
    postgres_cores: float
    wrk_cores: float
    other_cores: float
    jobs_cores: float
    worker_restarts: int
    imported: ImportRun | None = None

    @property
    def rps(self) -> float:
        """Answers per second, any status."""
        return self.requests / self.seconds

    @property
    def ok_rps(self) -> float:
        """2xx answers per second (matches/s)."""
        return (self.requests - self.non2xx) / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per answer, spent by gunicorn, PostgreSQL and wrk together (not by
        the job worker applying an import: its cores are `jobs_cores`)."""
        cores = self.server_cores + self.postgres_cores + self.wrk_cores
        return 1000 * cores / self.rps if self.requests else 0.0

    @property
    def judged_for_rps(self) -> bool:
        """Say whether the matches/s target applies: 10k vendors, 10 clients or more."""
        return self.size == 10_000 and self.endpoint == "match" and self.concurrency >= 10

    @property
    def errors(self) -> int:
        """Socket errors: connect, read, write and timeouts."""
        return self.connect + self.read + self.write + self.timeout

    def line(self) -> str:
        """Format the cell as one table row, with the targets it is judged by."""
        marks = []
        if self.judged_for_rps:
            marks.append("rps " + _mark(self.ok_rps >= TARGET_RPS_10K))
        if self.endpoint == "match" and self.concurrency >= 50:
            marks.append("p99 " + _mark(self.p99_ms < TARGET_P99_MS))
        marks.append("err " + _mark(self.errors == 0 and self.non2xx == 0))
        return (
            f"{self.size:>8,} {self.endpoint:<8} {self.concurrency:>4} "
            f"{'yes' if self.with_import else 'no':>6} {self.rps:>8.0f} {self.ok_rps:>8.0f} "
            f"{self.p50_ms:>7.1f} {self.p95_ms:>7.1f} {self.p99_ms:>7.1f} {self.max_ms:>8.1f} "
            f"{self.errors:>6} {self.non2xx:>7} {self.cpu_ms:>6.2f} {self.server_cores:>4.2f} "
            f"{self.postgres_cores:>4.2f} {self.wrk_cores:>4.2f} {self.other_cores:>5.2f} "
            f"{self.worker_restarts:>3}  {' '.join(marks)}"
        )


HEADER = (
    f"{'vendors':>8} {'endpoint':<8} {'conc':>4} {'import':>6} {'req/s':>8} {'2xx/s':>8} "
    f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>8} {'errors':>6} {'non-2xx':>7} "
    f"{'cpu ms':>6} {'app':>4} {'pg':>4} {'wrk':>4} {'other':>5} {'rst':>3}  targets"
)


def _mark(passed: bool) -> str:
    return "PASS" if passed else "MISS"


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


# -- the database and the catalog -------------------------------------------------------------


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


# -- HTTP ---------------------------------------------------------------------------------------


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


# -- measuring ----------------------------------------------------------------------------------


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


def wrk_figures(output: str) -> dict[str, Any]:
    """Return the figures the Lua script's done() hook printed."""
    for line in output.splitlines():
        if line.startswith("LOAD_BENCH "):
            figures: dict[str, Any] = json.loads(line.removeprefix("LOAD_BENCH "))
            return figures
    raise SystemExit(f"wrk printed no LOAD_BENCH line:\n{output}")


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


def run_wrk(
    server: Server,
    size: int,
    endpoint: str,
    concurrency: int,
    duration: float,
    timeout: float,
    background: ImportPlan | None = None,
) -> Cell:
    """Run wrk once (while a background import runs, if planned) and return the cell."""
    threads = min(concurrency, 2)
    target = ["-", "healthz"] if endpoint == "healthz" else [server.key, str(server.profiles)]
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{duration:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{server.port}/",
        "--",
        *target,
    ]
    booted = server.restarts()
    jobs = background.worker_pid() if background else None
    cpu_before = CpuSnapshot.take(server.process.pid, jobs, server.backends())
    started = time.perf_counter()
    wrk = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        imported = background.run(server, started, duration) if background else None
        assert wrk.stdout is not None
        output = wrk.stdout.read().decode(errors="replace")
        _, status, usage = os.wait4(wrk.pid, 0)
        wrk.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if wrk.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(wrk.pid, signal.SIGKILL)
            wrk.wait()
    elapsed = time.perf_counter() - started
    cpu_after = CpuSnapshot.take(server.process.pid, jobs, server.backends())
    wrk_cpu = usage.ru_utime + usage.ru_stime
    postgres_cpu = cpu_after.postgres_since(cpu_before)
    if wrk.returncode != 0:
        raise SystemExit(f"wrk failed ({wrk.returncode}):\n{output}")
    if background is not None and imported is not None:
        background.finish(server, imported, started)
    figures = wrk_figures(output)
    seconds = figures["duration_us"] / 1e6
    return Cell(
        size=size,
        endpoint=endpoint,
        concurrency=concurrency,
        threads=threads,
        with_import=imported is not None,
        seconds=seconds,
        requests=figures["requests"],
        non2xx=figures["non2xx"],
        statuses=figures["statuses"],
        connect=figures["connect"],
        read=figures["read"],
        write=figures["write"],
        timeout=figures["timeout"],
        p50_ms=figures["p50_us"] / 1000,
        p90_ms=figures["p90_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        p999_ms=figures["p999_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        mean_ms=figures["mean_us"] / 1000,
        server_cores=(cpu_after.server - cpu_before.server) / elapsed,
        postgres_cores=postgres_cpu / elapsed,
        wrk_cores=wrk_cpu / elapsed,
        other_cores=max(
            0.0,
            (
                (cpu_after.machine - cpu_before.machine)
                - (cpu_after.server - cpu_before.server)
                - postgres_cpu
                - (cpu_after.jobs - cpu_before.jobs)
                - (cpu_after.own - cpu_before.own)
                - wrk_cpu
            )
            / elapsed,
        ),
        jobs_cores=(cpu_after.jobs - cpu_before.jobs) / elapsed,
        worker_restarts=server.restarts() - booted,
        imported=imported,
    )


@dataclass
class ImportPlan:
    """A background import to start `delay` seconds into a cell, with a job worker running."""

    path: Path
    rows: int
    delay: float
    wait_after: float
    env: dict[str, str]
    processes: Processes
    folder: Path
    _worker: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        """Start `flask jobs worker` before the load, so it is polling when the job comes."""
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
        self._worker = self.processes.start(command, self.env, self.folder / "jobs-worker.log")

    def worker_pid(self) -> int | None:
        """Return the job worker's process id, if it runs."""
        return self._worker.pid if self._worker is not None else None

    def stop_worker(self) -> None:
        """Stop the job worker."""
        if self._worker is not None:
            self.processes.stop(self._worker, grace=15.0)
            self._worker = None

    def run(self, server: Server, started: float, duration: float) -> ImportRun:
        """Upload the file `delay` seconds in, then follow the job until the load ends."""
        imported = ImportRun(rows=self.rows)
        time.sleep(max(0.0, started + self.delay - time.perf_counter()))
        sent = time.perf_counter()
        job = upload(server.port, server.key, self.path)
        imported.upload_seconds = time.perf_counter() - sent
        imported.queued_at = sent - started
        imported.state = job["state"]
        imported.report = {"url": job["url"]}
        self._follow(server, imported, started, until=started + duration + 0.5)
        return imported

    def finish(self, server: Server, imported: ImportRun, started: float) -> None:
        """Follow the job after the load (up to `wait_after` seconds); then check the index."""
        deadline = time.perf_counter() + self.wait_after
        self._follow(server, imported, started, until=deadline)
        if imported.state == "done":
            answer = match(server.port, server.key, PROFILES[2])
            imported.considered_after = answer["considered"]

    def _follow(self, server: Server, imported: ImportRun, started: float, until: float) -> None:
        url = imported.report.get("url") or ""
        while url and imported.state not in ("done", "failed") and time.perf_counter() < until:
            try:
                job = job_state(server.port, server.key, url)
            except TimeoutError:
                # Under load a poll waits behind the load's requests; a slow one is no failure.
                imported.slow_polls += 1
                continue
            imported.state, imported.rows_done = job["state"], job["rows_done"]
            if imported.state in ("done", "failed"):
                imported.finished_at = time.perf_counter() - started
                if job.get("finished_at"):
                    # By the server's clock: from the upload's arrival to the job's end.
                    ran = datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(
                        job["created_at"]
                    )
                    imported.job_seconds = ran.total_seconds()
                report = job.get("report") or {"error": job.get("error")}
                imported.report = {"url": url, **report}
                imported.report.pop("errors", None)
                imported.report.pop("duplicates", None)
                return
            time.sleep(0.5)


# -- one catalog size -------------------------------------------------------------------------


def app_env(url: str, folder: Path, args: argparse.Namespace) -> dict[str, str]:
    """Return the environment of the app's processes: this database, the limits out of the way,
    the job queue and uploads in the run's folder, no Redis."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=uuid.uuid4().hex,
        MATCHER_RATE_LIMIT_PER_KEY=LOOSE_LIMIT,
        MATCHER_RATE_LIMIT_PER_ADDRESS=LOOSE_LIMIT,
        MATCHER_ACCESS_LOG="false",
        MATCHER_JOBS_DATABASE=str(folder / "jobs.sqlite3"),
        MATCHER_UPLOAD_DIR=str(folder / "uploads"),
    )
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["MATCHER_THREADS"] = str(args.threads)
    if args.max_requests:
        env["MATCHER_MAX_REQUESTS"] = str(args.max_requests)
    for setting in args.env:
        name, _, value = setting.partition("=")
        env[name] = value
    return env


def bench_size(
    size: int, url: str, folder: Path, args: argparse.Namespace, processes: Processes
) -> list[Cell]:
    """Load the catalog, serve it, and run every cell of one size; return the cells."""
    env = app_env(url, folder, args)
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "vendors", "import", str(catalog_file(env, folder, size)), "--no-progress")
    key = flask(env, "keys", "create", "--role", "admin", "--name", "load-bench")
    key = key.strip().splitlines()[-1]
    loaded = time.perf_counter() - started
    profiles = folder / "profiles.jsonl"
    profiles.write_text("".join(json.dumps(profile) + "\n" for profile in PROFILES))

    port = free_port()
    log = folder / f"gunicorn-{size}.log"
    log.unlink(missing_ok=True)
    metrics = folder / "metrics"
    metrics.mkdir(exist_ok=True)
    server_env = {
        **env,
        "MATCHER_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    process = processes.start(command, server_env, log)
    try:
        ready = wait_ready(port, process, log)
        workers = int(server_env.get("WEB_CONCURRENCY", os.cpu_count() or 2))
        warm = warm_up(port, key, workers, args.warmup)
        considered = [match(port, key, profile)["considered"] for profile in PROFILES]
        server = Server(process, port, key, profiles, log, url)
        print(
            f"\n{size:,} vendors: loaded in {loaded:.0f} s (not timed); gunicorn ready in "
            f"{ready:.1f} s; warm-up {args.warmup} matches in {warm:.1f} s; "
            f"{len(PROFILES)} profiles, each considering {min(considered):,} vendors; "
            f"{listening(log)}",
            flush=True,
        )
        print(HEADER, flush=True)
        cells: list[Cell] = []
        warmed = server.restarts()

        def measure(
            endpoint: str, concurrency: int, duration: float, background: ImportPlan | None = None
        ) -> Cell:
            nonlocal warmed
            if endpoint == "match" and server.restarts() != warmed:
                # Workers were replaced (max_requests) since the last warm-up: the new ones
                # build their index on their first match, which is not what this cell measures.
                replaced = server.restarts() - warmed
                seconds = warm_up(port, key, workers, args.warmup)
                print(f"{'':>9}({replaced} workers replaced; warmed up again in {seconds:.1f} s)")
                warmed = server.restarts()
            cell = run_wrk(server, size, endpoint, concurrency, duration, args.timeout, background)
            print(cell.line(), flush=True)
            cells.append(cell)
            return cell

        measure("healthz", 50, args.duration)
        for concurrency in args.concurrency:
            measure("match", concurrency, args.duration)
        if not args.skip_import:
            import_rows = min(args.import_rows, size)  # ids of the catalog, each at most once
            plan = ImportPlan(
                path=import_file(folder, import_rows),
                rows=import_rows,
                delay=args.import_delay,
                wait_after=args.import_wait,
                env=env,
                processes=processes,
                folder=folder,
            )
            plan.start_worker()
            try:
                time.sleep(2)  # the worker's start-up, off the clock
                cell = measure("match", 50, args.import_duration, plan)
            finally:
                plan.stop_worker()
            print(import_line(cell), flush=True)
        return cells
    finally:
        processes.stop(process)


def listening(log: Path) -> str:
    """Say how gunicorn listens, from its log: the master names its socket when it is shared by
    the workers, and names none when each worker has its own (MATCHER_REUSE_PORT)."""
    found = re.search(r"Listening at: (.*) \(\d+\)", log.read_text(errors="replace"))
    if found is None:
        return "listening socket unknown"
    return "one socket shared by the workers" if found[1].strip() else "a socket per worker"


def import_line(cell: Cell) -> str:
    """Describe the background import of a cell."""
    run = cell.imported
    if run is None:
        return ""
    report = run.report
    counts = ", ".join(
        f"{report[name]} {name}"
        for name in ("created", "updated", "unchanged", "rejected")
        if name in report
    )
    queued = f"{run.queued_at:.1f}" if run.queued_at is not None else "-"
    if run.finished_at is None:
        finished = f"not finished ({run.state}) when the bench stopped waiting"
    else:
        finished = f"seen {run.state} at {run.finished_at:.1f} s" + (
            " (after the load ended)" if run.finished_at > cell.seconds else " (during the load)"
        )
    if run.job_seconds is not None:
        finished += f", the job took {run.job_seconds:.1f} s"
    after = (
        f"; the next match considered {run.considered_after:,} vendors"
        if run.considered_after is not None
        else ""
    )
    slow = f"; {run.slow_polls} polls of the job timed out (10 s)" if run.slow_polls else ""
    return (
        f"{'':>9}import of {run.rows:,} rows: uploaded at {queued} s in {run.upload_seconds:.1f} s;"
        f" {finished}; {run.rows_done:,} rows read; {counts}{after}{slow}"
    )


# -- the whole run ------------------------------------------------------------------------------


def summary(cells: Sequence[Cell]) -> list[str]:
    """Judge the run against the targets, one line each."""
    lines = []
    ten_k = [cell for cell in cells if cell.judged_for_rps]
    if ten_k:
        best = max(ten_k, key=lambda cell: cell.ok_rps)
        lines.append(
            f"target >= {TARGET_RPS_10K:.0f} matches/s at 10k vendors: "
            f"{_mark(best.ok_rps >= TARGET_RPS_10K)} (best {best.ok_rps:.0f}/s at "
            f"{best.concurrency} concurrent{', import running' if best.with_import else ''})"
        )
    for cell in cells:
        if cell.endpoint == "match" and cell.concurrency >= 50:
            lines.append(
                f"target p99 < {TARGET_P99_MS:.0f} ms at {cell.concurrency} concurrent, "
                f"{cell.size:,} vendors{', import running' if cell.with_import else ''}: "
                f"{_mark(cell.p99_ms < TARGET_P99_MS)} ({cell.p99_ms:.1f} ms; closed loop: mean "
                f"{cell.mean_ms:.0f} ms ~ {cell.concurrency} clients / {cell.rps:.0f} req/s)"
            )
    cores = os.cpu_count() or 1
    for cell in cells:
        if (
            cell.endpoint == "match"
            and not cell.with_import
            and cell.concurrency >= 10
            and cell.cpu_ms
        ):
            per = {
                name: 1000 * used / cell.rps
                for name, used in (
                    ("gunicorn", cell.server_cores),
                    ("PostgreSQL", cell.postgres_cores),
                    ("wrk", cell.wrk_cores),
                )
            }
            parts = ", ".join(f"{name} {value:.2f}" for name, value in per.items())
            lines.append(
                f"CPU per match, {cell.size:,} vendors, {cell.concurrency} concurrent: "
                f"{cell.cpu_ms:.2f} ms ({parts}): {cores} idle cores would answer about "
                f"{1000 * cores / cell.cpu_ms:.0f} matches/s"
            )
    noisy = [cell for cell in cells if cell.other_cores > NOISE_CORES]
    if noisy:
        worst = max(noisy, key=lambda cell: cell.other_cores)
        lines.append(
            f"warning: other processes on the machine used up to {worst.other_cores:.2f} cores "
            f"during {len(noisy)} of {len(cells)} cells; those figures are pessimistic"
        )
    failed = sum(cell.errors + cell.non2xx for cell in cells)
    statuses = sorted({code for cell in cells for code in cell.statuses.split(",") if code})
    lines.append(
        f"target 0 errors: {_mark(failed == 0)} ({failed} socket errors and non-2xx answers"
        + (f"; statuses {', '.join(statuses)}" if statuses else "")
        + ")"
    )
    return lines


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[10_000, 100_000],
        help="catalog sizes, comma-separated (default 10000,100000)",
    )
    parser.add_argument(
        "--concurrency",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[1, 10, 50],
        help="connections per cell, comma-separated (default 1,10,50)",
    )
    parser.add_argument("--duration", type=float, default=20, help="seconds per cell")
    parser.add_argument("--timeout", type=float, default=10, help="wrk's request timeout, s")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: the config's)")
    parser.add_argument("--threads", type=int, help="MATCHER_THREADS (default: the config's)")
    parser.add_argument("--max-requests", type=int, help="MATCHER_MAX_REQUESTS")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for the app's processes, e.g. MALLOC_ARENA_MAX=1 (repeatable)",
    )
    parser.add_argument("--warmup", type=int, default=300, help="matches before measuring")
    parser.add_argument("--skip-import", action="store_true", help="no cell with an import")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=20_000,
        help="rows of the background import, at most the catalog's size; 9 in 10 update",
    )
    parser.add_argument("--import-delay", type=float, default=3, help="seconds into the cell")
    parser.add_argument("--import-duration", type=float, default=40, help="that cell's seconds")
    parser.add_argument(
        "--import-wait", type=float, default=300, help="seconds to wait after it for the job"
    )
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    return parser.parse_args()


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    """Run the matrix and print the table, the baseline and the targets."""
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; on Debian: apt-get install -y wrk")
    signal.signal(signal.SIGTERM, _interrupted)
    processes = Processes()
    cells: list[Cell] = []
    database = "SQLite file" if args.sqlite else f"PostgreSQL ({make_url(support.POSTGRES).host})"
    threads = args.threads or os.environ.get("MATCHER_THREADS") or "4 (config)"
    workers = args.workers or os.environ.get("WEB_CONCURRENCY") or f"{os.cpu_count()} (config)"
    print(
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}); {database}; "
        f"gunicorn gthread, workers {workers}, threads {threads}, max_requests "
        f"{args.max_requests or os.environ.get('MATCHER_MAX_REQUESTS') or '(config)'}"
        + "".join(f", {setting}" for setting in args.env)
        + f"; wrk {args.duration:g} s per "
        "cell, threads = min(connections, 2); "
        "latency in ms; cpu ms = CPU time per answer (gunicorn + PostgreSQL + wrk); app, pg, "
        "wrk, other = cores used by gunicorn, PostgreSQL, wrk and everything else on the machine "
        "(other sessions' work: noise); rst = workers replaced during the cell (max_requests)"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as name:
            folder = Path(name)
            for size in args.sizes:
                database_context = sqlite_database(folder) if args.sqlite else postgres_database()
                with database_context as url:
                    cells += bench_size(size, url, folder, args, processes)
    finally:
        processes.stop_all()
    print()
    for line in summary(cells):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(results(cells, args), indent=2) + "\n")
        print(f"results written to {args.json}")


def results(cells: Sequence[Cell], args: argparse.Namespace) -> dict[str, Any]:
    """Return the run as JSON-ready data."""
    return {
        "cores": os.cpu_count(),
        "database": "sqlite" if args.sqlite else "postgresql",
        "workers": args.workers,
        "threads": args.threads,
        "max_requests": args.max_requests,
        "env": args.env,
        "duration": args.duration,
        "targets": {"rps_10k": TARGET_RPS_10K, "p99_ms_at_50": TARGET_P99_MS, "errors": 0},
        "summary": summary(cells),
        "cells": [
            {**asdict(cell), "rps": cell.rps, "ok_rps": cell.ok_rps, "errors": cell.errors}
            for cell in cells
        ],
    }


if __name__ == "__main__":
    main()
