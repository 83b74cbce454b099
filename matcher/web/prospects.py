"""Sales: prospects with their saved profiles, their best matches and fit checks."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from matcher import db, matching
from matcher.edge.answers import fit_data, match_data
from matcher.engine.factors import LABELS
from matcher.profiles import load_requirement
from matcher.services import prospects as prospecting
from matcher.services import searches as searching
from matcher.web import bp
from matcher.web.forms import from_profile
from matcher.web.outcomes import outcome_draft
from matcher.web.searches import (
    current_user,
    find_vendor,
    may_open,
    profile_summary,
    readable_search,
    vendors_by_id,
)
from vendors.outcomes import list_outcomes
from vendors.prospects import (
    ProspectNameTaken,
    get_prospect,
    list_prospects,
)

TOP_MATCHES = 5
MAX_PROSPECTS_SHOWN = 500


@bp.get("/prospects")
def prospects() -> ResponseReturnValue:
    """Every prospect, by name."""
    items, total = list_prospects(db.session(), page=1, per_page=MAX_PROSPECTS_SHOWN)
    return render_template("web/prospects.html", prospects=items, total=total)


@bp.post("/prospects")
def save_as_prospect() -> ResponseReturnValue:
    """Keep a search's profile for a prospect: a new one, or replacing an existing one's."""
    search = readable_search(request.form.get("search_id", "")[:40])
    target = request.form.get("prospect_id", "")
    name = request.form.get("name", "").strip()[:200]
    company = request.form.get("company", "").strip()[:200] or None
    try:
        if target.isdigit():
            prospect = prospecting.save({"profile": search.profile}, int(target))
        elif name:
            fields = {"name": name, "company": company, "profile": search.profile}
            prospect = prospecting.save(fields)
        else:
            flash("Give the new prospect a name, or choose one to update.", "error")
            return redirect(url_for("web.search", search_id=search.id) + "#save-prospect")
    except ProspectNameTaken:
        flash(f"A prospect named “{name}” exists; choose it to update it instead.", "error")
        return redirect(url_for("web.search", search_id=search.id) + "#save-prospect")
    flash(f"Saved the profile for {prospect.name}.", "success")
    return redirect(url_for("web.prospect", prospect_id=prospect.id))


@bp.get("/prospects/<int:prospect_id>")
def prospect(prospect_id: int) -> ResponseReturnValue:
    """A prospect: its profile, its top matches, and a fit check for a named vendor."""
    found = get_prospect(db.session(), prospect_id)
    requirement = load_requirement(found.profile, matching.knowledge())
    ranking = matching.run_match(requirement)
    answer = match_data(ranking)
    answer["results"] = answer["results"][:TOP_MATCHES]
    asked = request.args.get("vendor", "")
    vendor, candidates = find_vendor(asked) if asked.strip() else (None, [])
    fit = None
    if vendor is not None:
        result, engagement, brief = matching.run_fit(requirement, vendor.id)
        fit = fit_data(result, engagement, brief)
    history = list_outcomes(db.session(), prospect_id=found.id)
    named = vendors_by_id(item.vendor_id for item in history)
    ranking_shown = answer["results"]
    return render_template(
        "web/prospect.html",
        prospect=found,
        summary=profile_summary(found.profile),
        answer=answer,
        vendors=vendors_by_id(result["vendor"]["id"] for result in answer["results"]),
        asked=asked,
        vendor=vendor,
        candidates=candidates,
        fit=fit,
        limit=requirement.limit,
        factor_labels=LABELS,
        outcomes=history,
        outcome_names={vendor_id: item.name for vendor_id, item in named.items()},
        outcome_choices=[(item["vendor"]["id"], item["vendor"]["name"]) for item in ranking_shown],
        may_record=may_open("web.record_outcome"),
        outcome_draft=outcome_draft(found.id),
    )


@bp.post("/prospects/<int:prospect_id>/search")
def prospect_search(prospect_id: int) -> ResponseReturnValue:
    """Open a prospect's profile as a search of one's own: full results, compare, shortlist."""
    found = get_prospect(db.session(), prospect_id)
    values = from_profile(found.profile)
    values["title"] = values["title"] or found.name
    profile = {**found.profile, "title": values["title"][:200]}
    search = searching.save(owner_id=current_user().id, form=values, profile=profile)
    return redirect(url_for("web.search", search_id=search.id))


@bp.post("/prospects/<int:prospect_id>/delete")
def remove_prospect(prospect_id: int) -> ResponseReturnValue:
    """Forget a prospect."""
    found = get_prospect(db.session(), prospect_id)
    prospecting.remove(found.id)
    flash(f"Deleted the prospect {found.name}.", "success")
    return redirect(url_for("web.prospects"))
