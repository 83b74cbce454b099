"""Request and response schemas of saved prospects."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from vendors.schema import Text


class ProspectIn(Schema):
    """A prospect as a client sends it; the profile is checked like a match request."""

    class Meta:
        unknown = RAISE

    name = Text(required=True, allow_none=False, max_length=200)
    company = Text(max_length=200)
    notes = Text(max_length=5000, collapse=False)
    profile = fields.Dict(required=True, metadata={"description": "a requirement profile"})


class ProspectChanges(ProspectIn):
    """Some fields of a prospect."""

    name = Text(allow_none=False, max_length=200)
    profile = fields.Dict(metadata={"description": "a requirement profile"})


class ProspectOut(Schema):
    """A saved prospect."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    company = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    profile = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class ProspectPage(Schema):
    """One page of prospects."""

    items = fields.List(fields.Nested(ProspectOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class PageQuery(Schema):
    """Paging of a listing."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
