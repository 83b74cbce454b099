"""Odd and hostile input gets a clear 4xx in the error shape, never a 500, and loses nothing."""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import vendor, vendors, write_json, write_xlsx


def post_raw(client: FlaskClient, body: str | bytes) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/vendors", data=body, content_type="application/json")
    payload: dict[str, Any] = response.json  # type: ignore[assignment]
    return response.status_code, payload


def upload(client: FlaskClient, path: Path) -> tuple[int, dict[str, Any]]:
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/vendors/import",
            data={"file": (handle, path.name)},
            content_type="multipart/form-data",
        )
    payload: dict[str, Any] = response.json  # type: ignore[assignment]
    return response.status_code, payload


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"headcount": 3_000_000_000}, "headcount"),
        ({"review_count": 10**30}, "review_count"),
        ({"name": "Nul\u0000Vendor"}, "name"),
        ({"services": ["ok", "bad\u0000"]}, "services"),
        ({"services": [["nested", ["deeper"]]]}, "services"),
        ({"services": ["Payroll; HR"]}, "services"),
        ({"rating": float("nan")}, "rating"),
        ({"rate_max": float("inf")}, "rate_max"),
        ({"id": "export"}, "id"),
        ({"id": "a/b"}, "id"),
        ({"tags": "BPO"}, "tags"),
        ({"currency": 840}, "currency"),
        ({"delivery_countries": [None]}, "delivery_countries"),
    ],
)
def test_bad_field_values_are_422_on_their_field(
    client: FlaskClient, changes: dict[str, Any], field: str
) -> None:
    body = json.dumps(vendor("hostile", **changes))

    status, payload = post_raw(client, body)

    assert status == 422
    assert field in payload["errors"]


def test_a_lone_surrogate_in_text_is_422(client: FlaskClient) -> None:
    body = json.dumps(vendor("surrogate")).replace('"Surrogate Services"', '"Bad \\ud800"')

    status, payload = post_raw(client, body)

    assert (status, list(payload["errors"])) == (422, ["name"])


@pytest.mark.parametrize(
    "body",
    [
        '{"id": "big", "headcount": ' + "9" * 5000 + "}",
        "[" * 5000 + "]" * 5000,
        '{"id": "x", "name": "A", "tags": ["BPO"], "services": ' + "[" * 3000 + "]" * 3000 + "}",
        b'{"id": "\xff\xfe"}',
    ],
)
def test_bodies_a_parser_chokes_on_are_400(client: FlaskClient, body: str | bytes) -> None:
    status, payload = post_raw(client, body)

    assert status == 400
    assert payload["status"] == 400


@pytest.mark.parametrize("vendor_id", ["%00", "a%00b", "x" * 300, "%C3%A9t%C3%A9"])
def test_ids_no_record_can_have_are_404(client: FlaskClient, vendor_id: str) -> None:
    assert client.get(f"/api/v1/vendors/{vendor_id}").status_code == 404
    assert client.delete(f"/api/v1/vendors/{vendor_id}").status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "service=a%00b", "q=" + "x" * 500, "page=9" * 30])
def test_bad_search_text_is_422(client: FlaskClient, query: str) -> None:
    assert client.get(f"/api/v1/vendors?{query}").status_code == 422


@pytest.mark.parametrize("header", ['"²"', '"' + "9" * 5000 + '"', "yesterday", '"-1"'])
def test_a_malformed_if_match_is_400(client: FlaskClient, header: str) -> None:
    client.post("/api/v1/vendors", json=vendor("locked"))

    response = client.patch("/api/v1/vendors/locked", json={}, headers={"If-Match": header})

    assert response.status_code == 400


def test_if_match_star_requires_the_vendor_to_exist(client: FlaskClient) -> None:
    record = {"name": "New", "tags": ["BPO"]}

    missing = client.put("/api/v1/vendors/new-one", json=record, headers={"If-Match": "*"})
    created = client.put("/api/v1/vendors/new-one", json=record)
    replaced = client.put("/api/v1/vendors/new-one", json=record, headers={"If-Match": "*"})

    assert (missing.status_code, created.status_code, replaced.status_code) == (404, 201, 200)


def test_a_stale_delete_is_refused_and_deletes_nothing(client: FlaskClient) -> None:
    client.post("/api/v1/vendors", json=vendor("kept"))
    client.patch("/api/v1/vendors/kept", json={"headcount": 5})

    response = client.delete("/api/v1/vendors/kept", headers={"If-Match": '"1"'})

    assert response.status_code == 409
    assert client.get("/api/v1/vendors/kept").status_code == 200


def test_a_deeply_nested_json_catalog_is_refused_quickly(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")

    status, report = upload(client, path)

    assert status == 422
    assert "nested deeper" in report["errors"][0]["message"]


def test_a_json_catalog_with_a_bom_is_read(client: FlaskClient, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps([vendor("bom")]).encode())

    status, report = upload(client, path)

    assert (status, report["created"]) == (200, 1)


def test_json_after_the_array_is_refused(client: FlaskClient, tmp_path: Path) -> None:
    path = tmp_path / "trailing.json"
    path.write_text(json.dumps([vendor("t")]) + ' {"id": "x"}', encoding="utf-8")

    status, report = upload(client, path)

    assert status == 422
    assert report["applied"] is False


def test_a_damaged_workbook_is_a_file_error(client: FlaskClient, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", vendors(50))
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)

    status, report = upload(client, damaged)

    assert status == 422
    assert report["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "no header"),
        ("blank.json", b"", "malformed JSON"),
        ("object.json", b'{"id": "a"}', "array"),
        ("garbage.xlsx", b"not a zip", "XLSX"),
        ("headers.csv", b"id,name,tags,name\n", "twice"),
    ],
)
def test_files_that_are_not_catalogs_are_refused_with_a_reason(
    client: FlaskClient, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    status, report = upload(client, path)

    assert status == 422
    assert message in report["errors"][0]["message"]


def test_a_header_only_csv_imports_nothing_and_succeeds(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "header.csv"
    path.write_text("id,name,tags\n", encoding="utf-8")

    status, report = upload(client, path)

    assert (status, report["created"], report["rejected"]) == (200, 0, 0)


def test_control_characters_in_a_csv_row_reject_that_row(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "nul.csv"
    path.write_text("id,name,tags\nok,Fine Vendor,BPO\nbad,Bad\x00Vendor,BPO\n", encoding="utf-8")

    status, report = upload(client, path)

    assert status == 422
    assert report["errors"] == [
        {"row": 2, "field": "name", "message": "Contains a control character."}
    ]


def test_a_deeply_nested_jsonl_line_is_one_rejected_row(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(vendor("ok")) + "\n" + "[" * 100_000 + "\n", encoding="utf-8")

    status, report = upload(client, path)

    assert (status, report["rejected"], report["errors"][0]["row"]) == (422, 1, 2)


def test_an_upload_that_is_not_multipart_is_422(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/vendors/import", data=io.BytesIO(b"id,name\n"), content_type="text/csv"
    )

    assert response.status_code == 422


def test_json_catalog_elements_that_are_not_objects_are_rejected_rows(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "mixed.json", [vendor("ok"), 42, "text", None, [1]])

    status, report = upload(client, path)

    assert status == 422
    assert [error["row"] for error in report["errors"]] == [2, 3, 4, 5]


def _workbook_with(tmp_path: Path, name: str, extra: dict[str, bytes]) -> Path:
    good = write_xlsx(tmp_path / "good.xlsx", vendors(3))
    path = tmp_path / name
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        for part, data in extra.items():
            target.writestr(part, data)
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"xl/bomb.xml": b"<a>" + b"A" * 20_000_000 + b"</a>"}, "compressed suspiciously far"),
        ({"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}, "links to other files"),
        ({"xl/evil.xml": b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'}, "DTD"),
        ({f"xl/part{n}.xml": b"<x/>" for n in range(250)}, "parts"),
    ],
)
def test_a_hostile_workbook_is_refused_before_it_is_parsed(
    client: FlaskClient, tmp_path: Path, extra: dict[str, bytes], message: str
) -> None:
    status, report = upload(client, _workbook_with(tmp_path, "hostile.xlsx", extra))

    assert status == 422
    assert message in report["errors"][0]["message"]
    assert report["created"] == 0
