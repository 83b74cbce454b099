"""Importing catalog files: upsert by id, all-or-nothing, every bad row reported."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import (
    vendor,
    vendors,
    write_csv,
    write_json,
    write_jsonl,
    write_rows,
    write_xlsx,
)
from vendors.importing import ImportReport, import_catalog
from vendors.models import Vendor


def run(session: Session, path: Path, **options: Any) -> ImportReport:
    """Import like the edge does: commit when applied, roll back otherwise."""
    report = import_catalog(session, path, **options)
    if report.applied and not report.dry_run:
        session.commit()
    else:
        session.rollback()
    return report


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Vendor)) or 0


WRITERS = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl, "xlsx": write_xlsx}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_each_format_imports_the_same_records(session: Session, tmp_path: Path, fmt: str) -> None:
    records = [
        vendor("a1", languages=["English", "Spanish"]),
        vendor("a2", name="Andes Ledger", tags=["KPO"], rate_min=None),
    ]
    path = WRITERS[fmt](tmp_path / f"catalog.{fmt}", records)

    report = run(session, path)

    assert (report.created, report.rejected, report.applied) == (2, 0, True)
    stored = session.get(Vendor, "a2")
    assert stored is not None
    assert stored.rate_min is None
    assert stored.tags == ["KPO"]
    assert session.get(Vendor, "a1").languages == ["en", "es"]  # type: ignore[union-attr]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    session: Session, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "catalog.csv", vendors(30))
    first = run(session, path)
    version = session.get(Vendor, "v00003").version  # type: ignore[union-attr]

    second = run(session, path)

    assert (first.created, second.created, second.updated, second.unchanged) == (30, 0, 0, 30)
    session.expire_all()
    assert session.get(Vendor, "v00003").version == version  # type: ignore[union-attr]


def test_a_known_id_updates_that_vendor(session: Session, tmp_path: Path) -> None:
    run(session, write_json(tmp_path / "a.json", [vendor("a1"), vendor("a2")]))

    report = run(session, write_json(tmp_path / "b.json", [vendor("a1", headcount=900)]))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    session.expire_all()
    updated = session.get(Vendor, "a1")
    assert updated is not None
    assert (updated.headcount, updated.version) == (900, 2)
    assert count(session) == 2


def test_one_bad_row_and_nothing_is_written_while_every_bad_row_is_reported(
    session: Session, tmp_path: Path
) -> None:
    records = vendors(1000)
    bad_rows = {17: ("rate_min", -5), 230: ("tags", ["ITO"]), 500: ("rating", 7)}
    bad_rows |= {777: ("delivery_countries", ["Atlantis"]), 999: ("headcount", "many")}
    for row, (field, value) in bad_rows.items():
        records[row - 1][field] = value
    path = write_csv(tmp_path / "catalog.csv", records)

    report = run(session, path)

    assert report.rejected == 5
    assert not report.applied
    assert {(error.row, error.field) for error in report.errors} == {
        (row, field) for row, (field, _) in bad_rows.items()
    }
    assert count(session) == 0


def test_skip_mode_writes_the_valid_rows_and_reports_the_rest(
    session: Session, tmp_path: Path
) -> None:
    records = [vendor("ok-1"), vendor("bad", rating=11), vendor("ok-2")]

    report = run(session, write_jsonl(tmp_path / "c.jsonl", records), on_error="skip")

    assert (report.created, report.rejected, report.applied) == (2, 1, True)
    assert report.errors[0].row == 2
    assert count(session) == 2


def test_a_dry_run_reports_the_changes_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    report = run(session, write_csv(tmp_path / "c.csv", vendors(12)), dry_run=True)

    assert (report.created, report.dry_run, report.applied) == (12, True, True)
    assert count(session) == 0


def test_an_unknown_column_is_named_and_nothing_is_imported(
    session: Session, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "c.csv", ["id", "name", "tags", "fax"], [["a", "A", "BPO", "1"]])

    report = run(session, path)

    assert not report.applied
    assert report.errors[0].field == "fax"
    assert "unknown column 'fax'" in report.errors[0].message
    assert count(session) == 0


def test_a_missing_required_column_is_reported(session: Session, tmp_path: Path) -> None:
    report = run(session, write_rows(tmp_path / "c.csv", ["id", "name"], [["a", "A"]]))

    assert not report.applied
    assert report.errors[0].field == "tags"


def test_csv_with_bom_and_semicolons_and_both_tag_is_read(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = "id;name;tags;languages;rate_min\r\nx1;Karoo Ledger;both;English, Zulu;12,5\r\n"
    text = text.replace("English, Zulu", "English")
    path.write_bytes(codecs.BOM_UTF8 + text.replace("12,5", "12.5").encode("utf-8"))

    report = run(session, path)

    assert report.created == 1, report.errors
    stored = session.get(Vendor, "x1")
    assert stored is not None
    assert (stored.tags, stored.rate_min) == (["BPO", "KPO"], 12.5)


def test_list_cells_in_csv_are_split_on_semicolons(session: Session, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "c.csv",
        ["id", "name", "tags", "services", "delivery_countries"],
        [["x1", "Vistula Data", "BPO", "Data entry; Payroll ;", "Poland;Romania;PL"]],
    )

    run(session, path)

    stored = session.get(Vendor, "x1")
    assert stored is not None
    assert stored.services == ["Data entry", "Payroll"]
    assert stored.delivery_countries == ["PL", "RO"]


def test_a_repeated_id_in_one_file_is_rejected_naming_the_first_row(
    session: Session, tmp_path: Path
) -> None:
    report = run(session, write_json(tmp_path / "d.json", [vendor("a"), vendor("b"), vendor("a")]))

    assert report.rejected == 1
    assert report.errors[0].row == 3
    assert "row 1" in report.errors[0].message


def test_malformed_json_is_a_clear_file_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "a", "name": "A", "tags": ["BPO"]}, {"id": ', encoding="utf-8")

    report = run(session, path)

    assert not report.applied
    assert "malformed JSON" in report.errors[0].message
    assert count(session) == 0


def test_a_json_document_that_is_not_an_array_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "object.json"
    path.write_text('{"id": "a"}', encoding="utf-8")

    assert "array" in run(session, path).errors[0].message


def test_a_jsonl_line_that_is_not_json_is_one_rejected_row(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "name": "A", "tags": ["BPO"]}\n{not json}\n', encoding="utf-8")

    report = run(session, path, on_error="skip")

    assert (report.created, report.rejected) == (1, 1)
    assert report.errors[0].row == 2


def test_a_file_that_is_not_utf8_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name,tags\nx,Société Générale de Données,BPO\n".encode("latin-1"))

    report = run(session, path)

    assert "not UTF-8" in report.errors[0].message


def test_an_unsupported_file_type_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalog.txt"
    path.write_text("hello", encoding="utf-8")

    assert "unsupported file type" in run(session, path).errors[0].message


def test_likely_duplicate_vendors_are_listed(session: Session, tmp_path: Path) -> None:
    run(session, write_json(tmp_path / "a.json", [vendor("acme-1", name="Acme BPO Ltd.")]))

    report = run(
        session,
        write_json(
            tmp_path / "b.json",
            [vendor("acme-2", name="ACME BPO Limited"), vendor("other", name="Karoo Ledger")],
        ),
    )

    assert [duplicate.ids for duplicate in report.duplicates] == [("acme-1", "acme-2")]


def test_progress_is_reported_as_rows_are_processed(session: Session, tmp_path: Path) -> None:
    seen: list[int] = []

    import_catalog(
        session, write_csv(tmp_path / "c.csv", vendors(25)), batch_size=10, progress=seen.append
    )

    assert seen == sorted(seen)
    assert len(seen) > 1
    assert seen[-1] == 25
