"""The catalog's query strings, read alike by the API and the pages."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, post_load, validate

from vendors.catalog import SORT_KEYS
from vendors.codes import country_code
from vendors.schema import Code, Text, normalise_tag

SORTS = [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)]


class ListQuery(Schema):
    """Filters and paging of the vendor listing."""

    class Meta:
        unknown = RAISE

    tag = Code(normalise_tag, metadata={"description": "BPO or KPO"})
    country = Code(country_code, metadata={"description": "a delivery country, code or name"})
    service = Text(metadata={"description": "text contained in one of the vendor's services"})
    q = Text(metadata={"description": "text in the name, description, services or industries"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1_000_000))
    sort = fields.String(load_default="id", validate=validate.OneOf(SORTS))

    @post_load
    def fill_absent(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Give every filter a value, None meaning any."""
        return {"tag": None, "country": None, "service": None, "q": None, **data}


class ImportQuery(Schema):
    """Options of a catalog upload."""

    class Meta:
        unknown = RAISE

    dry_run = fields.Boolean(load_default=False)
    on_error = fields.String(load_default="fail", validate=validate.OneOf(["fail", "skip"]))
    background = fields.Boolean(
        load_default=False,
        metadata={"description": "answer 202 at once with a job to follow (GET its url)"},
    )


class ExportQuery(Schema):
    """Format of a catalog export."""

    class Meta:
        unknown = RAISE

    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json", "jsonl"]))
