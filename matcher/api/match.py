"""Matching endpoints: rank the catalog for a profile; explain one vendor's fit."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from matcher import matching
from matcher.api.match_schemas import FitIn, fit_data, match_data
from matcher.api.requests import json_body
from matcher.profiles import load_requirement

bp = Blueprint("match", __name__)
FIT_IN = FitIn()


@bp.post("/match")
def match() -> Response:
    """Rank the catalog's vendors for a requirement profile, with the reasons."""
    ranking = matching.run_match(load_requirement(json_body()))
    return jsonify(match_data(ranking))


@bp.post("/fit")
def vendor_fit() -> Response:
    """Explain how well one vendor fits a profile, even when a hard constraint excludes it."""
    body = FIT_IN.load(json_body())
    result, engagement, brief = matching.run_fit(body["profile"], body["vendor_id"])
    return jsonify(fit_data(result, engagement, brief))
