"""Rate limits per API key and per client address, counted in Redis when several workers share."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from matcher.auth import API_KEY_HEADER


def _key_id() -> str:
    # The key's public id (vmk_<id>_<secret>): never the secret itself, which must not be stored.
    presented = request.headers.get(API_KEY_HEADER, "")
    return "key:" + presented.split("_")[1] if presented.count("_") >= 2 else ""


def init_app(app: Flask) -> None:
    """Limit every request per client address, and every API request per key as well."""
    redis_url = app.config["REDIS_URL"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[app.config["RATE_LIMIT_PER_ADDRESS"]],
        storage_uri=redis_url or "memory://",
        headers_enabled=True,
        key_prefix=app.config["REDIS_PREFIX"],
        # Redis down: count in this process for a while rather than refuse every request;
        # /readyz says Redis is unreachable.
        in_memory_fallback_enabled=True,
    )
    # The probes and the metrics are asked often by machines; they never count.
    for name in ("health", "metrics"):
        blueprint: Blueprint = app.blueprints[name]  # type: ignore[assignment]
        limiter.exempt(blueprint)
    api: Blueprint = app.blueprints["api"]  # type: ignore[assignment]
    limiter.limit(
        app.config["RATE_LIMIT_PER_KEY"], key_func=_key_id, exempt_when=lambda: not _key_id()
    )(api)
    # Password guessing: few sign-in attempts per address.
    login = limiter.limit(app.config["RATE_LIMIT_LOGIN"], methods=["POST"])
    app.view_functions["web.login"] = cast(Any, login(app.view_functions["web.login"]))
    app.extensions["rate_limiter"] = limiter
