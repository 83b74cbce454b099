"""Matching endpoints: rank the catalog for a profile; explain one vendor's fit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from matcher import matching
from matcher.api.requests import json_body
from matcher.edge.answers import fit_data, match_data
from matcher.engine.knowledge import Knowledge
from matcher.profiles import load_requirement

bp = Blueprint("match", __name__)


class FitIn(Schema):
    """A profile and the vendor to check against it."""

    class Meta:
        unknown = RAISE

    def __init__(self, knowledge: Knowledge, **kwargs: Any):
        super().__init__(**kwargs)
        self.knowledge = knowledge

    profile = fields.Dict(required=True, metadata={"description": "a requirement profile"})
    vendor_id = fields.String(required=True, validate=validate.Length(min=1, max=64))

    @post_load
    def read_profile(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Validate the profile as a match request's, its errors under `profile`."""
        try:
            requirement = load_requirement(data["profile"], self.knowledge)
        except ValidationError as error:
            raise ValidationError({"profile": error.messages}) from None
        return {**data, "profile": requirement}


@bp.post("/match")
def match() -> Response:
    """Rank the catalog's vendors for a requirement profile, with the reasons."""
    ranking = matching.run_match(load_requirement(json_body(), matching.knowledge()))
    return jsonify(match_data(ranking))


@bp.post("/fit")
def vendor_fit() -> Response:
    """Explain how well one vendor fits a profile, even when a hard constraint excludes it."""
    body = FitIn(matching.knowledge()).load(json_body())
    result, engagement, brief = matching.run_fit(body["profile"], body["vendor_id"])
    return jsonify(fit_data(result, engagement, brief))
