"""The pages behind the login: where each role starts."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue

from matcher.auth import PERMISSIONS, signed_in_user
from matcher.web import bp

# The main menu: every page a role may open appears here, in this order, with a line of help.
NAV: dict[str, tuple[str, str]] = {
    "web.new_query": ("Find vendors", "Describe the work and get a ranked, explained shortlist."),
    "web.queries": ("Saved searches", "Drafts and past searches, with their shortlists."),
    "web.prospects": ("Prospects", "Your prospects' profiles, their best matches and fit checks."),
    "web.vendors": ("Catalog", "Browse and search the vendor catalog."),
    "web.import_catalog": ("Import", "Upload a catalog file, check it, then apply it."),
}


def nav_items() -> list[tuple[str, str]]:
    """Return the menu entries the signed-in user may open."""
    user = signed_in_user()
    if user is None:
        return []
    return [
        (endpoint, label)
        for endpoint, (label, _) in NAV.items()
        if endpoint in current_app.view_functions and user.role in PERMISSIONS[endpoint]
    ]


@bp.app_context_processor
def _menu() -> dict[str, object]:
    return {
        "nav_items": nav_items,
        "nav_help": {key: help for key, (_, help) in NAV.items()},
    }


@bp.get("/")
def home() -> ResponseReturnValue:
    """The start page: what the signed-in role can do."""
    return render_template("web/home.html")
