"""A search's results: the ranking it keeps and what changed since, relaxations, corrections
of the reading, why-not and compare."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from matcher import db, matching
from matcher.edge.answers import fit_data
from matcher.engine.factors import FACTORS, LABELS
from matcher.engine.resolve import resolve_skill
from matcher.engine.scoring import listing
from matcher.profiles import load_requirement
from matcher.services import searches as searching
from matcher.web import bp
from matcher.web.forms import (
    from_profile,
)
from matcher.web.kept import Changes, changes_since
from matcher.web.searches import (
    WHY_NOT_CHOICES,
    current_user,
    find_vendor,
    may_open,
    owned,
    profile_summary,
    readable_search,
    vendors_by_id,
    with_places_normalised,
)
from vendors.models import Prospect, Search
from vendors.prospects import list_prospects

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
        # Kept when it was saved; a search saved before rankings were kept keeps its first.
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
        owned=owned(found),
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
    if not owned(found):
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
        result = matching.run_fit(requirement, item.vendor_id, what_it_would_take=False)[0]
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
    values = with_places_normalised(from_profile(profile))
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
    values = with_places_normalised(from_profile(profile))
    corrected = searching.save(owner_id=current_user().id, form=values, profile=profile)
    flash(message, "success")
    return redirect(url_for("web.search", search_id=corrected.id))


def _service_name(code: str) -> str:
    known = matching.knowledge()
    for vocabulary in (known.services, known.categories):
        if code in vocabulary.entries:
            return vocabulary.entries[code].name
    return code


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
        result, engagement, brief = matching.run_fit(
            requirement, vendor_id, what_it_would_take=False
        )
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
