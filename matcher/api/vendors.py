"""Vendor catalog endpoints: list, read, create, replace, update, delete, import, export."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context, url_for
from flask.blueprints import BlueprintSetupState
from marshmallow import ValidationError
from werkzeug.routing import BaseConverter

from matcher import db
from matcher.api import import_jobs
from matcher.api.requests import if_match, json_body, must_exist, query
from matcher.api.schemas import (
    ImportReport,
    VendorChanges,
    VendorIn,
    VendorPage,
    VendorReplace,
    vendor_out,
)
from matcher.auth import current_actor
from matcher.edge.errors import HttpError
from matcher.edge.queries import ExportQuery, ImportQuery, ListQuery
from matcher.import_queue import queue, save_upload
from matcher.services import catalog as changing
from vendors import catalog
from vendors.models import Vendor
from vendors.readers import CatalogFileError, format_of
from vendors.schema import RESERVED_IDS, Record, canonical
from vendors.writers import MEDIA_TYPES, export_chunks


class VendorIdConverter(BaseConverter):
    """A vendor id in a URL: never one that the routes keep for themselves (import, export).

    So /vendors/export and /vendors/import answer 405 to the methods they do not have, and their
    Allow headers name only their own, instead of reaching the routes of one vendor.
    """

    regex = rf"(?!(?:{'|'.join(sorted(RESERVED_IDS))})(?![\s\S]))[^/]+"


def _register_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["vendor_id"] = VendorIdConverter


bp = Blueprint("vendors", __name__)
bp.record_once(_register_converter)
LIST_QUERY, IMPORT_QUERY, EXPORT_QUERY = ListQuery(), ImportQuery(), ExportQuery()
VENDOR_IN, VENDOR_REPLACE, VENDOR_CHANGES = VendorIn(), VendorReplace(), VendorChanges()
VENDOR_PAGE, IMPORT_REPORT = VendorPage(), ImportReport()


def _one(vendor: Vendor, status: int = 200) -> Response:
    response = jsonify(vendor_out(vendor))
    response.status_code = status
    response.headers["ETag"] = f'"{vendor.version}"'
    if status == 201:
        response.headers["Location"] = url_for(".get_vendor", vendor_id=vendor.id)
    return response


def _expected_version(body: dict[str, Any]) -> int | None:
    """Return the version a change is based on: If-Match, else the body's; drop the body's."""
    in_body = body.pop("version", None)
    version = if_match()
    return in_body if version is None else version


@bp.get("/vendors")
def list_vendors() -> Response:
    """List vendors, filtered and paginated."""
    args = query(LIST_QUERY)
    config = current_app.config
    largest = config["MAX_PAGE_SIZE"]
    per_page = args.pop("per_page") or min(config["PAGE_SIZE"], largest)
    if per_page > largest:
        # Refused like per_page=0: a client asking for more than it gets would take a cut
        # page for the whole catalog.
        message = f"Must be greater than or equal to 1 and less than or equal to {largest}."
        raise ValidationError({"per_page": [message]})
    where = catalog.VendorFilter(args["tag"], args["country"], args["service"], args["q"])
    page = catalog.list_vendors(
        db.session(), where, page=args["page"], per_page=per_page, sort=args["sort"]
    )
    links = {
        name: url_for(".list_vendors", **{**request.args, "page": number, "per_page": per_page})
        if 1 <= number <= page.pages
        else None
        for name, number in (("next", page.page + 1), ("prev", page.page - 1))
    }
    body = {"items": page.items, "total": page.total, "page": page.page, "pages": page.pages}
    return jsonify(VENDOR_PAGE.dump({**body, "per_page": per_page, **links}))


@bp.post("/vendors")
def create_vendor() -> Response:
    """Add a vendor to the catalog."""
    data = VENDOR_IN.load(json_body())
    data.pop("version", None)
    vendor = changing.add_vendor(canonical(data), actor=current_actor())
    return _one(vendor, 201)


@bp.get("/vendors/<vendor_id:vendor_id>")
def get_vendor(vendor_id: str) -> Response:
    """Return one vendor."""
    return _one(catalog.get_vendor(db.session(), vendor_id))


@bp.put("/vendors/<vendor_id:vendor_id>")
def replace_vendor(vendor_id: str) -> Response:
    """Replace a vendor's record whole, or create it under this id."""
    # The id in the URL is checked like one in the body: a vendor is never stored under an
    # id that no URL can reach.
    data = VENDOR_REPLACE.load({"id": vendor_id, **json_body()})
    if data["id"] != vendor_id:
        raise HttpError(422, "The id in the body differs from the URL.", {"id": ["Must match."]})
    version = _expected_version(data)
    vendor, created = changing.replace_vendor(
        canonical(data), expected_version=version, must_exist=must_exist(), actor=current_actor()
    )
    return _one(vendor, 201 if created else 200)


@bp.patch("/vendors/<vendor_id:vendor_id>")
def update_vendor(vendor_id: str) -> Response:
    """Change some fields of a vendor; null clears an optional field."""
    changes = VENDOR_CHANGES.load(json_body())
    if changes.pop("id", vendor_id) != vendor_id:
        raise HttpError(422, "The id cannot be changed.", {"id": ["Must match the URL."]})
    version = _expected_version(changes)
    vendor = changing.change_vendor(
        vendor_id, changes, expected_version=version, actor=current_actor()
    )
    return _one(vendor)


@bp.delete("/vendors/<vendor_id:vendor_id>")
def delete_vendor(vendor_id: str) -> Response:
    """Remove a vendor from the catalog."""
    changing.remove_vendor(vendor_id, expected_version=if_match(), actor=current_actor())
    return Response(status=204)


@bp.post("/vendors/import")
def import_vendors() -> Response:
    """Import a catalog file (CSV, JSON, JSON Lines, XLSX) and report what changed."""
    request.max_content_length = current_app.config["MAX_IMPORT_BYTES"]
    options = query(IMPORT_QUERY)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise HttpError(422, "Upload the catalog as the multipart field 'file'.", {"file": []})
    try:
        fmt = format_of(upload.filename)
    except CatalogFileError as error:
        raise HttpError(422, error.message, {"file": [error.message]}) from None
    if options.pop("background"):
        name = Path(upload.filename).name[-255:]
        return import_jobs.accepted(
            queue().submit(save_upload(upload.stream), name, options, current_actor())
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload.{fmt}"
        upload.save(path)
        report = changing.import_file(path, actor=current_actor(), **options)
    response = jsonify(IMPORT_REPORT.dump(report.to_dict()))
    response.status_code = 200 if report.applied else 422
    return response


@bp.get("/vendors/export")
def export_vendors() -> Response:
    """Download the whole catalog as CSV, JSON or JSON Lines."""
    fmt = query(EXPORT_QUERY)["format"]

    def records() -> Iterator[Record]:
        # The session is opened while streaming, so the context teardown that ends the
        # stream closes it; one opened here would be closed before the first row is read.
        yield from catalog.iter_records(db.session())

    response = Response(
        stream_with_context(export_chunks(records(), fmt)), mimetype=MEDIA_TYPES[fmt]
    )
    response.headers["Content-Disposition"] = f'attachment; filename="vendors.{fmt}"'
    return response
