"""Searches: the requirement form, explained results, compare, shortlist, suggestions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from openpyxl import Workbook

from matcher import db, matching
from matcher.auth import PERMISSIONS, signed_in_user
from matcher.edge.answers import fit_data
from matcher.engine.factors import DEFAULT_WEIGHTS, FACTORS, LABELS
from matcher.engine.resolve import resolve_skill, suggest
from matcher.engine.scoring import listing
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
from matcher.web.kept import Changes, changes_since
from vendors import catalog
from vendors.models import Prospect, Search, User, Vendor
from vendors.outcomes import list_outcomes
from vendors.prospects import list_prospects
from vendors.searches import MAX_SHORTLIST, SearchNotFound, get_search, list_searches
from vendors.tabular import escape_formula

READING_FIELDS = {
    "skills": "skills",
    "preferred_skills": "preferred skills",
    "description": "description",
}
READING_HOW = {
    "exact": "its name",
    "alias": "another name for it",
    "lemma": "another form of its words",
    "paraphrase": "words that describe it",
    "fuzzy": "a near spelling",
    "category": "a group of services",
}
COMPARE_MIN, COMPARE_MAX = 2, 4
WHY_NOT_CHOICES = 8
SUGGEST_KINDS = ("skills", "certifications", "qualifications", "industries", "languages", "places")
SHORTLIST_COLUMNS = (
    "rank", "score", "id", "name", "tags", "hq_country", "delivery_countries", "services",
    "languages", "rate_min", "rate_max", "currency", "headcount", "certifications", "rating",
    "review_count", "website", "reasons", "gaps",
)  # fmt: skip


def current_user() -> User:
    """Return the signed-in user of this page."""
    user = signed_in_user()
    assert user is not None  # every page here is behind the sign-in
    return user


def _owned(search: Search) -> bool:
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
    if search.profile is None and not _owned(search):
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


def _with_places_normalised(values: dict[str, Any]) -> dict[str, Any]:
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
        if not _owned(draft):
            abort(404, "No saved search has this address.")
        return _form_page(draft.form, draft=draft)
    if "from" in request.args:
        search = readable_search(request.args["from"][:40])
        values = search.form or _with_places_normalised(from_profile(search.profile or {}))
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
        if not _owned(draft) or draft.profile is not None:
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


@bp.get("/searches/<search_id>")
def search(search_id: str) -> ResponseReturnValue:
    """A search's permalink: the ranking it produced, as it was kept, and what has changed for
    it since; with `?catalog=today`, the same search run on the catalog as it is now."""
    found = readable_search(search_id)
    if found.profile is None:
        return redirect(url_for("web.new_query", draft=found.id))
    today = request.args.get("catalog") == "today"
    changes, why = None, {}
    revision = matching.current_index().revision
    if found.ranking is None:
        # Opened for the first time: run it, and keep what it produced.
        answer = searching.keep_ranking(found)
    elif today:
        answer = searching.run(found)[1]
    else:
        answer = found.ranking
        if found.ranked_revision != revision:
            changes = changes_since(found.ranking, searching.run(found)[1])
            why = _why(found, changes)
    vendors = vendors_by_id(result["vendor"]["id"] for result in answer["results"])
    return render_template(
        "web/results.html",
        search=found,
        answer=answer,
        relaxations=answer["relaxations"],
        today=today,
        revision=revision,
        changes=changes,
        why=why,
        vendors=vendors,
        owned=_owned(found),
        summary=profile_summary(found.profile or {}),
        factor_labels=LABELS,
        reading_fields=READING_FIELDS,
        ignored_names=[
            _service_name(resolve_skill(matching.knowledge(), text).code or text)
            for text in (found.profile or {}).get("ignore_services") or ()
        ],
        reading_how=READING_HOW,
        compare_max=COMPARE_MAX,
        can_save_prospect=may_open("web.save_as_prospect"),
        prospect_choices=_prospect_choices() if may_open("web.save_as_prospect") else [],
    )


@bp.post("/searches/<search_id>/keep")
def keep_ranking(search_id: str) -> ResponseReturnValue:
    """Run a search on today's catalog and keep that ranking as its own (its owner only)."""
    found = readable_search(search_id)
    if not _owned(found):
        abort(403, "Only the search's owner may replace the ranking it keeps.")
    searching.keep_ranking(found)
    flash("Kept today's ranking for this search.", "success")
    return redirect(url_for("web.search", search_id=found.id))


def _why(found: Search, changes: Changes) -> dict[str, str]:
    """Say why each vendor that left the list left it, and where each newcomer came from."""
    requirement = load_requirement(found.profile or {}, matching.knowledge())
    present = vendors_by_id([item.vendor_id for item in (*changes.left, *changes.entered)])
    why: dict[str, str] = {}
    for item in changes.left:
        if item.vendor_id not in present:
            why[item.vendor_id] = "no longer in the catalog"
            continue
        result = matching.run_fit(requirement, item.vendor_id)[0]
        if result.excluded_by:
            failed = listing(
                [
                    LABELS.get(exclusion.constraint, exclusion.constraint).lower()
                    for exclusion in result.excluded_by
                ]
            )
            why[item.vendor_id] = f"now left out by {failed}"
        else:
            why[item.vendor_id] = f"now #{result.rank} with {result.score:.1f}"
    for item in changes.entered:
        vendor = present.get(item.vendor_id)
        added = (
            vendor is not None
            and found.ranked_at is not None
            and vendor.created_at > found.ranked_at
        )
        why[item.vendor_id] = "added to the catalog since" if added else "rose into the list"
    return why


def may_open(endpoint: str) -> bool:
    """Say whether the signed-in user's role may use an endpoint."""
    return current_user().role in PERMISSIONS.get(endpoint, frozenset())


def _prospect_choices() -> list[Prospect]:
    return list_prospects(db.session(), page=1, per_page=500)[0]


@bp.post("/searches/<search_id>/relax")
def relax(search_id: str) -> ResponseReturnValue:
    """Apply one suggested relaxation: a new search with the profile changed as suggested."""
    found = readable_search(search_id)
    ranking, _ = searching.run(found)
    wanted = request.form.get("constraint", "")
    offered = {relaxation.constraint: relaxation for relaxation in ranking.relaxations}
    if wanted not in offered:
        flash("That suggestion no longer applies: the catalog has changed.", "error")
        return redirect(url_for("web.search", search_id=found.id))
    profile = {**(found.profile or {}), **dict(offered[wanted].change)}
    values = _with_places_normalised(from_profile(profile))
    relaxed = searching.save(owner_id=current_user().id, form=values, profile=profile)
    flash(f"Applied: {offered[wanted].suggestion}.", "success")
    return redirect(url_for("web.search", search_id=relaxed.id))


@bp.post("/searches/<search_id>/reading")
def correct_reading(search_id: str) -> ResponseReturnValue:
    """Drop a service the engine misread, or add one it missed: a new search, run at once."""
    found = readable_search(search_id)
    profile = dict(found.profile or {})
    known = matching.knowledge()

    def code_of(text: str) -> str | None:
        return resolve_skill(known, text).code

    dropped = request.form.get("drop", "").strip()[:200]
    typed = request.form.get("add", "").strip()[:200]
    added = [text for text in profile.get("add_services") or () if code_of(text) != dropped]
    ignored = list(profile.get("ignore_services") or ())
    if dropped:
        ignored = [*ignored, dropped] if dropped not in map(code_of, ignored) else ignored
        message = f"Not read any more: {_service_name(dropped)}."
    elif typed:
        wanted = resolve_skill(known, typed)
        if wanted.code is None:
            flash(f"No service of the taxonomy is called \u201c{typed}\u201d.", "error")
            return redirect(url_for("web.search", search_id=found.id))
        ignored = [text for text in ignored if code_of(text) != wanted.code]
        added = [*added, _service_name(wanted.code)]
        message = f"Read as well: {_service_name(wanted.code)}."
    else:
        flash("Choose a reading to drop or a service to add.", "error")
        return redirect(url_for("web.search", search_id=found.id))
    profile = {
        **{k: v for k, v in profile.items() if k not in ("add_services", "ignore_services")},
        **({"add_services": list(dict.fromkeys(added))} if added else {}),
        **({"ignore_services": list(dict.fromkeys(ignored))} if ignored else {}),
    }
    try:
        load_requirement(profile, matching.knowledge())
    except ValidationError as error:
        flash(f"That change cannot be made: {error.messages}", "error")
        return redirect(url_for("web.search", search_id=found.id))
    values = _with_places_normalised(from_profile(profile))
    corrected = searching.save(owner_id=current_user().id, form=values, profile=profile)
    flash(message, "success")
    return redirect(url_for("web.search", search_id=corrected.id))


def _service_name(code: str) -> str:
    known = matching.knowledge()
    for vocabulary in (known.services, known.categories):
        if code in vocabulary.entries:
            return vocabulary.entries[code].name
    return code


def find_vendor(text: str) -> tuple[Vendor | None, list[Vendor]]:
    """Return the vendor a user named (by id or name), or the candidates to choose from."""
    return catalog.find_vendor(db.session(), text, choices=WHY_NOT_CHOICES)


@bp.get("/searches/<search_id>/why-not")
def why_not(search_id: str) -> ResponseReturnValue:
    """Explain one named vendor's fit: its rank, scores and the constraints it fails."""
    found = readable_search(search_id)
    asked = request.args.get("vendor", "")
    if found.profile is None:
        abort(404, "A draft has no results to explain: run it first.")
    requirement = load_requirement(found.profile, matching.knowledge())
    vendor, candidates = find_vendor(asked) if asked.strip() else (None, [])
    fit = None
    if vendor is not None:
        result, engagement, brief = matching.run_fit(requirement, vendor.id)
        fit = fit_data(result, engagement, brief)
    return render_template(
        "web/why_not.html",
        search=found,
        asked=asked,
        vendor=vendor,
        candidates=candidates[:WHY_NOT_CHOICES],
        shown_limit=requirement.limit,
        more=len(candidates) > WHY_NOT_CHOICES,
        fit=fit,
        factor_labels=LABELS,
    )


@bp.get("/searches/<search_id>/compare")
def compare(search_id: str) -> ResponseReturnValue:
    """Two to four vendors side by side for one search."""
    found = readable_search(search_id)
    wanted = list(dict.fromkeys(request.args.getlist("vendor")))[: COMPARE_MAX + 1]
    if not COMPARE_MIN <= len(wanted) <= COMPARE_MAX:
        flash(f"Choose {COMPARE_MIN} to {COMPARE_MAX} vendors to compare.", "error")
        return redirect(url_for("web.search", search_id=found.id))
    requirement = load_requirement(found.profile or {}, matching.knowledge())
    vendors = vendors_by_id(wanted)
    fits = []
    for vendor_id in wanted:
        if vendor_id not in vendors:
            abort(404, f"No vendor has the id {vendor_id!r}.")
        result, engagement, brief = matching.run_fit(requirement, vendor_id)
        fits.append(fit_data(result, engagement, brief))
    shown = {factor["name"] for fit in fits for factor in fit["factors"]}
    return render_template(
        "web/compare.html",
        search=found,
        fits=fits,
        vendors=vendors,
        factors=[name for name in FACTORS if name in shown],
        factor_labels=LABELS,
    )


@bp.post("/searches/<search_id>/shortlist")
def change_shortlist(search_id: str) -> ResponseReturnValue:
    """Add a vendor to a search's shortlist, or take one off."""
    found = readable_search(search_id)
    if not _owned(found):
        abort(403, "Only the search's owner changes its shortlist; open it as a new search.")
    shortlist = list(found.shortlist or [])
    added, removed = request.form.get("add"), request.form.get("remove")
    if added:
        if added not in vendors_by_id([added]):
            abort(404, f"No vendor has the id {added!r}.")
        if len(shortlist) >= MAX_SHORTLIST and added not in shortlist:
            flash(f"A shortlist holds at most {MAX_SHORTLIST} vendors.", "error")
        else:
            shortlist.append(added)
    if removed:
        shortlist = [vendor_id for vendor_id in shortlist if vendor_id != removed]
    searching.shortlist(found, shortlist)
    back = request.form.get("back")
    target = url_for("web.shortlist", search_id=found.id) if back == "shortlist" else None
    return redirect(target or url_for("web.search", search_id=found.id) + "#results")


def _shortlist_rows(found: Search) -> list[dict[str, Any]]:
    """Return the shortlist's vendors with their current fit, in shortlist order."""
    vendors = vendors_by_id(found.shortlist or [])
    requirement = load_requirement(found.profile or {}, matching.knowledge())
    rows = []
    for vendor_id in found.shortlist or []:
        vendor = vendors.get(vendor_id)
        if vendor is None:
            continue  # deleted from the catalog since it was shortlisted
        result, engagement, brief = matching.run_fit(requirement, vendor_id)
        rows.append({"vendor": vendor, "fit": fit_data(result, engagement, brief)})
    return rows


@bp.get("/searches/<search_id>/shortlist")
def shortlist(search_id: str) -> ResponseReturnValue:
    """A search's shortlist: printable, exportable."""
    found = readable_search(search_id)
    rows = _shortlist_rows(found)
    missing = len(found.shortlist or []) - len(rows)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    session = db.session()
    history = list_outcomes(session, search_id=found.id)
    names = {row["vendor"].id: row["vendor"].name for row in rows}
    named = vendors_by_id(item.vendor_id for item in history if item.vendor_id not in names)
    names |= {vendor_id: vendor.name for vendor_id, vendor in named.items()}
    return render_template(
        "web/shortlist.html",
        search=found,
        rows=rows,
        missing=missing,
        owned=_owned(found),
        now=now,
        outcomes=history,
        outcome_names=names,
        outcome_choices=[(row["vendor"].id, row["vendor"].name) for row in rows],
        may_record=may_open("web.record_outcome"),
    )


def _cells(row: Mapping[str, Any]) -> list[Any]:
    vendor: Vendor = row["vendor"]
    fit = row["fit"]
    values: dict[str, Any] = {
        "rank": fit["rank"],
        "score": fit["score"],
        "reasons": " | ".join(fit["reasons"]),
        "gaps": " | ".join(fit["gaps"] + [item["reason"] for item in fit["excluded_by"]]),
    }
    cells = []
    for column in SHORTLIST_COLUMNS:
        value = values[column] if column in values else getattr(vendor, column)
        if isinstance(value, list):
            value = "; ".join(value)
        # Text that a spreadsheet would run as a formula is quoted.
        cells.append(escape_formula(value) if isinstance(value, str) else value)
    return cells


@bp.get("/searches/<search_id>/shortlist.<fmt>")
def shortlist_export(search_id: str, fmt: str) -> Response:
    """The shortlist as CSV or XLSX, with formula-like text quoted."""
    found = readable_search(search_id)
    if fmt not in ("csv", "xlsx"):
        abort(404, "Export as .csv or .xlsx.")
    rows = [_cells(row) for row in _shortlist_rows(found)]
    name = f"shortlist-{found.id}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(SHORTLIST_COLUMNS)
        writer.writerows(rows)
        response = Response(buffer.getvalue(), mimetype="text/csv")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Shortlist")
        sheet.append(list(SHORTLIST_COLUMNS))
        for cells in rows:
            sheet.append(cells)
        data = io.BytesIO()
        workbook.save(data)
        response = Response(
            data.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/searches/<search_id>/delete")
def remove_search(search_id: str) -> ResponseReturnValue:
    """Forget one of the user's own searches or drafts."""
    found = _found(search_id)
    if not _owned(found):
        abort(404, "No saved search has this address.")
    searching.remove(found)
    flash("Search deleted.", "success")
    return redirect(url_for("web.queries"))


@bp.get("/suggest/<kind>", endpoint="suggest")
def suggestions(kind: str) -> Response:
    """Taxonomy entries a user may mean while typing, for the form's suggestion lists."""
    if kind not in SUGGEST_KINDS:
        abort(404, f"Suggestions exist for {', '.join(SUGGEST_KINDS)}.")
    known = matching.knowledge()
    typed = request.args.get("q", "")[:100]
    if kind == "skills":
        found = suggest(known.services, typed) + suggest(known.categories, typed, limit=3)
    elif kind == "places":
        found = _place_suggestions(typed)
    elif kind == "languages":
        names = (name for code, name in known.language_names.items() if len(code) == 2)
        found = _simple_suggestions(names, typed)
    else:
        found = suggest(getattr(known, kind), typed)
    return jsonify(suggestions=list(dict.fromkeys(found))[:10])


def _place_suggestions(typed: str) -> list[str]:
    known = matching.knowledge()
    names = [region.name for region in known.geography.regions.values()]
    return _simple_suggestions([*names, *known.country_names.values()], typed)


def _simple_suggestions(names: Iterable[str], typed: str) -> list[str]:
    lowered = typed.strip().lower()
    if not lowered:
        return []
    unique = sorted(set(names))
    starts = [name for name in unique if name.lower().startswith(lowered)]
    inside = [name for name in unique if lowered in name.lower() and name not in starts]
    return (starts + inside)[:10]
