"""Prometheus metrics at /metrics: requests and latencies per endpoint, match latency, catalog
size and import jobs.

Under gunicorn every worker counts into files of PROMETHEUS_MULTIPROC_DIR and any worker
answers a scrape with the sum; the catalog and job figures are read from the database at
scrape time, so they are the same whichever worker answers. Nothing about a vendor is shown.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from matcher import db
from vendors.import_jobs import count_by_state
from vendors.models import Vendor

bp = Blueprint("metrics", __name__)
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
REQUESTS = Counter(
    "matcher_http_requests_total",
    "HTTP requests answered, by endpoint, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "matcher_http_request_duration_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint"],
    buckets=LATENCY_BUCKETS,
)
MATCH_LATENCY = Histogram(
    "matcher_match_duration_seconds",
    "Time the engine takes to rank the catalog for one profile",
    buckets=LATENCY_BUCKETS,
)


class CatalogFigures:
    """The catalog's size and the import jobs by state, read from the database."""

    def collect(self) -> Iterator[Metric]:
        """Yield the figures as gauges."""
        session = db.session()
        vendors = GaugeMetricFamily("matcher_catalog_vendors", "Vendors in the catalog")
        vendors.add_metric([], session.scalar(select(func.count()).select_from(Vendor)) or 0)
        yield vendors
        jobs = GaugeMetricFamily("matcher_import_jobs", "Import jobs by state", labels=["state"])
        for state, count in count_by_state(session).items():
            jobs.add_metric([state], count)
        yield jobs


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    endpoint = request.endpoint or "unmatched"
    elapsed = time.perf_counter() - g.get("metrics_started", time.perf_counter())
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(elapsed)
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics in Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
        counted = generate_latest(shared)
    else:
        counted = generate_latest(REGISTRY)
    figures = CollectorRegistry()
    figures.register(CatalogFigures())
    return Response(counted + generate_latest(figures), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Count every request and serve /metrics."""
    app.before_request(_start)
    app.after_request(_count)
    app.register_blueprint(bp)
