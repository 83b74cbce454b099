"""Configuration: flat defaults, overridden by environment variables, then by the caller."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "SECRET_KEY": "dev-only-secret-change-me",
    "DEMO_CATALOG": None,
    "IMPORT_BATCH_SIZE": 1000,
    "PAGE_SIZE": 50,
    "MAX_PAGE_SIZE": 500,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_IMPORT_BYTES": 256 * 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    "REDIS_URL": None,
    "RATE_LIMIT_PER_ADDRESS": "600 per minute",
    "RATE_LIMIT_PER_KEY": "1200 per minute",
    "RATE_LIMIT_PREFIX": "vendor-matcher",
}
# Settings read from the environment under these names, converted to the default's type.
ENVIRONMENT = {
    "DATABASE_URL": "DATABASE_URL",
    "SECRET_KEY": "SECRET_KEY",
    "IMPORT_BATCH_SIZE": "MATCHER_IMPORT_BATCH_SIZE",
    "PAGE_SIZE": "MATCHER_PAGE_SIZE",
    "MAX_PAGE_SIZE": "MATCHER_MAX_PAGE_SIZE",
    "MAX_CONTENT_LENGTH": "MATCHER_MAX_BODY_BYTES",
    "MAX_IMPORT_BYTES": "MATCHER_MAX_IMPORT_BYTES",
    "SQLITE_BUSY_TIMEOUT_MS": "MATCHER_SQLITE_BUSY_TIMEOUT_MS",
    "REDIS_URL": "REDIS_URL",
    "RATE_LIMIT_PER_ADDRESS": "MATCHER_RATE_LIMIT_PER_ADDRESS",
    "RATE_LIMIT_PER_KEY": "MATCHER_RATE_LIMIT_PER_KEY",
}


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then explicit overrides."""
    config = dict(DEFAULTS)
    for key, variable in ENVIRONMENT.items():
        value = os.environ.get(variable)
        if value:
            default = DEFAULTS[key]
            config[key] = int(value) if isinstance(default, int) else value
    config.update(overrides or {})
    config["DATABASE_URL"] = database_url(config["DATABASE_URL"], instance_path)
    return config


def database_url(url: str | None, instance_path: str) -> str:
    """Return a SQLAlchemy URL: the given one with a psycopg driver, or the SQLite default."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'matcher.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
