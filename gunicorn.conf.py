"""gunicorn settings for the vendor matcher: `gunicorn wsgi:app` reads this file.

Every value can be set from the environment; the defaults suit one machine behind a reverse
proxy. Workers are stateless: the catalog, sessions' data, job queue and rate-limit counters
live in PostgreSQL and Redis, so any worker (on any machine) can serve any request.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from typing import Any

from matcher.gunicorn_worker import CLIENT_TIMEOUT_VARIABLE, DEFAULT_CLIENT_TIMEOUT, client_timeout

bind = os.environ.get("MATCHER_BIND", "127.0.0.1:8000")
# Matching is CPU work in numpy: one process per core, a few threads each for the waits on
# the database.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("MATCHER_THREADS", "4"))
# gthread, but requests are read and answers sent by the worker's main loop: a slow client
# holds a connection, never a thread, and gets MATCHER_CLIENT_TIMEOUT seconds (see the README).
worker_class = "matcher.gunicorn_worker.ClientBoundWorker"
client_timeout(os.environ.get(CLIENT_TIMEOUT_VARIABLE, DEFAULT_CLIENT_TIMEOUT))
# Load the app (and its matching knowledge) once, before forking: quicker starts, shared memory.
preload_app = True
timeout = int(os.environ.get("MATCHER_WORKER_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("MATCHER_GRACEFUL_TIMEOUT", "30"))
keepalive = 5


def _reuse_port(setting: str) -> bool:
    """Say whether each worker should listen on a socket of its own (SO_REUSEPORT).

    With one shared socket, whichever worker wakes first accepts a burst of new connections,
    and kept-alive clients stay where they landed: 50 clients were seen all on one of two
    workers, the other idle. With a socket per worker the kernel spreads connections evenly.
    But a stopping worker's not-yet-accepted connections would then be reset, unless the
    kernel hands them to another worker (net.ipv4.tcp_migrate_req=1, Linux 5.14+): "auto"
    turns it on only then, so a graceful restart never drops a request.
    """
    value = setting.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    if value != "auto":
        raise SystemExit(f"MATCHER_REUSE_PORT must be auto, true or false, not {setting!r}")
    try:
        with open("/proc/sys/net/ipv4/tcp_migrate_req", encoding="ascii") as migrate:
            return migrate.read().strip() == "1"
    except OSError:
        return False


reuse_port = _reuse_port(os.environ.get("MATCHER_REUSE_PORT", "auto"))
# Recycling workers after N requests (staggered) is off by default: a new worker starts from the
# master's catalog index, but one built after a catalog change costs a rebuild. Set it if
# memory is seen to grow.
max_requests = int(os.environ.get("MATCHER_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The service logs each request itself (JSON with MATCHER_LOG_FORMAT=json, request id
# included, query strings left out), so gunicorn's own access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("MATCHER_GUNICORN_LOG_LEVEL", "info")
# gunicorn believes no forwarded header from anyone (by default it trusts X-Forwarded-Proto and
# SCRIPT_NAME from 127.0.0.1): the app alone reads them, from MATCHER_PROXY_HOPS proxies.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""

# glibc gives every thread a malloc arena of its own; the engine's large temporary numpy arrays
# then fault pages in again on each request (at 100k vendors, 7-8 ms of kernel time a match).
# One arena, as MALLOC_ARENA_MAX=1 would set, measured 40% more matches/s at 100k vendors.
if "MALLOC_ARENA_MAX" not in os.environ:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, 1)  # -8 is M_ARENA_MAX

# Prometheus counts requests in every worker; the workers share them through files here.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="matcher-metrics-")
# preload_app imports the app, whose metrics open their files in the folder, before
# on_starting runs: the folder must exist already.
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server: Any) -> None:
    """Start the metrics of this run from zero."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def when_ready(server: Any) -> None:
    """Build the catalog index once, in the master, before the workers fork.

    Every worker then starts with it (its arrays shared copy-on-write) instead of reading the
    whole catalog on its first request; a worker still rebuilds when the catalog has changed.
    """
    from matcher import db, matching
    from wsgi import app

    try:
        with app.app_context():
            matching.index_holder().current(db.session())
    except Exception:  # the database is not ready yet: each worker builds the index itself
        server.log.warning("catalog index not built before forking", exc_info=True)
    finally:
        app.extensions["engine"].dispose()


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker database connections of its own, never the master's."""
    from wsgi import app

    app.extensions["engine"].dispose(close=False)


def child_exit(server: Any, worker: Any) -> None:
    """Fold a finished worker's metrics into the totals."""
    from prometheus_client import multiprocess

    # Typed in some releases of prometheus-client and not in others.
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call,unused-ignore]
