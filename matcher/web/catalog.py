"""The catalog pages: the vendor listing with its filters, and one vendor's page."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from matcher import db
from matcher.auth import PERMISSIONS, signed_in_user
from matcher.edge.queries import SORTS, ImportQuery, ListQuery
from matcher.web import bp
from matcher.web.display import HELPERS
from vendors import catalog, outcomes
from vendors.audit import list_entries

log = logging.getLogger(__name__)
LIST_QUERY, IMPORT_QUERY = ListQuery(), ImportQuery()
SORT_LABELS = {
    "id": "Id",
    "-id": "Id, descending",
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "rating": "Rating, lowest first",
    "-rating": "Rating, highest first",
    "updated": "Least recently changed",
    "-updated": "Most recently changed",
}

PAGE_SIZES = (10, 25, 50, 100, 200)

RECENT_CHANGES = 10
# secrets.token_urlsafe(24): 32 characters of the URL-safe alphabet, nothing else.


@bp.get("/vendors")
def vendors() -> ResponseReturnValue:
    """Browse the catalog: filter, sort and page through the vendors."""
    given = {name: value for name in LIST_QUERY.fields if (value := request.args.get(name, ""))}
    try:
        args = LIST_QUERY.load({name: value for name, value in given.items() if value.strip()})
    except ValidationError as error:
        errors = form_messages(error)
        html = render_template("web/vendors.html", page=None, errors=errors, **_listing(given))
        return html, 422
    config = current_app.config
    per_page = min(args["per_page"] or config["PAGE_SIZE"], config["MAX_PAGE_SIZE"])
    where = catalog.VendorFilter(args["tag"], args["country"], args["service"], args["q"])
    page = catalog.list_vendors(
        db.session(), where, page=args["page"], per_page=per_page, sort=args["sort"]
    )
    filtered = any(args[name] for name in ("tag", "country", "service", "q"))
    return render_template(
        "web/vendors.html",
        page=page,
        errors={},
        filtered=filtered,
        **_listing(given, sort=args["sort"], per_page=per_page),
    )


def _listing(given: dict[str, str], *, sort: str = "id", per_page: int = 0) -> dict[str, Any]:
    """Return what the listing's form and links need: the values given and the choices."""

    def link(**changes: Any) -> str:
        values = {**given, **changes}
        return url_for("web.vendors", **{k: v for k, v in values.items() if v is not None})

    largest = current_app.config["MAX_PAGE_SIZE"]
    sizes = sorted({*PAGE_SIZES, per_page or current_app.config["PAGE_SIZE"]})
    return {
        "given": given,
        "link": link,
        "sort": sort,
        "sorts": [(key, SORT_LABELS.get(key, key)) for key in sorted(SORTS, key=_sort_order)],
        "per_page": per_page or current_app.config["PAGE_SIZE"],
        "page_sizes": [size for size in sizes if size <= largest],
        **HELPERS,
    }


def _sort_order(key: str) -> tuple[int, str]:
    # Each key next to its reverse, in the order of the labels; a key without one goes last.
    order = list(SORT_LABELS)
    return (order.index(key) if key in order else len(order), key)


def form_messages(error: ValidationError) -> dict[str, str]:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return {
        name: " ".join(
            sentence(str(one)) for one in (found if isinstance(found, list) else [found])
        )
        for name, found in messages.items()
    }


@bp.get("/vendors/<vendor_id>")
def vendor(vendor_id: str) -> ResponseReturnValue:
    """Show one vendor's whole record and, to those who may read it, its audit trail."""
    session = db.session()
    found = catalog.get_vendor(session, vendor_id)
    user = signed_in_user()
    trail: tuple[list[Any], int] | None = None
    if user is not None and user.role in PERMISSIONS["api.audit.list_audit"]:
        trail = list_entries(session, vendor_id=found.id, page=1, per_page=RECENT_CHANGES)
    history = outcomes.list_outcomes(session, vendor_id=found.id)
    verified = outcomes.verified_of(session, found.id)
    return render_template(
        "web/vendor.html",
        vendor=found,
        trail=trail,
        outcomes=history,
        verified=verified,
        **HELPERS,
    )


def sentence(message: str) -> str:
    """Return a message as a sentence: a capital first, a full stop last."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
