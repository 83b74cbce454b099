"""Benchmark the matching engine: latency of one match at 10k, 100k and 1M synthetic vendors.

Next to it, in the same run, the baseline: the same ranking computed by a plain per-vendor Python
loop (matcher/engine/reference.py), and the ratio. Then the end-to-end latency of
POST /api/v1/match over HTTP on the demo catalog, served by gunicorn on loopback.
Targets on a 2-core machine: 100k vendors p50 <= 15 ms, 1M p50 <= 120 ms, >= 100x the loop at 100k.

    .venv/bin/python bench/engine_bench.py [--sizes 10000 100000 1000000] [--skip-http]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the per-vendor oracle lives with the tests

from bench_support import free_port  # noqa: E402

from matcher.engine.fit import fit  # noqa: E402
from matcher.engine.index import CatalogIndex, build_index  # noqa: E402
from matcher.engine.knowledge import Knowledge, load_knowledge  # noqa: E402
from matcher.engine.model import Budget, Requirement, VendorRow  # noqa: E402
from matcher.engine.rank import evaluate, rank, top_rows  # noqa: E402
from matcher.engine.reading import read  # noqa: E402
from matcher.engine.stability import stability  # noqa: E402
from matcher.matching import vendor_row  # noqa: E402
from tests.engine.reference import reference_rank  # noqa: E402
from vendors.synthetic import generate_records  # noqa: E402

PROFILES: tuple[Requirement, ...] = (
    Requirement(
        skills=("customer support", "email and chat support"),
        languages=("es", "en"),
        client_country="US",
        delivery=("nearshore",),
        budget=Budget(20, "USD"),
        team_size=40,
    ),
    Requirement(
        skills=("equity research", "financial modelling"),
        qualifications=("CFA",),
        certifications=("ISO 27001",),
        hard_constraints=frozenset({"qualifications"}),
    ),
    Requirement(
        description="Scripted high-volume data entry and document processing, 24/7",
        budget=Budget(10, "USD"),
        team_size=100,
        hard_constraints=frozenset({"budget"}),
    ),
    Requirement(
        skills=("legal research", "contract review"),
        client_country="GB",
        languages=("en",),
        industry="Legal",
        budget=Budget(60, "GBP"),
    ),
)
HTTP_PROFILE = {
    "skills": ["customer support"],
    "languages": ["Spanish", "English"],
    "client_country": "US",
    "delivery": ["nearshore"],
    "budget": {"max_rate": 20},
}


def rows(count: int) -> list[VendorRow]:
    """Return `count` synthetic vendors as engine rows."""
    return [vendor_row(record) for record in generate_records(count, seed=5)]


def timings(function: Callable[[], object], runs: int) -> list[float]:
    """Return the milliseconds each of `runs` calls took."""
    measured = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        measured.append((time.perf_counter() - started) * 1000)
    return measured


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    """Return p50 and p95."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


# The same profiles with every shortlist option of decision support on.
OPTIONS: tuple[Requirement, ...] = tuple(
    replace(profile, min_confidence=0.5, min_score=30, max_per_country=2) for profile in PROFILES
)


def engine_call(
    index: CatalogIndex, knowledge: Knowledge, chosen: Sequence[Requirement] = PROFILES
) -> Callable[[], float]:
    """Return a timed call of read + rank, one benchmark profile after another."""
    profiles = itertools.cycle(chosen)

    def once() -> float:
        profile = next(profiles)
        started = time.perf_counter()
        rank(read(profile, knowledge), index, knowledge)
        return (time.perf_counter() - started) * 1000

    return once


def fit_call(index: CatalogIndex, knowledge: Knowledge) -> Callable[[], float]:
    """Return a timed call of one vendor's fit, what it would take included, for vendors
    spread over the catalog (nearly all outside the top, so the changes are searched)."""
    asked = itertools.cycle(
        itertools.product(PROFILES, range(7, index.size, max(index.size // 13, 1)))
    )

    def once() -> float:
        profile, row = next(asked)
        started = time.perf_counter()
        fit(read(profile, knowledge), index, knowledge, row)
        return (time.perf_counter() - started) * 1000

    return once


def stability_call(index: CatalogIndex, knowledge: Knowledge) -> Callable[[], float]:
    """Return a timed call of the stability of the shown results alone (part of every match),
    the catalog scored first, untimed, and let go after: holding the four profiles' scores
    at once would slow everything else down."""
    profiles = itertools.cycle(PROFILES)

    def once() -> float:
        profile = next(profiles)
        evaluation = evaluate(read(profile, knowledge), index, knowledge)
        shown = evaluation.allowed
        top = top_rows(np.flatnonzero(shown), evaluation.total, index.tiebreak, profile.limit)
        lowest = float(evaluation.total[top].min())
        started = time.perf_counter()
        stability(evaluation, index.tiebreak, shown, top, profile.limit, lowest)
        return (time.perf_counter() - started) * 1000

    return once


def interleaved(
    calls: Sequence[Callable[[], float]], runs: int, block: int = 20
) -> list[list[float]]:
    """Return `runs` timings of each call, one list per call, taken in turn in blocks: the
    machine's drift falls on all of them alike, and each block runs warm as a worker
    answering matches does."""
    measured: list[list[float]] = [[] for _ in calls]
    while len(measured[0]) < runs:
        for call, times in zip(calls, measured, strict=True):
            times.extend(call() for _ in range(min(block, runs - len(times))))
    return measured


def loop_runs(vendors: list[VendorRow], knowledge: Knowledge, runs: int) -> list[float]:
    """Time the per-vendor Python loop for the benchmark profiles in turn."""
    profiles = iter(PROFILES * (runs // len(PROFILES) + 1))
    return timings(lambda: reference_rank(next(profiles), vendors, knowledge), runs)


def bench_size(size: int, knowledge: Knowledge, loop: bool) -> None:
    """Print the engine's latency at one catalog size, and the loop's when asked."""
    started = time.perf_counter()
    vendors = rows(size)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = build_index(vendors, knowledge)
    built = time.perf_counter() - started
    calls = [
        engine_call(index, knowledge),
        stability_call(index, knowledge),
        engine_call(index, knowledge, OPTIONS),
        fit_call(index, knowledge),
    ]
    interleaved(calls, 4)  # warm-up
    runs = 200 if size <= 100_000 else 40
    engine, steadiness, with_options, fits = interleaved(calls, runs)
    p50, p95 = percentiles(engine)
    steady, _ = percentiles(steadiness)
    line = f"{size:>9,} vendors  index {built:6.1f} s  engine p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
    line += f"  (of which stability {steady:5.2f} ms)"
    # Decision support against the engine without it: stability taken out, no option set.
    options, _ = percentiles(with_options)
    plain = p50 - steady
    line += f"  options on p50 {options:7.1f} ms"
    line += f" vs {plain:7.1f} ms without (+{options / plain - 1:.0%})"
    line += f"  fit p50 {percentiles(fits)[0]:6.1f} ms"
    if loop:
        loop_p50, _ = percentiles(loop_runs(vendors, knowledge, len(PROFILES)))
        line += f"  | loop p50 {loop_p50:9.0f} ms  ratio {loop_p50 / p50:6.0f}x"
    print(line + f"  (data {generated:.0f} s)", flush=True)


def bench_http(requests: int = 200) -> None:
    """Serve the demo catalog with gunicorn and time POST /api/v1/match over HTTP."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.db"}
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run(
            [*flask, "demo", "--no-serve"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        created = subprocess.run(
            [*flask, "keys", "create", "--role", "procurement", "--name", "bench"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = created.stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            body = json.dumps(HTTP_PROFILE)
            for _ in range(10):
                _post(port, body, key)  # warm-up: each worker builds its index once
            measured = timings(lambda: _post(port, body, key), requests)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait()
    p50, p95 = percentiles(measured)
    print(
        f"HTTP POST /api/v1/match, demo catalog (300 vendors), gunicorn 2 workers: "
        f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  ({requests} sequential requests)"
    )


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def _post(port: int, body: str, key: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "X-API-Key": key}
    connection.request("POST", "/api/v1/match", body, headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"match answered {response.status}: {payload[:200]!r}")
    return payload


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--loop-up-to", type=int, default=100_000, help="largest size for the loop")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    knowledge = load_knowledge()
    print(f"{os.cpu_count()} cores; {len(PROFILES)} profiles in turn; engine = read + rank")
    for size in args.sizes:
        bench_size(size, knowledge, loop=size <= args.loop_up_to)
    if not args.skip_http:
        bench_http()
    print(
        "targets: 100k p50 <= 15 ms, 1M p50 <= 120 ms, >= 100x the loop at 100k; "
        "decision support on within 25% of the engine without it at 100k"
    )


if __name__ == "__main__":
    main()
