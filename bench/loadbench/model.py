"""What a load run measures: the targets, the profiles sent, the cells and their figures."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import bench_support

ROOT = bench_support.ROOT


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
            marks.append("rps " + verdict(self.ok_rps >= TARGET_RPS_10K))
        if self.endpoint == "match" and self.concurrency >= 50:
            marks.append("p99 " + verdict(self.p99_ms < TARGET_P99_MS))
        marks.append("err " + verdict(self.errors == 0 and self.non2xx == 0))
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


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"
