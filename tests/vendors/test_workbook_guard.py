"""A workbook is refused before parsing if any part declares a DTD; formulas are not values."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import vendor, vendors, write_xlsx
from vendors.importing import ImportReport, import_catalog
from vendors.models import RECORD_FIELDS, Vendor

SHEET = "xl/worksheets/sheet1.xml"
ENTITY = b'<!DOCTYPE worksheet [<!ENTITY vendor "Entity Expanded Outsourcing">]>'


def run(session: Session, path: Path) -> ImportReport:
    report = import_catalog(session, path)
    if report.applied:
        session.commit()
    else:
        session.rollback()
    return report


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Vendor.name).order_by(Vendor.id)))


def rewrite_part(source: Path, target: Path, part: str, new: bytes) -> Path:
    """Copy a workbook with one of its parts replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in old.infolist():
            out.writestr(item, new if item.filename == part else old.read(item))
    return target


def workbook_with_entity(tmp_path: Path, prolog: bytes, encoding: str = "utf-8") -> Path:
    """A good workbook whose sheet declares an entity and uses it as a vendor's name."""
    records = vendors(3)
    good = write_xlsx(tmp_path / "good.xlsx", records)
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read(SHEET)
    assert not sheet.startswith(b"<?xml")
    body = sheet.replace(records[1]["name"].encode(), b"&vendor;")
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode()
    text = (declaration + prolog + ENTITY + body).decode()
    return rewrite_part(good, tmp_path / "entity.xlsx", SHEET, text.encode(encoding))


@pytest.mark.parametrize(
    ("prolog", "encoding"),
    [
        (b"", "utf-8"),
        # The DTD used to be looked for in the first 4 KB of each part only.
        (b"<!--" + b" padding " * 600 + b"-->\n", "utf-8"),
        (b"<!--" + os.urandom(1_000_000).hex().encode() + b"-->\n", "utf-8"),
        # A part in UTF-16 spells <!DOCTYPE with a NUL after every letter.
        (b"", "utf-16"),
    ],
    ids=["at-the-start", "after-a-5-KB-comment", "after-2-MB", "in-utf-16"],
)
def test_a_dtd_anywhere_in_any_part_refuses_the_workbook_and_expands_nothing(
    session: Session, tmp_path: Path, prolog: bytes, encoding: str
) -> None:
    report = run(session, workbook_with_entity(tmp_path, prolog, encoding))

    assert report.applied is False
    assert report.created == 0
    assert [(error.row, error.field) for error in report.errors] == [(None, "file")]
    assert "DTD" in report.errors[0].message
    assert SHEET in report.errors[0].message
    assert names(session) == []


def test_a_dtd_in_a_part_of_any_name_is_refused(session: Session, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", vendors(2))
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in old.infolist():
            out.writestr(item, old.read(item))
        out.writestr("customXml/item1.dat", b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "x"><x/>')

    report = run(session, path)

    assert "DTD" in report.errors[0].message
    assert report.created == 0


def test_pictures_and_other_binary_parts_are_no_reason_to_refuse(
    session: Session, tmp_path: Path
) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", vendors(2))
    path = tmp_path / "pictures.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in old.infolist():
            out.writestr(item, old.read(item))
        out.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)

    assert run(session, path).created == 2


def formula_workbook(path: Path, formulas: dict[str, str]) -> Path:
    """A one-row workbook whose named cells hold formulas instead of values."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(RECORD_FIELDS))
    record = vendor("acme-bpo", services=None, delivery_countries=None, languages=None)
    row = [formulas.get(name, record.get(name)) for name in RECORD_FIELDS]
    sheet.append([", ".join(value) if isinstance(value, list) else value for value in row])
    workbook.save(path)
    return path


def test_a_formula_cell_is_reported_as_not_a_value(session: Session, tmp_path: Path) -> None:
    path = formula_workbook(tmp_path / "formulas.xlsx", {"name": '=CONCAT("Acme", " BPO")'})

    report = run(session, path)

    assert report.rejected == 1
    assert [(error.row, error.field) for error in report.errors] == [(1, "name")]
    assert report.errors[0].message.startswith("formulas are not values")
    assert names(session) == []


def test_every_formula_cell_of_a_row_is_named(session: Session, tmp_path: Path) -> None:
    path = formula_workbook(
        tmp_path / "formulas.xlsx", {"rate_min": "=8+1", "rate_max": "=B2*2", "rating": "=4.5"}
    )

    report = run(session, path)

    assert report.rejected == 1
    assert sorted(error.field or "" for error in report.errors) == [
        "rate_max",
        "rate_min",
        "rating",
    ]
    assert all("formulas are not values" in error.message for error in report.errors)


def test_text_that_only_looks_like_a_formula_is_text(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "text.xlsx", [vendor("acme-bpo", name="=Acme BPO")])

    report = run(session, path)

    assert (report.created, report.errors) == (1, [])
    assert names(session) == ["=Acme BPO"]
