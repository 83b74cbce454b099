"""A search's shortlist: adding and removing vendors, the printable page, CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from openpyxl import Workbook

from matcher import db, matching
from matcher.edge.answers import fit_data
from matcher.profiles import load_requirement
from matcher.services import searches as searching
from matcher.web import bp
from matcher.web.outcomes import outcome_draft
from matcher.web.searches import (
    may_open,
    owned,
    readable_search,
    vendors_by_id,
)
from vendors.models import Search, Vendor
from vendors.outcomes import list_outcomes
from vendors.searches import MAX_SHORTLIST
from vendors.tabular import escape_formula

SHORTLIST_COLUMNS = (
    "rank", "score", "id", "name", "tags", "hq_country", "delivery_countries", "services",
    "languages", "rate_min", "rate_max", "currency", "headcount", "certifications", "rating",
    "review_count", "website", "reasons", "gaps",
)  # fmt: skip


@bp.post("/searches/<search_id>/shortlist")
def change_shortlist(search_id: str) -> ResponseReturnValue:
    """Add a vendor to a search's shortlist, or take one off."""
    found = readable_search(search_id)
    if not owned(found):
        abort(403, "Only the search's owner changes its shortlist; open it as a new search.")
    shortlist = list(found.shortlist or [])
    added, removed = request.form.get("add"), request.form.get("remove")
    if added:
        if added not in vendors_by_id([added]):
            abort(404, f"No vendor has the id {added!r}.")
        if len(shortlist) >= MAX_SHORTLIST and added not in shortlist:
            flash(f"A shortlist holds at most {MAX_SHORTLIST} vendors.", "error")
        else:
            shortlist.append(added)
    if removed:
        shortlist = [vendor_id for vendor_id in shortlist if vendor_id != removed]
    searching.shortlist(found, shortlist)
    back = request.form.get("back")
    target = url_for("web.shortlist", search_id=found.id) if back == "shortlist" else None
    return redirect(target or url_for("web.search", search_id=found.id) + "#results")


def _shortlist_rows(found: Search) -> list[dict[str, Any]]:
    """Return the shortlist's vendors with their current fit, in shortlist order."""
    vendors = vendors_by_id(found.shortlist or [])
    requirement = load_requirement(found.profile or {}, matching.knowledge())
    rows = []
    for vendor_id in found.shortlist or []:
        vendor = vendors.get(vendor_id)
        if vendor is None:
            continue  # deleted from the catalog since it was shortlisted
        result, engagement, brief = matching.run_fit(
            requirement, vendor_id, what_it_would_take=False
        )
        rows.append({"vendor": vendor, "fit": fit_data(result, engagement, brief)})
    return rows


@bp.get("/searches/<search_id>/shortlist")
def shortlist(search_id: str) -> ResponseReturnValue:
    """A search's shortlist: printable, exportable."""
    found = readable_search(search_id)
    rows = _shortlist_rows(found)
    missing = len(found.shortlist or []) - len(rows)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    session = db.session()
    history = list_outcomes(session, search_id=found.id)
    names = {row["vendor"].id: row["vendor"].name for row in rows}
    named = vendors_by_id(item.vendor_id for item in history if item.vendor_id not in names)
    names |= {vendor_id: vendor.name for vendor_id, vendor in named.items()}
    return render_template(
        "web/shortlist.html",
        search=found,
        rows=rows,
        missing=missing,
        owned=owned(found),
        now=now,
        outcomes=history,
        outcome_names=names,
        outcome_choices=[(row["vendor"].id, row["vendor"].name) for row in rows],
        may_record=may_open("web.record_outcome"),
        outcome_draft=outcome_draft(found.id),
    )


def _cells(row: Mapping[str, Any]) -> list[Any]:
    vendor: Vendor = row["vendor"]
    fit = row["fit"]
    values: dict[str, Any] = {
        "rank": fit["rank"],
        "score": fit["score"],
        "reasons": " | ".join(fit["reasons"]),
        "gaps": " | ".join(fit["gaps"] + [item["reason"] for item in fit["excluded_by"]]),
    }
    cells = []
    for column in SHORTLIST_COLUMNS:
        value = values[column] if column in values else getattr(vendor, column)
        if isinstance(value, list):
            value = "; ".join(value)
        # Text that a spreadsheet would run as a formula is quoted.
        cells.append(escape_formula(value) if isinstance(value, str) else value)
    return cells


@bp.get("/searches/<search_id>/shortlist.<fmt>")
def shortlist_export(search_id: str, fmt: str) -> Response:
    """The shortlist as CSV or XLSX, with formula-like text quoted."""
    found = readable_search(search_id)
    if fmt not in ("csv", "xlsx"):
        abort(404, "Export as .csv or .xlsx.")
    rows = [_cells(row) for row in _shortlist_rows(found)]
    name = f"shortlist-{found.id}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(SHORTLIST_COLUMNS)
        writer.writerows(rows)
        response = Response(buffer.getvalue(), mimetype="text/csv")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Shortlist")
        sheet.append(list(SHORTLIST_COLUMNS))
        for cells in rows:
            sheet.append(cells)
        data = io.BytesIO()
        workbook.save(data)
        response = Response(
            data.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
