"""Catalog upload and download over HTTP: the import report and the export round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import vendor, vendors, write_csv, write_json, write_xlsx


def upload(client: FlaskClient, path: Path, query: str = "") -> tuple[int, dict[str, Any]]:
    with path.open("rb") as handle:
        response = client.post(
            f"/api/v1/vendors/import{query}",
            data={"file": (handle, path.name)},
            content_type="multipart/form-data",
        )
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return response.status_code, body


def total(client: FlaskClient) -> int:
    body = client.get("/api/v1/vendors").json
    assert body is not None
    count: int = body["total"]
    return count


def test_an_upload_answers_with_the_contract_report(client: FlaskClient, tmp_path: Path) -> None:
    status, report = upload(client, write_csv(tmp_path / "c.csv", vendors(4)))

    assert status == 200
    assert report == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
        "errors_omitted": 0,
        "duplicates": [],
        "dry_run": False,
        "applied": True,
    }
    assert total(client) == 4


def test_an_upload_with_a_bad_row_is_422_and_writes_nothing(
    client: FlaskClient, tmp_path: Path
) -> None:
    records = [*vendors(3), vendor("bad", rate_min="cheap")]

    status, report = upload(client, write_json(tmp_path / "c.json", records))

    assert status == 422
    assert report["applied"] is False
    assert report["errors"] == [{"row": 4, "field": "rate_min", "message": "Not a valid number."}]
    assert total(client) == 0


def test_skip_mode_over_http_writes_the_good_rows(client: FlaskClient, tmp_path: Path) -> None:
    records = [*vendors(3), vendor("bad", rating=-1)]

    status, report = upload(client, write_json(tmp_path / "c.json", records), "?on_error=skip")

    assert (status, report["created"], report["rejected"]) == (200, 3, 1)
    assert total(client) == 3


def test_a_dry_run_upload_writes_nothing(client: FlaskClient, tmp_path: Path) -> None:
    status, report = upload(client, write_xlsx(tmp_path / "c.xlsx", vendors(5)), "?dry_run=true")

    assert (status, report["created"], report["dry_run"]) == (200, 5, True)
    assert total(client) == 0


def test_an_upload_without_a_file_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/vendors/import", data={}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert response.json is not None
    assert "file" in response.json["errors"]


def test_an_upload_of_an_unsupported_type_is_422(client: FlaskClient, tmp_path: Path) -> None:
    path = tmp_path / "catalog.pdf"
    path.write_bytes(b"%PDF-1.4")

    status, body = upload(client, path)

    assert status == 422
    assert "unsupported file type" in body["message"]


def test_unknown_upload_options_are_422(client: FlaskClient, tmp_path: Path) -> None:
    status, body = upload(client, write_csv(tmp_path / "c.csv", vendors(1)), "?on_error=ignore")

    assert status == 422
    assert "on_error" in body["errors"]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_then_import_changes_nothing(client: FlaskClient, tmp_path: Path, fmt: str) -> None:
    tricky = vendor(
        "tricky",
        name='=HYPERLINK("http://evil.example")',
        description='- bullet one\n- bullet two, with "quotes"; and a semicolon',
        services=["@mentions desk", "+44 hotline"],
        rate_min=None,
    )
    upload(client, write_json(tmp_path / "seed.json", [*vendors(6), tricky]))
    exported = client.get(f"/api/v1/vendors/export?format={fmt}", buffered=True)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(exported.data)

    status, report = upload(client, path)

    assert exported.status_code == 200
    assert (status, report["unchanged"], report["created"], report["updated"]) == (200, 7, 0, 0)


def test_csv_export_escapes_cells_that_spreadsheets_would_run(
    client: FlaskClient, tmp_path: Path
) -> None:
    upload(client, write_json(tmp_path / "s.json", [vendor("f1", name="=1+2", services=["-x"])]))

    text = client.get("/api/v1/vendors/export?format=csv", buffered=True).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))

    assert rows[0]["name"] == "'=1+2"
    assert rows[0]["services"] == "'-x"


def test_json_export_is_an_array_of_records_without_unknown_fields(
    client: FlaskClient, tmp_path: Path
) -> None:
    upload(client, write_json(tmp_path / "s.json", [vendor("j1", headcount=None)]))

    response = client.get("/api/v1/vendors/export?format=json", buffered=True)

    records = json.loads(response.data)
    assert response.headers["Content-Disposition"] == 'attachment; filename="vendors.json"'
    assert records[0]["id"] == "j1"
    assert "headcount" not in records[0]


def test_an_unknown_export_format_is_422(client: FlaskClient) -> None:
    assert client.get("/api/v1/vendors/export?format=pdf").status_code == 422


def test_an_export_returns_its_database_connection_when_the_download_ends(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    upload(client, write_json(tmp_path / "s.json", vendors(3)))

    response = client.get("/api/v1/vendors/export?format=jsonl")
    lines = response.get_data(as_text=True).splitlines()
    response.close()

    assert len(lines) == 3
    assert app.extensions["engine"].pool.checkedout() == 0


def test_an_upload_over_the_import_limit_is_413(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    app.config["MAX_IMPORT_BYTES"] = 10_000
    path = write_csv(tmp_path / "big.csv", vendors(100))

    status, body = upload(client, path)

    assert status == 413
    assert body["status"] == 413


def test_an_upload_may_be_larger_than_the_json_body_limit(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    path = write_csv(tmp_path / "big.csv", vendors(100))

    status, body = upload(client, path)

    assert (status, body["created"]) == (200, 100)
