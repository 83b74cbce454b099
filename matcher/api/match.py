"""Matching endpoints: rank the catalog for a profile; explain one vendor's fit."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from matcher import db, matching
from matcher.api.match_schemas import FitIn, FitOut, MatchOut, fit_data, match_data
from matcher.api.requests import json_body
from matcher.engine.rank import fit, rank
from matcher.engine.reading import read
from matcher.profiles import load_requirement
from vendors.catalog import VendorNotFound

bp = Blueprint("match", __name__)
MATCH_OUT, FIT_IN, FIT_OUT = MatchOut(), FitIn(), FitOut()


@bp.post("/match")
def match() -> Response:
    """Rank the catalog's vendors for a requirement profile, with the reasons."""
    requirement = load_requirement(json_body())
    index = matching.index_holder().current(db.session())
    ranking = rank(read(requirement, matching.knowledge()), index, matching.knowledge())
    return jsonify(MATCH_OUT.dump(match_data(ranking)))


@bp.post("/fit")
def vendor_fit() -> Response:
    """Explain how well one vendor fits a profile, even when a hard constraint excludes it."""
    body = FIT_IN.load(json_body())
    requirement = load_requirement(body["profile"])
    index = matching.index_holder().current(db.session())
    row = index.position(body["vendor_id"])
    if row is None:
        raise VendorNotFound(body["vendor_id"])
    reading = read(requirement, matching.knowledge())
    result = fit(reading, index, matching.knowledge(), row)
    return jsonify(FIT_OUT.dump(fit_data(result, reading.engagement)))
