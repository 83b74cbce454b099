"""Running the load: wrk against a served catalog, one cell after another, a background import."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_support import free_port

from loadbench.model import HEADER, LOOSE_LIMIT, LUA, PROFILES, ROOT, Cell, ImportRun
from loadbench.processes import (
    CpuSnapshot,
    Processes,
    Server,
    catalog_file,
    flask,
    import_file,
    job_state,
    match,
    upload,
    wait_ready,
    warm_up,
)
from loadbench.report import import_line, listening


def wrk_figures(output: str) -> dict[str, Any]:
    """Return the figures the Lua script's done() hook printed."""
    for line in output.splitlines():
        if line.startswith("LOAD_BENCH "):
            figures: dict[str, Any] = json.loads(line.removeprefix("LOAD_BENCH "))
            return figures
    raise SystemExit(f"wrk printed no LOAD_BENCH line:\n{output}")


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
