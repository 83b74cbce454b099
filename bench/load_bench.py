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
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType

import bench_support as support
from loadbench.model import Cell
from loadbench.processes import Processes, postgres_database, sqlite_database
from loadbench.report import results, summary
from loadbench.runner import bench_size
from sqlalchemy import make_url


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


if __name__ == "__main__":
    main()
