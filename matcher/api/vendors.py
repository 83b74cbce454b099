"""Vendor catalog endpoints: list, read, create, replace, update, delete, import, export."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context, url_for

from matcher import db
from matcher.api.errors import BadRequest
from matcher.api.requests import expected_version, json_body, query
from matcher.api.schemas import ExportQuery, ImportQuery, ListQuery, VendorIn, vendor_out
from vendors import catalog
from vendors.importing import import_catalog
from vendors.models import Vendor
from vendors.readers import CatalogFileError, format_of
from vendors.schema import Record, canonical
from vendors.writers import MEDIA_TYPES, export_chunks

bp = Blueprint("vendors", __name__)
LIST_QUERY, IMPORT_QUERY, EXPORT_QUERY = ListQuery(), ImportQuery(), ExportQuery()
VENDOR_IN, VENDOR_PATCH = VendorIn(), VendorIn(partial=True)


def _one(vendor: Vendor, status: int = 200) -> Response:
    response = jsonify(vendor_out(vendor))
    response.status_code = status
    response.headers["ETag"] = f'"{vendor.version}"'
    if status == 201:
        response.headers["Location"] = url_for(".get_vendor", vendor_id=vendor.id)
    return response


def _record(data: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    version = data.pop("version", None)
    data.pop("created_at", None)
    data.pop("updated_at", None)
    return canonical(data), version


@bp.get("/vendors")
def list_vendors() -> Response:
    """List vendors, filtered and paginated."""
    args = query(LIST_QUERY)
    per_page = min(
        args["per_page"] or current_app.config["PAGE_SIZE"], current_app.config["MAX_PAGE_SIZE"]
    )
    where = catalog.VendorFilter(
        args.get("tag"), args.get("country"), args.get("service"), args.get("q")
    )
    page = catalog.list_vendors(
        db.session(), where, page=args["page"], per_page=per_page, sort=args["sort"]
    )
    pages = math.ceil(page.total / per_page)

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        return url_for(
            ".list_vendors", **{**request.args.to_dict(), "page": number, "per_page": per_page}
        )

    return jsonify(
        items=[vendor_out(vendor) for vendor in page.items],
        total=page.total,
        page=page.page,
        per_page=per_page,
        pages=pages,
        next=link(page.page + 1),
        prev=link(page.page - 1),
    )


@bp.post("/vendors")
def create_vendor() -> Response:
    """Add a vendor to the catalog."""
    record, _ = _record(VENDOR_IN.load(json_body()))
    vendor = catalog.create_vendor(db.session(), record)
    db.session().commit()
    return _one(vendor, 201)


@bp.get("/vendors/<vendor_id>")
def get_vendor(vendor_id: str) -> Response:
    """Return one vendor."""
    return _one(catalog.get_vendor(db.session(), vendor_id))


@bp.put("/vendors/<vendor_id>")
def replace_vendor(vendor_id: str) -> Response:
    """Replace a vendor's record whole, or create it under this id."""
    body = json_body()
    body.setdefault("id", vendor_id)
    record, version = _record(VENDOR_IN.load(body))
    if record["id"] != vendor_id:
        raise BadRequest(
            422, "The id in the body differs from the URL.", {"id": ["Must match the URL."]}
        )
    vendor, created = catalog.replace_vendor(
        db.session(), record, expected_version=expected_version(version)
    )
    db.session().commit()
    return _one(vendor, 201 if created else 200)


@bp.patch("/vendors/<vendor_id>")
def update_vendor(vendor_id: str) -> Response:
    """Change some fields of a vendor; null clears an optional field."""
    changes: dict[str, Any] = VENDOR_PATCH.load(json_body())
    if changes.get("id", vendor_id) != vendor_id:
        raise BadRequest(422, "The id cannot be changed.", {"id": ["Must match the URL."]})
    version = changes.pop("version", None)
    changes.pop("created_at", None)
    changes.pop("updated_at", None)
    vendor = catalog.update_vendor(
        db.session(), vendor_id, changes, expected_version=expected_version(version)
    )
    db.session().commit()
    return _one(vendor)


@bp.delete("/vendors/<vendor_id>")
def delete_vendor(vendor_id: str) -> Response:
    """Remove a vendor from the catalog."""
    catalog.delete_vendor(db.session(), vendor_id)
    db.session().commit()
    return Response(status=204)


@bp.post("/vendors/import")
def import_vendors() -> Response:
    """Import a catalog file (CSV, JSON, JSON Lines, XLSX) and report what changed."""
    request.max_content_length = current_app.config["MAX_IMPORT_BYTES"]
    options = query(IMPORT_QUERY)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(
            422, "Upload the catalog as the multipart field 'file'.", {"file": ["Missing."]}
        )
    try:
        fmt = format_of(upload.filename)
    except CatalogFileError as error:
        raise BadRequest(422, error.message, {"file": [error.message]}) from None
    session = db.session()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload.{fmt}"
        upload.save(path)
        report = import_catalog(
            session,
            path,
            dry_run=options["dry_run"],
            on_error=options["on_error"],
            batch_size=current_app.config["IMPORT_BATCH_SIZE"],
        )
    if report.applied and not report.dry_run:
        session.commit()
    else:
        session.rollback()
    response = jsonify(report.to_dict())
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

    chunks = export_chunks(records(), fmt)
    response = Response(stream_with_context(chunks), mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="vendors.{fmt}"'
    return response
