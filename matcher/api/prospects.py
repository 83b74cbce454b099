"""Saved prospects for sales: a named profile per prospect company, its matches and fits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from marshmallow import ValidationError

from matcher import db, matching
from matcher.api.prospect_schemas import (
    PageQuery,
    ProspectChanges,
    ProspectIn,
    ProspectOut,
    ProspectPage,
)
from matcher.api.requests import json_body, query
from matcher.edge.answers import fit_data, match_data
from matcher.profiles import load_requirement
from matcher.services import prospects as prospecting
from vendors import prospects
from vendors.models import Prospect

MAX_PROSPECT_ID = 2**31 - 1
bp = Blueprint("prospects", __name__)


@bp.url_value_preprocessor
def _known_id_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 for an id no prospect can have, before the database is asked to hold it."""
    prospect_id = (values or {}).get("prospect_id")
    if prospect_id is not None and not 1 <= prospect_id <= MAX_PROSPECT_ID:
        raise prospects.ProspectNotFound(prospect_id)


PROSPECT_IN, PROSPECT_CHANGES = ProspectIn(), ProspectChanges()
PROSPECT_OUT, PROSPECT_PAGE, PAGE_QUERY = ProspectOut(), ProspectPage(), PageQuery()


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    if "profile" in data:
        try:
            load_requirement(data["profile"], matching.knowledge())
        except ValidationError as error:
            raise ValidationError({"profile": error.messages}) from None
    return data


def _one(prospect: Prospect, status: int = 200) -> Response:
    response = jsonify(PROSPECT_OUT.dump(prospect))
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for(".get_prospect", prospect_id=prospect.id)
    return response


@bp.get("/prospects")
def list_prospects() -> Response:
    """List saved prospects by name."""
    args = query(PAGE_QUERY)
    items, total = prospects.list_prospects(db.session(), **args)
    return jsonify(PROSPECT_PAGE.dump({"items": items, "total": total, **args}))


@bp.post("/prospects")
def create_prospect() -> Response:
    """Save a prospect with its requirement profile."""
    prospect = prospecting.save(_checked(PROSPECT_IN.load(json_body())))
    return _one(prospect, 201)


@bp.get("/prospects/<int:prospect_id>")
def get_prospect(prospect_id: int) -> Response:
    """Return one prospect."""
    return _one(prospects.get_prospect(db.session(), prospect_id))


@bp.put("/prospects/<int:prospect_id>")
def replace_prospect(prospect_id: int) -> Response:
    """Replace a prospect whole."""
    fields_in = _checked(PROSPECT_IN.load(json_body()))
    fields_in = {"company": None, "notes": None, **fields_in}
    prospect = prospecting.save(fields_in, prospect_id)
    return _one(prospect)


@bp.patch("/prospects/<int:prospect_id>")
def update_prospect(prospect_id: int) -> Response:
    """Change some fields of a prospect."""
    changes = _checked(PROSPECT_CHANGES.load(json_body()))
    prospect = prospecting.save(changes, prospect_id)
    return _one(prospect)


@bp.delete("/prospects/<int:prospect_id>")
def delete_prospect(prospect_id: int) -> Response:
    """Remove a prospect."""
    prospecting.remove(prospect_id)
    return Response(status=204)


@bp.get("/prospects/<int:prospect_id>/matches")
def prospect_matches(prospect_id: int) -> Response:
    """Rank the catalog for the prospect's saved profile."""
    prospect = prospects.get_prospect(db.session(), prospect_id)
    ranking = matching.run_match(load_requirement(prospect.profile, matching.knowledge()))
    return jsonify(match_data(ranking))


@bp.get("/prospects/<int:prospect_id>/fit/<vendor_id>")
def prospect_fit(prospect_id: int, vendor_id: str) -> Response:
    """Explain how well one vendor fits the prospect's saved profile."""
    prospect = prospects.get_prospect(db.session(), prospect_id)
    result, engagement, brief = matching.run_fit(
        load_requirement(prospect.profile, matching.knowledge()), vendor_id
    )
    return jsonify(fit_data(result, engagement, brief))
