"""A vendor record as one flat row of cells (CSV, XLSX): lists joined by `;`, formulas defused."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vendors.models import LIST_FIELDS, RECORD_FIELDS

LIST_SEPARATOR = ";"
# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
NUMBER_FIELDS = frozenset({"rate_min", "rate_max", "headcount", "rating", "review_count"})


# Text that already starts with the guard gets one more, so unescaping is exact.
_GUARDED = (*FORMULA_TRIGGERS, FORMULA_GUARD)
# "12,5": a decimal comma, as spreadsheets in much of Europe write numbers.
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")


def escape_formula(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a quote."""
    return FORMULA_GUARD + text if text.startswith(_GUARDED) else text


def unescape_formula(text: str) -> str:
    """Remove the quote that `escape_formula` added."""
    if text.startswith(FORMULA_GUARD) and text[1:].startswith(_GUARDED):
        return text[1:]
    return text


def format_number(value: float | int) -> str:
    """Write a number without a trailing `.0` when it is whole."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def record_to_cells(record: Mapping[str, Any]) -> list[str]:
    """Return the record's cells in column order, escaped for spreadsheets."""
    cells = []
    for field in RECORD_FIELDS:
        value = record.get(field)
        if value is None:
            cells.append("")
        elif field in LIST_FIELDS:
            cells.append(escape_formula(LIST_SEPARATOR.join(value)))
        elif isinstance(value, int | float):
            cells.append(format_number(value))
        else:
            cells.append(escape_formula(str(value)))
    return cells


def cells_to_raw(cells: Mapping[str, Any]) -> dict[str, Any]:
    """Turn one row of cells into a raw record: blanks dropped, lists split, quotes removed."""
    raw: dict[str, Any] = {}
    for column, value in cells.items():
        if value is None:
            continue
        if isinstance(value, str):
            value = unescape_formula(value.strip())
            if not value:
                continue
        if column in NUMBER_FIELDS:
            is_decimal_comma = isinstance(value, str) and _DECIMAL_COMMA.match(value)
            raw[column] = value.replace(",", ".") if is_decimal_comma else value
            continue
        text = value if isinstance(value, str) else _cell_text(value)
        if column in LIST_FIELDS:
            raw[column] = [item for item in text.split(LIST_SEPARATOR) if item.strip()]
        else:
            raw[column] = text
    return raw


def _cell_text(value: Any) -> str:
    # Spreadsheets turn ids such as 1042 into numbers; the record wants the text back.
    return format_number(value) if isinstance(value, int | float) else str(value)
