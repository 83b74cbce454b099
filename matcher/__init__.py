"""The vendor-matching service: an app factory wiring config, database, API, CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from matcher.config import load_config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the service."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    # Records read best in the contract's field order, not alphabetically.
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from matcher import (
        api,
        auth,
        bodies,
        cli,
        db,
        edge,
        hardening,
        health,
        import_queue,
        limits,
        logs,
        matching,
        metrics,
        web,
    )

    db.init_app(app)
    bodies.init_app(app)
    hardening.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)
    # Before the access checks, so that anonymous and refused requests count too.
    limits.init_app(app)
    auth.init_app(app)
    matching.init_app(app)
    import_queue.init_app(app)
    api.init_app(app)
    web.init_app(app)
    edge.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    return app
