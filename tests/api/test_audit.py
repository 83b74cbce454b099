"""Every change to a vendor, imports included, is audited; admins read the trail, none write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_key
from tests.factories import vendor, vendors, write_json


def trail(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/audit{query}")
    assert response.status_code == 200, response.json
    assert response.json is not None
    items: list[dict[str, Any]] = response.json["items"]
    return items


def test_create_update_and_delete_are_recorded_with_who_when_and_what(
    client: FlaskClient,
) -> None:
    client.post("/api/v1/vendors", json=vendor("a1", headcount=10), headers={"X-Request-ID": "r-1"})
    client.patch("/api/v1/vendors/a1", json={"headcount": 25}, headers={"X-Request-ID": "r-2"})
    client.delete("/api/v1/vendors/a1", headers={"X-Request-ID": "r-3"})

    entries = trail(client, "?vendor_id=a1")

    assert [entry["action"] for entry in entries] == ["delete", "update", "create"]
    assert [entry["request_id"] for entry in entries] == ["r-3", "r-2", "r-1"]
    assert entries[1]["changes"] == {"headcount": [10, 25]}
    assert entries[0]["changes"]["name"][1] is None
    assert all(entry["actor"].startswith("key:") and entry["at"] for entry in entries)


def test_a_change_that_changes_nothing_leaves_no_entry(client: FlaskClient) -> None:
    body = client.post("/api/v1/vendors", json=vendor("same")).json
    assert body is not None

    client.put("/api/v1/vendors/same", json=body)

    assert [entry["action"] for entry in trail(client, "?vendor_id=same")] == ["create"]


def test_imports_are_recorded_per_vendor(client: FlaskClient, tmp_path: Path) -> None:
    records = vendors(3)
    path = write_json(tmp_path / "c.json", records)
    with path.open("rb") as handle:
        client.post("/api/v1/vendors/import", data={"file": (handle, "c.json")})
    records[0]["headcount"] = 999
    changed = write_json(tmp_path / "d.json", records)
    with changed.open("rb") as handle:
        client.post("/api/v1/vendors/import", data={"file": (handle, "d.json")})

    entries = trail(client)

    assert [entry["action"] for entry in entries] == ["import-update"] + ["import-create"] * 3
    assert entries[0]["changes"] == {"headcount": [450, 999]}


def test_a_dry_run_or_a_rejected_import_records_nothing(
    client: FlaskClient, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "c.json", [*vendors(2), vendor("bad", rating=9)])
    with path.open("rb") as handle:
        client.post("/api/v1/vendors/import", data={"file": (handle, "c.json")})

    assert trail(client) == []


def test_only_admins_read_the_trail_and_the_api_cannot_write_it(
    app: Flask, anonymous: FlaskClient, client: FlaskClient
) -> None:
    viewer = make_key(app, "viewer")

    refused = anonymous.get("/api/v1/audit", headers={"X-API-Key": viewer})
    written = client.post("/api/v1/audit", json={"action": "forged"})

    assert refused.status_code == 403
    assert written.status_code == 405
