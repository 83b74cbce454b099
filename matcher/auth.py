"""Who is asking, and may they: API keys, login sessions for the pages, roles per endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from matcher import db, limits
from matcher.edge.errors import HttpError
from matcher.hardening import request_id
from vendors.access import end_session, find_key, session_user, start_session
from vendors.audit import Actor
from vendors.models import User

API_KEY_HEADER = "X-API-Key"
READERS = frozenset({"admin", "procurement", "sales", "viewer"})
MATCHERS = frozenset({"admin", "procurement", "sales"})
SELLERS = frozenset({"admin", "sales"})
ADMINS = frozenset({"admin"})
# Who says what became of a vendor: the buyers.
BUYERS = frozenset({"admin", "procurement"})
# Every endpoint and the roles allowed on it; an endpoint missing here is refused to all.
PERMISSIONS: dict[str, frozenset[str]] = {
    "api.vendors.list_vendors": READERS,
    "api.vendors.get_vendor": READERS,
    "api.vendors.export_vendors": READERS,
    "api.vendors.create_vendor": ADMINS,
    "api.vendors.replace_vendor": ADMINS,
    "api.vendors.update_vendor": ADMINS,
    "api.vendors.delete_vendor": ADMINS,
    "api.vendors.import_vendors": ADMINS,
    "api.audit.list_audit": ADMINS,
    "api.jobs.get_job_state": ADMINS,
    "api.jobs.retry_job": ADMINS,
    "api.match.match": MATCHERS,
    "api.match.vendor_fit": MATCHERS,
    "api.outcomes.list_outcomes": READERS,
    "api.outcomes.record_outcome": BUYERS,
    "api.outcomes.delete_outcome": ADMINS,
    **{
        f"api.prospects.{name}": SELLERS
        for name in (
            "list_prospects",
            "create_prospect",
            "get_prospect",
            "replace_prospect",
            "update_prospect",
            "delete_prospect",
            "prospect_matches",
            "prospect_fit",
        )
    },
    # Pages
    "web.home": READERS,
    "web.suggest": READERS,
    # Searches: the requirement form, results, compare, shortlist
    **{
        f"web.{name}": MATCHERS
        for name in (
            "new_query",
            "submit_query",
            "queries",
            "search",
            "keep_ranking",
            "relax",
            "correct_reading",
            "why_not",
            "compare",
            "change_shortlist",
            "shortlist",
            "shortlist_export",
            "remove_search",
        )
    },
    # Catalog pages: browse, vendor, import
    "web.vendors": READERS,
    "web.vendor": READERS,
    "web.import_catalog": ADMINS,
    "web.import_upload": ADMINS,
    "web.import_confirm": ADMINS,
    "web.import_job": ADMINS,
    "web.import_job_retry": ADMINS,
    # Outcomes of shortlists and prospects
    "web.record_outcome": BUYERS,
    # Prospect pages
    **{
        f"web.{name}": SELLERS
        for name in (
            "prospects",
            "save_as_prospect",
            "prospect",
            "prospect_search",
            "remove_prospect",
        )
    },
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a key (or, later, a signed-in user) and its role."""

    name: str
    role: str


def current_principal() -> Principal | None:
    """Return who the current request acts for, if anyone."""
    principal: Principal | None = g.get("principal")
    return principal


def current_actor() -> Actor:
    """Return who makes a change in this request, for the audit trail."""
    principal = current_principal()
    return Actor(principal.name if principal else "anonymous", request_id())


# Pages anyone may open: signing in, and the assets the sign-in page needs.
PUBLIC_PAGES = frozenset({"web.login", "web.logout", "web.static"})


def sign_in(user: User) -> None:
    """Start a login session for a user, replacing whatever session the browser had."""
    previous = session.get("sid")
    session.clear()
    if isinstance(previous, str):
        end_session(db.session(), previous)
    token = start_session(db.session(), user, current_app.permanent_session_lifetime)
    db.session().commit()
    session.permanent = True
    session["sid"] = token
    g.pop("user", None)


def sign_out() -> None:
    """End the login session on the server, so no copy of its cookie opens a page again."""
    token = session.get("sid")
    session.clear()
    if isinstance(token, str):
        end_session(db.session(), token)
        db.session().commit()
    g.pop("user", None)


def signed_in_user() -> User | None:
    """Return the user of this request's login session, if it is still live on the server."""
    if "user" not in g:
        token = session.get("sid")
        g.user = session_user(db.session(), token) if isinstance(token, str) else None
    found: User | None = g.user
    return found


def local_target(target: str | None) -> str | None:
    """Return a page to go back to after signing in, if it is a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _check_page_access(endpoint: str) -> ResponseReturnValue | None:
    if endpoint in PUBLIC_PAGES:
        return None
    user = signed_in_user()
    if user is None:
        if request.method == "GET":
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        raise HttpError(401, "Sign in first; your session may have ended.")
    g.principal = Principal(f"user:{user.email}", user.role)
    if user.role not in PERMISSIONS.get(endpoint, frozenset()):
        raise HttpError(403, f"The role {user.role!r} may not open this page.")
    return None


def _check_access() -> ResponseReturnValue | None:
    endpoint = request.endpoint or ""
    if endpoint.startswith("web."):
        return _check_page_access(endpoint)
    if not endpoint.startswith("api."):
        return None  # docs, OpenAPI, health: public
    presented = request.headers.get(API_KEY_HEADER, "").strip()
    if not presented:
        raise HttpError(401, f"Send an API key in the {API_KEY_HEADER} header.")
    key = find_key(db.session(), presented)
    if key is None:
        raise HttpError(401, "The API key is not valid.")
    g.principal = Principal(f"key:{key.key_id}", key.role)
    # Every request of a key counts, on any endpoint, refused or not; a refused key counts
    # only for its address, so nobody can use up another's key without its secret.
    limits.count_key_request(key.key_id)
    # Read in the same round trip as the key: the matching endpoints use it instead of asking
    # the database again (matching.current_index).
    g.catalog_revision = key.catalog_revision
    if key.role not in PERMISSIONS.get(endpoint, frozenset()):
        raise HttpError(403, f"The role {key.role!r} may not do this.")
    return None


def init_app(app: Flask) -> None:
    """Check credentials before every API request and page; keep session cookies tight."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["SESSION_HOURS"]),
    )
    app.before_request(_check_access)
