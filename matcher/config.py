"""Configuration: flat defaults, overridden by environment variables, then by the caller."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    # Signs session cookies; without one, a random key is kept in the instance folder.
    "SECRET_KEY": None,
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
    "REDIS_PREFIX": "vendor-matcher",
    "RATE_LIMIT_LOGIN": "10 per minute",
    # Session cookies: sent over HTTPS only unless turned off (the loopback demo does).
    "SESSION_COOKIE_SECURE": True,
    "SESSION_HOURS": 8,
    # Reverse proxies in front of the service whose X-Forwarded-* headers are to be believed.
    "PROXY_HOPS": 0,
    # Background imports: where uploads wait (shared by web and job workers), the queue's
    # SQLite file when there is no Redis, and how long a silent running job is trusted.
    "UPLOAD_FOLDER": None,
    "JOBS_DATABASE": None,
    "JOB_STALE_SECONDS": 120,
    # A confirmed upload on the web pages this large or larger runs as a background job.
    "BACKGROUND_IMPORT_BYTES": 2 * 1024 * 1024,
    # Logs: "text" or "json" lines on stderr; one line per request unless turned off.
    "LOG_FORMAT": "text",
    "ACCESS_LOG": True,
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
    "RATE_LIMIT_LOGIN": "MATCHER_RATE_LIMIT_LOGIN",
    "REDIS_PREFIX": "MATCHER_REDIS_PREFIX",
    "SESSION_COOKIE_SECURE": "MATCHER_SECURE_COOKIES",
    "SESSION_HOURS": "MATCHER_SESSION_HOURS",
    "PROXY_HOPS": "MATCHER_PROXY_HOPS",
    "UPLOAD_FOLDER": "MATCHER_UPLOAD_DIR",
    "JOBS_DATABASE": "MATCHER_JOBS_DATABASE",
    "JOB_STALE_SECONDS": "MATCHER_JOB_STALE_SECONDS",
    "BACKGROUND_IMPORT_BYTES": "MATCHER_BACKGROUND_IMPORT_BYTES",
    "LOG_FORMAT": "MATCHER_LOG_FORMAT",
    "ACCESS_LOG": "MATCHER_ACCESS_LOG",
}
FALSE_WORDS = ("0", "false", "no", "off")


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then explicit overrides."""
    config = dict(DEFAULTS)
    for key, variable in ENVIRONMENT.items():
        value = os.environ.get(variable)
        if value:
            config[key] = _converted(value, DEFAULTS[key])
    config.update(overrides or {})
    config["DATABASE_URL"] = database_url(config["DATABASE_URL"], instance_path)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = instance_secret(Path(instance_path))
    return config


def _converted(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() not in FALSE_WORDS
    if isinstance(default, int):
        return int(value)
    return value


def instance_secret(folder: Path) -> str:
    """Return the instance's own random secret key, made on first use and readable by its owner.

    Every worker on the machine reads the same file; several machines need SECRET_KEY set.
    """
    path = folder / "secret_key"
    if not path.exists():
        # Written aside, then linked into place: a worker racing this one reads a whole key.
        draft = folder / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        with suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


def database_url(url: str | None, instance_path: str) -> str:
    """Return a SQLAlchemy URL: the given one with a psycopg driver, or the SQLite default."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'matcher.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
