"""Rate limits per client address and per API key, counted in Redis when workers share one."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis import ConnectionPool
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as DroppedConnection
from redis.retry import Retry

log = logging.getLogger(__name__)
# The probes and the metrics are asked often by machines; they never count.
UNLIMITED_BLUEPRINTS = frozenset({"health", "metrics"})
# A Redis that does not answer within this long is treated as away: a request waits for it at
# most this long, once per process and back-off, and is then counted in the process.
REDIS_TIMEOUT_SECONDS = 0.5
# While Redis is away each process counts alone, and asks Redis again after this long.
REDIS_BACKOFF_SECONDS = 5.0


class RateLimited(Exception):
    """A client sent more requests than a limit allows; it may retry after some seconds."""

    def __init__(self, who: str, limit: RateLimitItem, retry_after: int):
        super().__init__(f"too many requests from this {who}")
        self.who = who
        self.limit = limit
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """The limits of one app: per address, per key, and for sign-in attempts per address."""

    per_address: list[RateLimitItem]
    per_key: list[RateLimitItem]
    login: list[RateLimitItem]


class Counters:
    """Request counters: in Redis when there is one (in this process while it is away)."""

    def __init__(self, redis_url: str | None, prefix: str):
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._shared: FixedWindowRateLimiter | None = None
        if redis_url:
            pool = ConnectionPool.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                # One quick retry covers a pooled connection that a Redis restart dropped; a
                # timeout is not retried. The client's default, three retries with back-off,
                # would hold a request for seconds.
                retry=Retry(NoBackoff(), 1, supported_errors=(DroppedConnection,)),
            )
            storage = RedisStorage(
                redis_url, connection_pool=pool, key_prefix=prefix, wrap_exceptions=True
            )
            self._shared = FixedWindowRateLimiter(storage)
        self._shared_again_at = 0.0

    def hit(self, limit: RateLimitItem, *identity: str) -> int | None:
        """Count one request; return the seconds to wait when it is over the limit, else None."""
        shared = self._shared
        if shared is not None and time.monotonic() >= self._shared_again_at:
            try:
                return _seconds_to_wait(shared, limit, *identity)
            except StorageError as error:
                self._shared_again_at = time.monotonic() + REDIS_BACKOFF_SECONDS
                log.warning("rate limits counted in this process: Redis is away (%s)", error)
        return _seconds_to_wait(self._local, limit, *identity)


def _seconds_to_wait(
    counters: FixedWindowRateLimiter, limit: RateLimitItem, *identity: str
) -> int | None:
    if counters.hit(limit, *identity):
        return None
    reset_at = counters.get_window_stats(limit, *identity).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _check(who: str, limits: list[RateLimitItem], *identity: str) -> None:
    counters: Counters = current_app.extensions["rate_limits"]
    for limit in limits:
        wait = counters.hit(limit, who, *identity)
        if wait is not None:
            raise RateLimited(who, limit, wait)


def _limit_address() -> None:
    if request.blueprint in UNLIMITED_BLUEPRINTS:
        return
    limits: Limits = current_app.extensions["rate_limit_settings"]
    address = request.remote_addr or "-"
    _check("address", limits.per_address, address)
    if request.endpoint == "web.login" and request.method == "POST":
        _check("address", limits.login, "login", address)


def count_key_request(key_id: str) -> None:
    """Count one request of an API key against its limit, whatever the endpoint (429 past it)."""
    limits: Limits = current_app.extensions["rate_limit_settings"]
    _check("key", limits.per_key, key_id)


def init_app(app: Flask) -> None:
    """Limit every request but the probes per client address; call before the access checks.

    Unknown addresses, anonymous requests and refused credentials all count, since the
    address is counted before anything else is looked at.
    """
    app.extensions["rate_limit_settings"] = Limits(
        per_address=parse_many(app.config["RATE_LIMIT_PER_ADDRESS"]),
        per_key=parse_many(app.config["RATE_LIMIT_PER_KEY"]),
        login=parse_many(app.config["RATE_LIMIT_LOGIN"]),
    )
    app.extensions["rate_limits"] = Counters(app.config["REDIS_URL"], app.config["REDIS_PREFIX"])
    app.before_request(_limit_address)
