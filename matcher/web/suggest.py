"""Suggestions as you type: taxonomy entries, places and languages for the form's fields."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, abort, jsonify, request

from matcher import matching
from matcher.engine.resolve import suggest
from matcher.web import bp

SUGGEST_KINDS = ("skills", "certifications", "qualifications", "industries", "languages", "places")


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
