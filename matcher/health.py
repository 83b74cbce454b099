"""The liveness and readiness probes."""

from __future__ import annotations

import redis
from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from matcher import db, matching, migrate

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Say that the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """Say whether the database is reachable and migrated, Redis (when configured) reachable,
    and the matching index loaded."""
    checks: dict[str, str] = {}
    try:
        current = migrate.current_revision(db.engine())
        head = migrate.head_revision(db.engine())
        checks["database"] = "ok" if current == head else f"schema at {current}, expected {head}"
        if current == head:
            matching.index_holder().current(db.session())
            checks["matching_index"] = "ok"
    except SQLAlchemyError:
        checks["database"] = "unreachable"
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis_check(current_app.config["REDIS_URL"])
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def _redis_check(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return "ok" if client.ping() else "no answer"
    except redis.RedisError:
        return "unreachable"


def init_app(app: Flask) -> None:
    """Register the probes."""
    app.register_blueprint(bp)
