"""The JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, Flask

from matcher.api import audit, import_jobs, match, openapi, outcomes, prospects, vendors


def init_app(app: Flask) -> None:
    """Register the API's blueprints and its error handlers."""
    api = Blueprint("api", __name__)
    api.register_blueprint(vendors.bp)
    api.register_blueprint(match.bp)
    api.register_blueprint(prospects.bp)
    api.register_blueprint(audit.bp)
    api.register_blueprint(import_jobs.bp)
    api.register_blueprint(outcomes.bp)
    app.register_blueprint(api, url_prefix="/api/v1")
    openapi.init_app(app)
