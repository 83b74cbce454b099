"""The audit trail, for admins to read; nothing in the API writes it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from marshmallow import RAISE, Schema, fields, validate

from matcher import db
from matcher.api.requests import query
from vendors.audit import list_entries
from vendors.schema import ID_PATTERN

bp = Blueprint("audit", __name__)


class AuditQuery(Schema):
    """Which part of the trail to read."""

    class Meta:
        unknown = RAISE

    # Only an id a vendor can have: nothing else is in the trail, and PostgreSQL refuses NUL.
    vendor_id = fields.String(
        validate=validate.Regexp(ID_PATTERN, error="Use 1-64 letters, digits, '.', '_' or '-'.")
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AuditEntryOut(Schema):
    """One change to a vendor."""

    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    request_id = fields.String(allow_none=True, required=True)
    vendor_id = fields.String(required=True)
    action = fields.String(required=True)
    changes = fields.Dict(
        allow_none=True,
        required=True,
        metadata={"description": "field -> [old, new]; null for an imported new vendor"},
    )


class AuditPage(Schema):
    """One page of the trail, newest first."""

    items = fields.List(fields.Nested(AuditEntryOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


AUDIT_QUERY, AUDIT_PAGE = AuditQuery(), AuditPage()


@bp.get("/audit")
def list_audit() -> Response:
    """Read the audit trail of vendor changes, newest first."""
    args = query(AUDIT_QUERY)
    items, total = list_entries(
        db.session(), vendor_id=args.get("vendor_id"), page=args["page"], per_page=args["per_page"]
    )
    return jsonify(AUDIT_PAGE.dump({"items": items, "total": total, **args}))
