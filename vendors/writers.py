"""Write vendor records as CSV, JSON or JSON Lines, streaming."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from vendors.models import RECORD_FIELDS
from vendors.schema import Record
from vendors.tabular import record_to_cells

EXPORT_FORMATS = ("csv", "json", "jsonl")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}


def export_chunks(records: Iterable[Record], fmt: str) -> Iterator[str]:
    """Yield the text of an export piece by piece."""
    if fmt == "csv":
        yield from _csv_chunks(records)
    elif fmt == "json":
        yield "["
        for index, record in enumerate(records):
            yield ("," if index else "") + "\n  " + json.dumps(record, ensure_ascii=False)
        yield "\n]\n"
    elif fmt == "jsonl":
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"
    else:
        raise ValueError(f"unsupported export format {fmt!r}: use csv, json or jsonl")


def _csv_chunks(records: Iterable[Record]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RECORD_FIELDS)
    for index, record in enumerate(records, start=1):
        writer.writerow(record_to_cells(record))
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_export(records: Iterable[Record], path: Path) -> int:
    """Write records to a file in the format its suffix names; return how many."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unsupported export file type {path.suffix!r}: use .csv, .json or .jsonl")
    count = 0

    def counted() -> Iterator[Record]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    with path.open("w", encoding="utf-8", newline="") as handle:
        for chunk in export_chunks(counted(), fmt):
            handle.write(chunk)
    return count
