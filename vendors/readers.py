"""Stream raw rows out of catalog files: CSV, JSON array, JSON Lines and XLSX."""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import ijson
from openpyxl import load_workbook

from vendors.models import RECORD_FIELDS
from vendors.tabular import cells_to_raw

FORMATS = ("csv", "json", "jsonl", "xlsx")
REQUIRED_COLUMNS = ("id", "name", "tags")
# The array, a record, a list field, and one more so the schema can name a nested list.
MAX_JSON_DEPTH = 4
# A catalog workbook is a handful of parts; XML compresses well, but not a thousandfold.
MAX_XLSX_PARTS = 200
MAX_XLSX_BYTES = 512 * 2**20
MAX_XLSX_RATIO = 200
XML_CHUNK_BYTES = 2**20
MAX_FORMULA_SHOWN = 60


class CatalogFileError(ValueError):
    """The file as a whole cannot be read: wrong format, bad header, broken JSON."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read: its number from 1, and its fields or why they cannot be read.

    A row with problems has no data; each problem names its field (None: the whole row).
    """

    number: int
    data: dict[str, Any] | None
    problems: tuple[tuple[str | None, str], ...] = ()


def unreadable(number: int, message: str, field: str | None = None) -> RawRow:
    """Return a row that could not be read, and why."""
    return RawRow(number, None, ((field, message),))


def format_of(filename: str) -> str:
    """Return the catalog format named by a file's suffix."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise CatalogFileError(
            f"unsupported file type {suffix or '(none)'!r}: use .csv, .json, .jsonl or .xlsx",
            field="file",
        )
    return suffix


def read_rows(path: Path, fmt: str) -> Iterator[RawRow]:
    """Yield the rows of a catalog file one at a time."""
    readers = {"csv": _csv_rows, "json": _json_rows, "jsonl": _jsonl_rows, "xlsx": _xlsx_rows}
    return readers[fmt](path)


def count_rows(path: Path, fmt: str) -> int:
    """Count the data rows of a catalog file without holding it in memory."""
    try:
        return sum(1 for row in read_rows(path, fmt) if row.data is not None or row.problems)
    except CatalogFileError:
        return 0


def check_columns(columns: list[str]) -> list[str]:
    """Return the header's column names, normalised; raise on unknown, repeated or missing."""
    names = [column.strip().lower() for column in columns]
    known = set(RECORD_FIELDS)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CatalogFileError(
            f"unknown column {unknown[0]!r}; the columns are: {', '.join(RECORD_FIELDS)}",
            field=unknown[0],
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CatalogFileError(f"column {repeated[0]!r} appears twice", field=repeated[0])
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise CatalogFileError(f"required column {missing[0]!r} is missing", field=missing[0])
    return names


def _csv_rows(path: Path) -> Iterator[RawRow]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        try:
            first_line = handle.readline()
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            handle.seek(0)
            if first_line.startswith("\ufeff"):
                handle.read(1)
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if not header or not any(cell.strip() for cell in header):
                raise CatalogFileError("the file has no header row", field="file")
            columns = check_columns(header)
            for number, cells in enumerate(reader, start=1):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(columns):
                    problem = f"the row has {len(cells)} cells but the header has {len(columns)}"
                    yield unreadable(number, problem)
                    continue
                yield RawRow(number, cells_to_raw(dict(zip(columns, cells, strict=False))))
        except UnicodeDecodeError as error:
            raise CatalogFileError(
                f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
                field="file",
            ) from None
        except csv.Error as error:
            raise CatalogFileError(f"the CSV is malformed: {error}", field="file") from None


def _json_rows(path: Path) -> Iterator[RawRow]:
    with path.open("rb") as handle:
        if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            handle.seek(0)
        events = ijson.basic_parse(handle, use_float=True)
        number = 0
        try:
            if next(events, (None, None))[0] != "start_array":
                raise CatalogFileError(
                    "a .json catalog must be an array of vendor objects", field="file"
                )
            for number, (item, repeated) in enumerate(_elements(events), start=1):
                yield _object_row(number, item) if repeated is None else _repeated(number, repeated)
            for _ in events:
                raise CatalogFileError("there is more JSON after the array", field="file")
        except ijson.JSONError as error:
            raise CatalogFileError(
                f"malformed JSON after element {number}: {error}", field="file", row=number + 1
            ) from None
        except UnicodeDecodeError:
            raise CatalogFileError("the file is not UTF-8 text", field="file") from None


def _elements(events: Iterator[tuple[str, Any]]) -> Iterator[tuple[Any, str | None]]:
    # Build each element of the top-level array from parser events, refusing nesting that no
    # vendor record has: a deeply nested element would otherwise cost memory without bound.
    # Each element comes with the first key that one of its objects gives twice, if any.
    stack: list[Any] = []
    keys: list[Any] = []
    repeated: str | None = None
    for event, value in events:
        if event in ("start_map", "start_array"):
            if len(stack) >= MAX_JSON_DEPTH:
                raise CatalogFileError(
                    f"JSON nested deeper than a vendor record ({MAX_JSON_DEPTH} levels)",
                    field="file",
                )
            stack.append({} if event == "start_map" else [])
            keys.append(None)
            continue
        if event == "map_key":
            keys[-1] = value
            continue
        if event in ("end_map", "end_array"):
            if not stack:
                return
            keys.pop()
            value = stack.pop()
        if not stack:
            yield value, repeated
            repeated = None
        elif isinstance(stack[-1], dict):
            if repeated is None and keys[-1] in stack[-1]:
                repeated = keys[-1]
            stack[-1][keys[-1]] = value
        else:
            stack[-1].append(value)


class RepeatedKey(ValueError):
    """A JSON object gives the same key twice: readers disagree on which value counts."""

    def __init__(self, key: str):
        super().__init__(f"the key {key!r} appears twice in one object")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key given twice (a `json.loads` object_pairs_hook)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKey(key)
        found[key] = value
    return found


def _repeated(number: int, key: str) -> RawRow:
    return unreadable(number, str(RepeatedKey(key)) + ": which value is meant is unclear", key)


def _jsonl_rows(path: Path) -> Iterator[RawRow]:
    with path.open("r", encoding="utf-8-sig") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line, object_pairs_hook=unique_keys)
                except json.JSONDecodeError as error:
                    yield unreadable(number, f"malformed JSON: {error.msg}")
                    continue
                except RepeatedKey as error:
                    yield _repeated(number, error.key)
                    continue
                except (RecursionError, ValueError):
                    yield unreadable(number, "JSON too deeply nested or a number too long")
                    continue
                yield _object_row(number, item)
        except UnicodeDecodeError:
            raise CatalogFileError("the file is not UTF-8 text", field="file") from None


def _object_row(number: int, item: Any) -> RawRow:
    if not isinstance(item, dict):
        return unreadable(number, "each element must be a JSON object (a vendor record)")
    return RawRow(number, item)


def check_workbook(path: Path) -> None:
    """Refuse a workbook before parsing it if it could be a decompression bomb or reach out:
    too many parts, too much uncompressed XML, an extreme compression ratio, external links
    or a DTD (XML entity tricks) anywhere in any part."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_XLSX_PARTS:
                raise CatalogFileError(f"the workbook has {len(parts)} parts", field="file")
            total = sum(part.file_size for part in parts)
            if total > MAX_XLSX_BYTES:
                raise CatalogFileError(
                    f"the workbook unpacks to {total // 2**20} MB, more than the "
                    f"{MAX_XLSX_BYTES // 2**20} MB allowed",
                    field="file",
                )
            for part in parts:
                if part.compress_size and part.file_size / part.compress_size > MAX_XLSX_RATIO:
                    raise CatalogFileError(
                        f"the workbook part {part.filename!r} is compressed suspiciously far",
                        field="file",
                    )
                if part.filename.startswith("xl/externalLinks/"):
                    raise CatalogFileError("the workbook links to other files", field="file")
            for part in parts:
                with archive.open(part) as handle:
                    _refuse_dtd(handle, part.filename)
    except (zipfile.BadZipFile, OSError):
        raise CatalogFileError("the file is not a readable XLSX workbook", field="file") from None


def _refuse_dtd(handle: IO[bytes], name: str) -> None:
    """Read a whole part as XML and refuse it at its document type declaration, if any.

    The XML parser itself finds the declaration, after any comment and in any encoding
    (a byte search misses <!DOCTYPE in UTF-16). A part that is not XML, such as a picture,
    stops the parser early; openpyxl's parser would stop at the same place, so it is let be.
    """

    def refuse(*_: object) -> None:
        raise CatalogFileError(
            f"the workbook part {name!r} contains a DTD (a document type declaration); "
            "a workbook never needs one, and its entities could expand without bound",
            field="file",
        )

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    try:
        while chunk := handle.read(XML_CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return


def _xlsx_rows(path: Path) -> Iterator[RawRow]:
    check_workbook(path)
    try:
        # Formulas are read as formulas, so that they are refused rather than read as blank.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise CatalogFileError(
            f"the file is not a readable XLSX workbook ({error})", field="file"
        ) from None
    try:
        yield from _sheet_rows(workbook)
    except CatalogFileError:
        raise
    except Exception as error:  # a damaged sheet fails while its rows are read
        raise CatalogFileError(
            f"the workbook could not be read ({type(error).__name__})", field="file"
        ) from None
    finally:
        workbook.close()


def _sheet_rows(workbook: Any) -> Iterator[RawRow]:
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows()
    header = [cell.value for cell in next(rows, ())]
    if not any(cell is not None for cell in header):
        raise CatalogFileError("the first sheet has no header row", field="file")
    while header and header[-1] is None:
        header = header[:-1]
    columns = check_columns([str(cell or "") for cell in header])
    for number, row in enumerate(rows, start=1):
        cells = [cell.value for cell in row]
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        extra = [cell for cell in cells[len(columns) :] if cell is not None]
        if extra:
            problem = f"the row has values beyond the {len(columns)} header columns"
            yield unreadable(number, problem)
            continue
        formulas = tuple(
            (column, _formula_problem(cell.value))
            for column, cell in zip(columns, row, strict=False)
            if cell.data_type == "f"
        )
        if formulas:
            yield RawRow(number, None, formulas)
            continue
        yield RawRow(number, cells_to_raw(dict(zip(columns, cells, strict=False))))


def _formula_problem(formula: Any) -> str:
    # A workbook keeps a formula's last result only if a spreadsheet program saved it, and
    # that result may be stale: the catalog takes values as typed, never computed.
    text = str(getattr(formula, "text", None) or formula)
    shown = text if len(text) <= MAX_FORMULA_SHOWN else text[: MAX_FORMULA_SHOWN - 1] + "…"
    return f"formulas are not values: the cell holds {shown}; enter the value itself"
