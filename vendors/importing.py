"""Import a vendor catalog file: validate every row, upsert by id, report what happened."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from vendors import audit
from vendors.audit import SYSTEM, Actor
from vendors.catalog import bump_revision, claim_catalog
from vendors.duplicates import Duplicate, find_duplicates
from vendors.models import RECORD_FIELDS, Base, Vendor, utcnow
from vendors.readers import CatalogFileError, RawRow, format_of, read_rows
from vendors.schema import Record, load_record

OnError = Literal["fail", "skip"]
MAX_REPORTED_ERRORS = 1000
MAX_REPORTED_DUPLICATES = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row, or the file (row None), was rejected."""

    row: int | None
    field: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the report form."""
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(slots=True)
class ImportReport:
    """What an import did, or would do, to the catalog."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_omitted: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    applied: bool = False

    def reject(self, error: RowError) -> None:
        """Record a rejected row's error, keeping the report to a readable size."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)
        else:
            self.errors_omitted += 1

    def to_dict(self) -> dict[str, Any]:
        """Return the report as the contract's JSON object."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [error.to_dict() for error in self.errors],
            "errors_omitted": self.errors_omitted,
            "duplicates": [duplicate.to_dict() for duplicate in self.duplicates],
            "dry_run": self.dry_run,
            "applied": self.applied,
        }


def import_catalog(
    session: Session,
    path: Path,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    on_error: OnError = "fail",
    batch_size: int = 1000,
    progress: Progress | None = None,
    actor: Actor = SYSTEM,
) -> ImportReport:
    """Validate and upsert a catalog file; flush, never commit: the caller decides.

    The report's `applied` says whether the caller should commit (or, for a dry run, whether
    committing would have been right). Rows are streamed and written in batches, so memory stays
    flat; a rejected row in "fail" mode means the caller must roll everything back.
    """
    report = ImportReport(dry_run=dry_run)
    names: list[tuple[str, str]] = []
    if not dry_run:
        claim_catalog(session)
    try:
        rows = read_rows(path, format_of(filename or path.name))
        records = _valid_records(rows, report, names)
        for batch in _batches(records, batch_size):
            _upsert(session, batch, report, write=not dry_run, actor=actor)
            if progress is not None:
                progress(report.created + report.updated + report.unchanged + report.rejected)
    except CatalogFileError as error:
        report.reject(RowError(error.row, error.field, error.message))
        return report
    if not dry_run and report.created + report.updated:
        bump_revision(session)
    existing = ((row.id, row.name) for row in session.execute(select(Vendor.id, Vendor.name)))
    report.duplicates = find_duplicates(names, existing)[:MAX_REPORTED_DUPLICATES]
    report.applied = report.rejected == 0 or on_error == "skip"
    return report


def _valid_records(
    rows: Iterable[RawRow], report: ImportReport, names: list[tuple[str, str]]
) -> Iterator[tuple[int, Record]]:
    seen: dict[str, int] = {}
    for row in rows:
        if row.data is None:
            report.rejected += 1
            for name, message in row.problems or ((None, "unreadable row"),):
                report.reject(RowError(row.number, name, message))
            continue
        try:
            record = load_record(row.data)
        except ValidationError as error:
            report.rejected += 1
            for name, message in _flatten(error.messages):
                report.reject(RowError(row.number, name, message))
            continue
        first = seen.setdefault(record["id"], row.number)
        if first != row.number:
            report.rejected += 1
            message = f"id {record['id']!r} is already used by row {first} of this file"
            report.reject(RowError(row.number, "id", message))
            continue
        names.append((record["id"], record["name"]))
        yield row.number, record


def _flatten(messages: Any, prefix: str | None = None) -> Iterator[tuple[str | None, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                yield from _flatten(value, prefix)
            else:
                name = None if key == "_schema" else key
                yield from _flatten(value, name if prefix is None else f"{prefix}.{key}")
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, prefix)
    else:
        yield prefix, str(messages)


def _batches(
    records: Iterator[tuple[int, Record]], size: int
) -> Iterator[list[tuple[int, Record]]]:
    while batch := list(islice(records, size)):
        yield batch


def _upsert(
    session: Session,
    batch: list[tuple[int, Record]],
    report: ImportReport,
    *,
    write: bool,
    actor: Actor,
) -> None:
    table = Base.metadata.tables[Vendor.__tablename__]
    ids = [record["id"] for _, record in batch]
    stored = {
        row.id: row
        for row in session.execute(
            select(*(table.c[name] for name in RECORD_FIELDS)).where(table.c.id.in_(ids))
        )
    }
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    trail: list[tuple[str, str, dict[str, Any] | None]] = []
    for _, record in batch:
        current = stored.get(record["id"])
        if current is None:
            inserts.append({**record, "version": 1, "created_at": now, "updated_at": now})
            # The created record is in the catalog itself; the trail notes that it came in.
            trail.append((record["id"], "import-create", None))
        elif all(getattr(current, name) == record[name] for name in RECORD_FIELDS):
            report.unchanged += 1
        else:
            values = {name: record[name] for name in RECORD_FIELDS if name != "id"}
            updates.append({**values, "key": record["id"], "updated_at": now})
            before = {name: getattr(current, name) for name in RECORD_FIELDS}
            trail.append((record["id"], "import-update", audit.diff(before, record)))
    report.created += len(inserts)
    report.updated += len(updates)
    # A dry run only compares: it takes no write lock and cannot disturb other writers.
    if write and inserts:
        session.execute(insert(table), inserts)
    if write and updates:
        statement = (
            update(table).where(table.c.id == bindparam("key")).values(version=table.c.version + 1)
        )
        session.execute(statement, updates)
    if write:
        audit.record(session, actor, trail)
