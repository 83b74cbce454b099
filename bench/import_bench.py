"""Benchmark catalog import: a synthetic CSV into SQLite and PostgreSQL, through the real CLI.

Prints wall time, rows/s and the import process's peak memory for a first import (all rows
created) and a second one (all unchanged), next to a baseline: the obvious row-at-a-time ORM
upsert, measured on a slice of the same file in the same run. Targets for 100k rows on SQLite:
under 20 s and under 300 MB.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import bench_support as support
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from matcher.migrate import upgrade
from vendors.models import Vendor
from vendors.readers import read_rows
from vendors.schema import load_record
from vendors.synthetic import generate_records
from vendors.writers import write_export

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One measured import."""

    label: str
    rows: int
    seconds: float
    peak_mb: float | None

    def line(self) -> str:
        """Format the run as one table row."""
        peak = f"{self.peak_mb:8.0f}" if self.peak_mb is not None else "       -"
        rate = self.rows / self.seconds
        return f"{self.label:<50} {self.rows:>8} {self.seconds:9.2f} {rate:10.0f} {peak}"


def catalog_file(rows: int, folder: Path) -> Path:
    """Write (or reuse) a synthetic catalog CSV of `rows` vendors."""
    path = folder / f"synthetic-{rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_export(generate_records(rows, seed=7), path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def cli_import(url: str, path: Path, label: str, rows: int) -> Run:
    """Run `flask vendors import` in a child process; return its time and peak memory."""
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "vendors", "import", str(path)]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*command, "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: the import failed")
    return Run(label, rows, seconds, usage.ru_maxrss / 1024)


def naive_import(url: str, path: Path, rows: int, label: str) -> Run:
    """Upsert row by row through the ORM: the obvious implementation, as a baseline."""
    engine = create_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        for row in islice(read_rows(path, "csv"), rows):
            assert row.data is not None
            record = load_record(row.data)
            vendor = session.get(Vendor, record["id"])
            if vendor is None:
                session.add(Vendor(**record))
            else:
                for name, value in record.items():
                    setattr(vendor, name, value)
            session.flush()
        session.commit()
    seconds = time.perf_counter() - started
    engine.dispose()
    return Run(label, rows, seconds, None)


@contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    """Yield the URL of a new, migrated SQLite file."""
    with support.sqlite_database(folder) as url:
        _migrate(url)
        yield url


@contextmanager
def postgres_database() -> Iterator[str]:
    """Yield the URL of a new, migrated PostgreSQL database, dropped afterwards."""
    with support.postgres_database() as url:
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()


def measure(
    backend: str, database: AbstractContextManager[str], path: Path, rows: int, slice_rows: int
) -> None:
    """Print the first import, the repeated import and the naive baseline on one backend."""
    with database as url:
        print(cli_import(url, path, f"{backend}: import, all new", rows).line(), flush=True)
        print(cli_import(url, path, f"{backend}: same file again, all unchanged", rows).line())
    with sqlite_database(path.parent) if backend == "sqlite" else postgres_database() as url:
        label = f"{backend}: baseline, ORM row by row ({slice_rows} rows)"
        print(naive_import(url, path, slice_rows, label).line(), flush=True)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = catalog_file(args.rows, Path(folder))
        size = path.stat().st_size / 1e6
        print(f"catalog: {args.rows} rows, {size:.1f} MB CSV; {os.cpu_count()} cores")
        print(f"{'run':<50} {'rows':>8} {'seconds':>9} {'rows/s':>10} {'peak MB':>8}")
        measure("sqlite", sqlite_database(Path(folder)), path, args.rows, args.baseline_rows)
        if not args.skip_postgres:
            measure("postgresql", postgres_database(), path, args.rows, args.baseline_rows)
    print("target (100k rows, SQLite): under 20 s, peak memory under 300 MB")


if __name__ == "__main__":
    main()
