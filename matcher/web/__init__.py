"""The web pages: server-rendered, usable without JavaScript, behind the login session."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template
from flask_wtf.csrf import CSRFProtect

from matcher.auth import signed_in_user
from matcher.edge.errors import Problem

csrf = CSRFProtect()
bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)


@bp.before_request
def _check_csrf() -> None:
    # Every form post carries the session's token; the JSON API uses keys and needs none.
    csrf.protect()


def error_page(problem: Problem) -> Response:
    """Render an error for a person: the same status and message the API would give."""
    html = render_template("web/error.html", problem=problem)
    return Response(html, status=problem.status, mimetype="text/html")


def init_app(app: Flask) -> None:
    """Register the pages, CSRF protection for their forms, and their error page."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # A token lives as long as the login session, so a form left open an hour still posts.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    from matcher.web import (  # noqa: F401
        catalog,
        catalog_import,
        outcomes,
        pages,
        prospects,
        results,
        searches,
        session,
        shortlists,
        suggest,
    )

    app.register_blueprint(bp)
    app.extensions["error_page"] = error_page
    app.context_processor(lambda: {"user": signed_in_user()})
