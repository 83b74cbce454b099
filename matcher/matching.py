"""The edge of the engine: the catalog index this process holds, kept in step with the database."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from functools import cache
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from matcher import db
from matcher.engine.fit import fit
from matcher.engine.index import CatalogIndex, build_index
from matcher.engine.knowledge import Knowledge, load_knowledge
from matcher.engine.model import (
    OUTCOME_FIELDS,
    BriefReading,
    Engagement,
    RankedVendor,
    Ranking,
    Requirement,
    VendorRow,
)
from matcher.engine.rank import rank
from matcher.engine.reading import read
from matcher.metrics import MATCH_LATENCY
from vendors.catalog import VendorNotFound, catalog_revision
from vendors.models import LIST_FIELDS, Vendor
from vendors.outcomes import Verified, verified

log = logging.getLogger(__name__)
# The record's fields a vendor row holds (the outcomes come from their own table).
ROW_FIELDS = tuple(field.name for field in fields(VendorRow) if field.name not in OUTCOME_FIELDS)
MAX_ATTEMPTS = 9
READ_BATCH = 5000


class CatalogChurning(RuntimeError):
    """The catalog changed during every attempt to read it whole."""


class CatalogIndexHolder:
    """This process's index of the catalog, rebuilt when the catalog's revision moves on.

    Every request asks the database for the revision (one indexed row); only a changed revision
    costs a rebuild, so every worker sees a change on its next request.
    """

    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self._index: CatalogIndex | None = None
        self._lock = threading.Lock()

    def current(self, session: Session, revision: int | None = None) -> CatalogIndex:
        """Return an index of the catalog as it is now: at `revision` when the caller has just
        read it, else at the revision read here."""
        if revision is None:
            revision = catalog_revision(session)
        index = self._index
        if index is not None and index.revision == revision:
            return index
        with self._lock:
            if self._index is None or self._index.revision != revision:
                self._index = self._build(session)
            return self._index

    @property
    def loaded(self) -> bool:
        """Say whether an index has been built yet."""
        return self._index is not None

    def _build(self, session: Session) -> CatalogIndex:
        # Read the revision on both sides of the rows: equal means no write came in between,
        # so the index holds one catalog version, never a mix of two.
        for attempt in range(MAX_ATTEMPTS):
            started = time.perf_counter()
            before = catalog_revision(session)
            rows = vendor_rows(session)
            if catalog_revision(session) == before:
                read_at = time.perf_counter()
                index = build_index(rows, self.knowledge, revision=before)
                log.info(
                    "catalog index built: revision %d, %d vendors, read in %.2f s, "
                    "arrays in %.2f s",
                    before,
                    index.size,
                    read_at - started,
                    time.perf_counter() - read_at,
                )
                return index
            log.info("the catalog changed while it was read (revision %d); reading again", before)
            session.rollback()
            if self._index is not None and attempt + 1 >= MAX_ATTEMPTS // 3:
                # Writes keep landing: a whole older catalog beats a mixed one; the next
                # request tries again.
                return self._index
        raise CatalogChurning("the catalog kept changing while it was being read; retry")


def vendor_rows(session: Session) -> list[VendorRow]:
    """Read every vendor as the engine's plain rows, in id order.

    The list columns (services, languages, ...) come as their JSON text and are parsed a batch
    at a time, one document per column and batch: parsing 700,000 small documents one by one
    took most of a 100k-vendor rebuild (7 s of 9.5).
    """
    columns = [
        cast(getattr(Vendor, name), Text) if name in LIST_FIELDS else getattr(Vendor, name)
        for name in ROW_FIELDS
    ]
    statement = select(*columns).order_by(Vendor.id).execution_options(yield_per=READ_BATCH)
    rows: list[VendorRow] = []
    for batch in session.execute(statement).partitions():
        # Column by column: each list column is one JSON document for the whole batch.
        values: list[Iterable[Any]] = []
        for name, column in zip(ROW_FIELDS, zip(*batch, strict=True), strict=True):
            if name in LIST_FIELDS:
                parsed = json.loads("[" + ",".join(text or "null" for text in column) + "]")
                values.append([tuple(items) if items else () for items in parsed])
            elif name == "currency":
                values.append([code or "USD" for code in column])
            else:
                values.append(column)
        rows += [VendorRow(*vendor) for vendor in zip(*values, strict=True)]
    return _with_outcomes(rows, verified(session))


def _with_outcomes(rows: list[VendorRow], records: Mapping[str, Verified]) -> list[VendorRow]:
    # Few vendors have rated outcomes: only their rows are remade.
    if not records:
        return rows
    return [
        replace(row, verified_count=found.count, verified_rating=found.mean)
        if (found := records.get(row.id)) is not None
        else row
        for row in rows
    ]


def vendor_row(record: Mapping[str, Any]) -> VendorRow:
    """Turn a catalog record (lists, None for unknown, extra fields ignored) into an engine row."""
    values: dict[str, Any] = {name: record.get(name) for name in ROW_FIELDS}
    for name in LIST_FIELDS:
        values[name] = tuple(values[name] or ())
    values["currency"] = values["currency"] or "USD"
    return VendorRow(**values)


def run_match(requirement: Requirement) -> Ranking:
    """Rank the current catalog for a requirement."""
    known = knowledge()
    index = current_index()
    with MATCH_LATENCY.time():
        return rank(read(requirement, known), index, known)


def run_fit(
    requirement: Requirement, vendor_id: str, *, what_it_would_take: bool = True
) -> tuple[RankedVendor, Engagement, BriefReading]:
    """Explain one vendor of the current catalog for a requirement (what it would take to be
    shortlisted searched only when asked: it re-scores the vendor a few dozen times)."""
    known = knowledge()
    index = current_index()
    row = index.position(vendor_id)
    if row is None:
        raise VendorNotFound(vendor_id)
    reading = read(requirement, known)
    result = fit(reading, index, known, row, what_it_would_take=what_it_would_take)
    return result, reading.engagement, reading.brief


def current_index() -> CatalogIndex:
    """Return this process's index of the catalog as it is now.

    An API request has read the catalog's revision with its key (`g.catalog_revision`, set by
    the access check in the same round trip), so only a changed revision costs a query more.
    """
    revision: int | None = g.pop("catalog_revision", None)
    return index_holder().current(db.session(), revision)


def knowledge() -> Knowledge:
    """Return the matching knowledge loaded at start-up."""
    loaded: Knowledge = current_app.extensions["knowledge"]
    return loaded


def index_holder() -> CatalogIndexHolder:
    """Return this process's catalog index holder."""
    holder: CatalogIndexHolder = current_app.extensions["catalog_index"]
    return holder


@cache
def shipped_knowledge() -> Knowledge:
    """Return the knowledge shipped in `matcher/data/`, read once per process (it never changes)."""
    return load_knowledge()


def init_app(app: Flask) -> None:
    """Load the matching knowledge once and set up the index holder."""
    app.extensions["knowledge"] = shipped_knowledge()
    app.extensions["catalog_index"] = CatalogIndexHolder(app.extensions["knowledge"])
