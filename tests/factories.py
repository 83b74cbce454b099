"""Small builders of test data: vendor records and catalog files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from vendors.models import RECORD_FIELDS
from vendors.tabular import NUMBER_FIELDS, record_to_cells


def vendor(vendor_id: str = "acme-bpo", **fields: Any) -> dict[str, Any]:
    """Return a complete, valid vendor record; keyword arguments override fields."""
    record: dict[str, Any] = {
        "id": vendor_id,
        "name": f"{vendor_id.replace('-', ' ').title()} Services",
        "tags": ["BPO"],
        "services": ["Customer support", "Data entry"],
        "delivery_countries": ["PH"],
        "hq_country": "PH",
        "languages": ["en", "tl"],
        "rate_min": 9.0,
        "rate_max": 14.0,
        "currency": "USD",
        "headcount": 450,
        "certifications": ["ISO 27001"],
        "industries": ["Retail"],
        "rating": 4.4,
        "review_count": 38,
        "description": "Inbound customer support from Cebu.",
        "website": "https://example.com",
    }
    record.update(fields)
    return {key: value for key, value in record.items() if value is not None}


def vendors(count: int, prefix: str = "v") -> list[dict[str, Any]]:
    """Return `count` distinct valid records with unrelated names."""
    words = ["Amber", "Birch", "Cobalt", "Dune", "Ember", "Fjord", "Garnet", "Harbor", "Indigo"]
    return [
        vendor(
            f"{prefix}{index:05d}",
            name=f"{words[index % len(words)]} {words[(index // 9) % len(words)]} "
            f"{_roman(index + 1)} Outsourcing",
        )
        for index in range(count)
    ]


def _roman(number: int) -> str:
    # Names that differ only by a number are not duplicates, but make them differ in words too.
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    numerals += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def write_csv(path: Path, records: Iterable[Mapping[str, Any]], delimiter: str = ",") -> Path:
    """Write records as a catalog CSV with every column."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(RECORD_FIELDS)
        for record in records:
            writer.writerow(record_to_cells(record))
    return path


def write_rows(path: Path, header: list[str], rows: Iterable[list[Any]]) -> Path:
    """Write a CSV with an arbitrary header and raw cells."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_json(path: Path, records: Iterable[Any]) -> Path:
    """Write records as a JSON array."""
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return path


def write_jsonl(path: Path, records: Iterable[Any]) -> Path:
    """Write records as JSON Lines."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def write_xlsx(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """Write records as a one-sheet workbook."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(RECORD_FIELDS))
    for record in records:
        cells = record_to_cells(record)
        sheet.append(
            [
                record.get(name) if name in NUMBER_FIELDS else cell or None
                for name, cell in zip(RECORD_FIELDS, cells, strict=True)
            ]
        )
    workbook.save(path)
    return path
