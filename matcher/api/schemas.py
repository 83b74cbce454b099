"""Request and response schemas of the JSON API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, post_load, validate

from vendors.schema import Tags, Text, VendorRecordSchema, id_field, normalise_tag


class VendorIn(VendorRecordSchema):
    """A vendor record as a client sends it; `version` asks for optimistic locking."""

    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The version the change is based on; a stale one gets 409."},
    )
    created_at = fields.Raw(
        load_only=True, allow_none=True, metadata={"description": "Read-only; ignored."}
    )
    updated_at = fields.Raw(
        load_only=True, allow_none=True, metadata={"description": "Read-only; ignored."}
    )

    @post_load
    def drop_read_only(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Forget the timestamps a client sent back with a record it had read."""
        data.pop("created_at", None)
        data.pop("updated_at", None)
        return data


class VendorReplace(VendorIn):
    """A whole record for PUT; the id comes from the URL when the body has none."""

    id = id_field(required=False)


class VendorChanges(VendorIn):
    """Some fields of a record, for PATCH; null clears an optional field."""

    id = id_field(required=False)
    name = Text(max_length=200, allow_none=False)
    tags = Tags(normalise=normalise_tag, allow_none=False)


class VendorOut(VendorRecordSchema):
    """A stored vendor record with its version and timestamps."""

    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)

    @post_dump
    def drop_unknown(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Leave unknown fields out rather than answer them as null."""
        return {key: value for key, value in data.items() if value is not None}


class VendorPage(Schema):
    """One page of the vendor listing."""

    items = fields.List(fields.Nested(VendorOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next = fields.String(allow_none=True, required=True)
    prev = fields.String(allow_none=True, required=True)


class ImportRowError(Schema):
    """Why a row (or, with row null, the whole file) was rejected."""

    row = fields.Integer(allow_none=True, required=True)
    field = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class ImportDuplicate(Schema):
    """Vendors that are probably one company."""

    ids = fields.List(fields.String(), required=True)
    reason = fields.String(required=True)


class ImportReport(Schema):
    """What a catalog import did, or would do."""

    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    errors = fields.List(fields.Nested(ImportRowError), required=True)
    errors_omitted = fields.Integer(required=True)
    duplicates = fields.List(fields.Nested(ImportDuplicate), required=True)
    dry_run = fields.Boolean(required=True)
    applied = fields.Boolean(required=True)


class Error(Schema):
    """The one error shape."""

    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(required=True)


def vendor_out(vendor: Any) -> dict[str, Any]:
    """Dump a stored vendor, leaving unknown fields out."""
    result: dict[str, Any] = VENDOR_OUT.dump(vendor)
    return result


VENDOR_OUT = VendorOut()
