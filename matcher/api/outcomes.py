"""Outcomes: what became of vendors on searches and prospects, recorded by procurement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for
from marshmallow import RAISE, Schema, fields, validate

from matcher import db
from matcher.api.requests import json_body, query
from matcher.auth import current_actor
from matcher.edge.outcome_schema import MAX_ID, OutcomeIn
from matcher.services import outcomes as recording
from vendors import outcomes
from vendors.models import Outcome

bp = Blueprint("outcomes", __name__)


class OutcomeOut(Schema):
    """A recorded outcome."""

    id = fields.Integer(required=True)
    vendor_id = fields.String(required=True)
    search_id = fields.String(allow_none=True, required=True)
    prospect_id = fields.Integer(allow_none=True, required=True)
    stage = fields.String(required=True)
    rating = fields.Float(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    actor = fields.String(required=True)
    at = fields.DateTime(required=True)


class OutcomeList(Schema):
    """Outcomes, newest first."""

    items = fields.List(fields.Nested(OutcomeOut), required=True)


class OutcomeQuery(Schema):
    """Whose outcomes: a vendor's, a search's or a prospect's."""

    class Meta:
        unknown = RAISE

    vendor_id = fields.String(validate=validate.Length(min=1, max=64))
    search_id = fields.String(validate=validate.Length(min=1, max=24))
    prospect_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


OUTCOME_IN, OUTCOME_OUT, OUTCOME_LIST, OUTCOME_QUERY = (
    OutcomeIn(),
    OutcomeOut(),
    OutcomeList(),
    OutcomeQuery(),
)


@bp.url_value_preprocessor
def _known_id_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 for an id no outcome can have, before the database is asked to hold it."""
    outcome_id = (values or {}).get("outcome_id")
    if outcome_id is not None and not 1 <= outcome_id <= MAX_ID:
        raise outcomes.OutcomeNotFound(outcome_id)


@bp.get("/outcomes")
def list_outcomes() -> Response:
    """List outcomes, newest first, for a vendor, a search or a prospect."""
    found = outcomes.list_outcomes(db.session(), **query(OUTCOME_QUERY))
    return jsonify(OUTCOME_LIST.dump({"items": found}))


@bp.post("/outcomes")
def record_outcome() -> Response:
    """Record what became of a vendor on a search or a prospect."""
    data = OUTCOME_IN.load(json_body())
    outcome = recording.record(**data, actor=current_actor())
    return _created(outcome)


@bp.delete("/outcomes/<int:outcome_id>")
def delete_outcome(outcome_id: int) -> Response:
    """Take back an outcome recorded in error (admins)."""
    recording.take_back(outcome_id, actor=current_actor())
    return Response(status=204)


def _created(outcome: Outcome) -> Response:
    response = jsonify(OUTCOME_OUT.dump(outcome))
    response.status_code = 201
    response.headers["Location"] = url_for(".list_outcomes", vendor_id=outcome.vendor_id)
    return response
