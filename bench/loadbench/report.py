"""Reporting a load run: the table, the import line, the summary against the targets, JSON."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from loadbench.model import NOISE_CORES, TARGET_P99_MS, TARGET_RPS_10K, Cell, verdict


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


def summary(cells: Sequence[Cell]) -> list[str]:
    """Judge the run against the targets, one line each."""
    lines = []
    ten_k = [cell for cell in cells if cell.judged_for_rps]
    if ten_k:
        best = max(ten_k, key=lambda cell: cell.ok_rps)
        lines.append(
            f"target >= {TARGET_RPS_10K:.0f} matches/s at 10k vendors: "
            f"{verdict(best.ok_rps >= TARGET_RPS_10K)} (best {best.ok_rps:.0f}/s at "
            f"{best.concurrency} concurrent{', import running' if best.with_import else ''})"
        )
    for cell in cells:
        if cell.endpoint == "match" and cell.concurrency >= 50:
            lines.append(
                f"target p99 < {TARGET_P99_MS:.0f} ms at {cell.concurrency} concurrent, "
                f"{cell.size:,} vendors{', import running' if cell.with_import else ''}: "
                f"{verdict(cell.p99_ms < TARGET_P99_MS)} ({cell.p99_ms:.1f} ms; closed loop: mean "
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
        f"target 0 errors: {verdict(failed == 0)} ({failed} socket errors and non-2xx answers"
        + (f"; statuses {', '.join(statuses)}" if statuses else "")
        + ")"
    )
    return lines


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
