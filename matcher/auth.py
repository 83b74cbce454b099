"""Who is asking, and may they: API keys checked on every API request, roles per endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

from matcher import db
from matcher.api.errors import HttpError
from matcher.hardening import request_id
from vendors.access import find_key
from vendors.audit import Actor

API_KEY_HEADER = "X-API-Key"
READERS = frozenset({"admin", "procurement", "sales", "viewer"})
MATCHERS = frozenset({"admin", "procurement", "sales"})
SELLERS = frozenset({"admin", "sales"})
ADMINS = frozenset({"admin"})
# Every API endpoint and the roles allowed on it; an endpoint missing here is refused to all.
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
    "api.match.match": MATCHERS,
    "api.match.vendor_fit": MATCHERS,
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


def _check_access() -> None:
    endpoint = request.endpoint or ""
    if not endpoint.startswith("api."):
        return  # docs, OpenAPI, health: public
    presented = request.headers.get(API_KEY_HEADER, "").strip()
    if not presented:
        raise HttpError(401, f"Send an API key in the {API_KEY_HEADER} header.")
    key = find_key(db.session(), presented)
    if key is None:
        raise HttpError(401, "The API key is not valid.")
    g.principal = Principal(f"key:{key.key_id}", key.role)
    if key.role not in PERMISSIONS.get(endpoint, frozenset()):
        raise HttpError(403, f"The role {key.role!r} may not do this.")


def init_app(app: Flask) -> None:
    """Check credentials before every API request."""
    app.before_request(_check_access)
