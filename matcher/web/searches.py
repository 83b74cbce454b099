"""Searches: the requirement form and drafts, the saved searches, and what the other search
pages share (who owns a search, who may open what)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from matcher import db, matching
from matcher.auth import PERMISSIONS, signed_in_user
from matcher.engine.factors import DEFAULT_WEIGHTS, FACTORS, LABELS
from matcher.profiles import load_requirement, normalise_place
from matcher.services import searches as searching
from matcher.web import bp
from matcher.web.forms import (
    Choice,
    delivery_choices,
    field_errors,
    from_profile,
    read_form,
    to_profile,
    weight_field,
)
from vendors import catalog
from vendors.models import Search, User, Vendor
from vendors.searches import SearchNotFound, get_search, list_searches

WHY_NOT_CHOICES = 8


def current_user() -> User:
    """Return the signed-in user of this page."""
    user = signed_in_user()
    assert user is not None  # every page here is behind the sign-in
    return user


def owned(search: Search) -> bool:
    return search.owner_id == current_user().id


def _found(search_id: str) -> Search:
    try:
        return get_search(db.session(), search_id)
    except SearchNotFound:
        abort(404, "No saved search has this address.")


def readable_search(search_id: str) -> Search:
    """Return a search anyone who may match can read by its permalink (drafts: the owner)."""
    search = _found(search_id)
    # A search is shared by its permalink; a draft stays its owner's.
    if search.profile is None and not owned(search):
        abort(404, "No saved search has this address.")
    return search


def _choices() -> dict[str, Any]:
    known = matching.knowledge()
    countries = sorted(
        (Choice(code, name) for code, name in known.country_names.items()),
        key=lambda choice: choice.label,
    )
    regions = sorted(
        (Choice(region.name, region.name) for region in known.geography.regions.values()),
        key=lambda choice: choice.label,
    )
    return {
        "countries": countries,
        "regions": regions,
        "currencies": sorted(known.per_usd),
        "delivery_choices": delivery_choices(),
        "factors": FACTORS,
        "factor_labels": LABELS,
        "weight_field": weight_field,
        "defaults": DEFAULT_WEIGHTS,
    }


def _form_page(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]] | None = None,
    *,
    draft: Search | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    errors = errors or {}
    html = render_template(
        "web/search_form.html",
        values=values,
        errors=errors,
        draft=draft,
        weights_open=any(name.startswith("weight") for name in errors),
        **_choices(),
    )
    return html, status


def with_places_normalised(values: dict[str, Any]) -> dict[str, Any]:
    # A profile from the API may name places ("Philippines"); the pickers hold codes and regions.
    for name in ("countries", "exclude_countries"):
        values[name] = [
            normalise_place(place, matching.knowledge()) or place
            for place in values.get(name) or ()
        ]
    return values


@bp.get("/search")
def new_query() -> ResponseReturnValue:
    """The requirement form: empty, a draft resumed, or a saved search to change."""
    if "draft" in request.args:
        draft = _found(request.args["draft"][:40])
        if not owned(draft):
            abort(404, "No saved search has this address.")
        return _form_page(draft.form, draft=draft)
    if "from" in request.args:
        search = readable_search(request.args["from"][:40])
        values = search.form or with_places_normalised(from_profile(search.profile or {}))
        return _form_page(values)
    return _form_page(from_profile({}))


@bp.post("/search")
def submit_query() -> ResponseReturnValue:
    """Run the form as a search (its permalink is the answer), or keep it as a draft."""
    values = read_form(request.form)
    draft_id = request.form.get("draft_id") or None
    draft = None
    if draft_id is not None:
        draft = _found(draft_id[:40])
        if not owned(draft) or draft.profile is not None:
            draft = None  # only one's own draft is overwritten; anything else starts anew
    if request.form.get("action") == "draft":
        kept = searching.save(
            owner_id=current_user().id,
            form=values,
            profile=None,
            search_id=draft.id if draft else None,
        )
        flash("Draft saved. Open it again from Saved searches.", "success")
        return redirect(url_for("web.new_query", draft=kept.id))
    profile = to_profile(values, matching.knowledge())
    try:
        load_requirement(profile, matching.knowledge())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_form": error.messages}
        return _form_page(values, field_errors(messages), draft=draft, status=422)
    search = searching.save(
        owner_id=current_user().id,
        form=values,
        profile=profile,
        search_id=draft.id if draft else None,
    )
    return redirect(url_for("web.search", search_id=search.id))


@bp.get("/searches")
def queries() -> ResponseReturnValue:
    """The signed-in user's searches and drafts."""
    return render_template(
        "web/searches.html", searches=list_searches(db.session(), current_user().id)
    )


vendors_by_id = searching.vendors_by_id


def profile_summary(profile: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the profile as (label, value) lines for the page's header."""
    known = matching.knowledge()

    def place(text: str) -> str:
        found = normalise_place(text, matching.knowledge()) or text
        return known.country_name(found) if len(found) == 2 else found

    lines = []
    for name, value in profile.items():
        if name == "client_country":
            shown = place(value)
        elif name in ("countries", "exclude_countries"):
            shown = ", ".join(place(item) for item in value)
        elif name == "budget":
            shown = f"{value['max_rate']:g} {value.get('currency') or 'USD'}/h at most"
        elif name == "weights":
            shown = ", ".join(f"{LABELS.get(k, k)} {v:g}" for k, v in value.items())
        elif name == "hard_constraints":
            shown = ", ".join(LABELS.get(item, item) for item in value)
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        else:
            shown = str(value)
        lines.append((name.replace("_", " ").capitalize(), shown))
    return lines


def may_open(endpoint: str) -> bool:
    """Say whether the signed-in user's role may use an endpoint."""
    return current_user().role in PERMISSIONS.get(endpoint, frozenset())


def find_vendor(text: str) -> tuple[Vendor | None, list[Vendor]]:
    """Return the vendor a user named (by id or name), or the candidates to choose from."""
    return catalog.find_vendor(db.session(), text, choices=WHY_NOT_CHOICES)


@bp.post("/searches/<search_id>/delete")
def remove_search(search_id: str) -> ResponseReturnValue:
    """Forget one of the user's own searches or drafts."""
    found = _found(search_id)
    if not owned(found):
        abort(404, "No saved search has this address.")
    searching.remove(found)
    flash("Search deleted.", "success")
    return redirect(url_for("web.queries"))
