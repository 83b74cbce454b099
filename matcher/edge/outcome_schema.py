"""An outcome as it is recorded, by the API and the pages alike, and its rules."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from vendors import outcomes
from vendors.schema import Text

MAX_ID = 2**31 - 1


class OutcomeIn(Schema):
    """An outcome as a client records it: on one search or one prospect."""

    class Meta:
        unknown = RAISE

    vendor_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    search_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=24))
    prospect_id = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    stage = fields.String(required=True, validate=validate.OneOf(outcomes.STAGES))
    rating = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "the client's rating of delivered work, 1-5"},
    )
    note = Text(max_length=2000, collapse=False)


# The rules across fields (checked by vendors.outcomes.record_outcome), as the OpenAPI
# document states them.
OUTCOME_RULES: list[dict[str, Any]] = [
    {
        "oneOf": [
            {"required": ["search_id"], "properties": {"search_id": {"type": "string"}}},
            {"required": ["prospect_id"], "properties": {"prospect_id": {"type": "integer"}}},
        ]
    },
    {
        "anyOf": [
            {
                "required": ["stage", "rating"],
                "properties": {
                    "stage": {"type": "string", "enum": [outcomes.DELIVERED]},
                    "rating": {"type": "number"},
                },
            },
            {
                "required": ["stage"],
                "properties": {
                    "stage": {
                        "type": "string",
                        "enum": [stage for stage in outcomes.STAGES if stage != outcomes.DELIVERED],
                    },
                    "rating": {"nullable": True, "enum": [None]},
                },
            },
        ]
    },
]
