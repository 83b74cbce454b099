"""The command line: schema, import with its report and exit code, export, demo, generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from matcher import db
from tests.factories import vendor, vendors, write_csv, write_json
from tests.web.conftest import sign_in
from vendors.access import ROLES, authenticate_user


def import_file(runner: FlaskCliRunner, path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(args=["vendors", "import", str(path), "--no-progress", *options])
    report: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, report


def test_db_upgrade_reports_the_revision(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0
    assert "Schema at" in result.stdout


def test_an_applied_import_exits_0_with_the_report_on_stdout(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    status, report = import_file(runner, write_csv(tmp_path / "c.csv", vendors(5)))

    assert status == 0
    assert (report["created"], report["applied"]) == (5, True)


def test_an_import_with_rejected_rows_exits_non_zero_and_writes_nothing(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "c.json", [vendor("ok"), vendor("bad", currency="Rupees")])

    status, report = import_file(runner, path)
    _, second = import_file(runner, write_json(tmp_path / "d.json", [vendor("ok")]))

    assert status != 0
    assert report["errors"][0]["field"] == "currency"
    assert second["created"] == 1  # the first import wrote nothing


def test_a_dry_run_exits_0_when_it_would_apply_and_writes_nothing(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "c.csv", vendors(3))

    status, report = import_file(runner, path, "--dry-run")
    _, real = import_file(runner, path)

    assert (status, report["dry_run"], report["created"]) == (0, True, 3)
    assert real["created"] == 3


def test_skip_mode_on_the_command_line_still_exits_non_zero_when_rows_were_rejected(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "c.json", [vendor("ok"), vendor("bad", rating=6)])

    status, report = import_file(runner, path, "--on-error", "skip")

    assert status != 0
    assert (report["created"], report["rejected"], report["applied"]) == (1, 1, True)


def test_export_writes_a_file_that_imports_with_no_changes(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    import_file(runner, write_json(tmp_path / "seed.json", vendors(8)))
    exported = tmp_path / "export.csv"

    result = runner.invoke(args=["vendors", "export", str(exported)])
    _, report = import_file(runner, exported)

    assert result.exit_code == 0
    assert "Exported 8 vendors" in result.stdout
    assert (report["unchanged"], report["created"], report["updated"]) == (8, 0, 0)


def test_export_to_an_unknown_suffix_is_a_usage_error(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(args=["vendors", "export", str(tmp_path / "export.pdf")])

    assert result.exit_code == 2
    assert "unsupported export file type" in result.output


def test_the_demo_catalog_loads_and_a_second_load_changes_nothing(
    runner: FlaskCliRunner,
) -> None:
    first = runner.invoke(args=["demo", "--no-serve"])
    second = runner.invoke(args=["demo", "--no-serve"])

    assert first.exit_code == 0, first.output
    assert "0 rejected" in first.stdout
    assert "0 created, 0 updated" in second.stdout
    assert "0 rejected" in second.stdout


def test_the_generator_writes_a_valid_synthetic_catalog(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "synthetic.jsonl"

    result = runner.invoke(args=["vendors", "generate", "250", str(path), "--seed", "3"])
    status, report = import_file(runner, path)

    assert result.exit_code == 0
    assert (status, report["created"], report["rejected"]) == (0, 250, 0)


def test_a_created_key_is_printed_alone_on_the_last_line_and_works(
    runner: FlaskCliRunner, anonymous: FlaskClient
) -> None:
    result = runner.invoke(args=["keys", "create", "--role", "viewer", "--name", "reporting"])
    key = result.stdout.strip().splitlines()[-1]

    allowed = anonymous.get("/api/v1/vendors", headers={"X-API-Key": key})
    refused = anonymous.post("/api/v1/vendors", json={}, headers={"X-API-Key": key})

    assert result.exit_code == 0
    assert (allowed.status_code, refused.status_code) == (200, 403)


def test_a_revoked_key_no_longer_works(runner: FlaskCliRunner, anonymous: FlaskClient) -> None:
    key = runner.invoke(args=["keys", "create", "--role", "admin"]).stdout.strip().splitlines()[-1]
    key_id = key.split("_")[1]

    result = runner.invoke(args=["keys", "revoke", key_id])
    response = anonymous.get("/api/v1/vendors", headers={"X-API-Key": key})

    assert result.exit_code == 0
    assert response.status_code == 401


def test_an_unknown_role_is_refused(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["keys", "create", "--role", "superuser"])

    assert result.exit_code == 2


def test_a_web_user_is_created_with_a_hashed_password(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ana@Example.com",
            "--role",
            "procurement",
            "--password",
            "s3cret-pw",
        ]
    )
    again = runner.invoke(
        args=["users", "create", "ana@example.com", "--role", "sales", "--password", "s3cret-pw"]
    )

    with app.app_context():
        user = authenticate_user(db.session(), "ana@example.com", "s3cret-pw")
        wrong = authenticate_user(db.session(), "ana@example.com", "guess")
    assert result.exit_code == 0
    assert again.exit_code != 0
    assert user is not None
    assert user.role == "procurement"
    assert "s3cret-pw" not in user.password_hash
    assert wrong is None


def test_a_short_password_is_refused(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "create", "a@b.c", "--role", "viewer", "--password", "x"])

    assert result.exit_code == 2


def test_the_demo_prints_a_working_admin_key(
    runner: FlaskCliRunner, anonymous: FlaskClient
) -> None:
    result = runner.invoke(args=["demo", "--no-serve"])
    line = next(line for line in result.stdout.splitlines() if "API key" in line)
    key = line.rsplit(" ", 1)[-1]

    assert anonymous.get("/api/v1/vendors", headers={"X-API-Key": key}).status_code == 200


def test_the_demo_prints_a_working_sign_in_for_each_role(
    runner: FlaskCliRunner, app: Flask
) -> None:
    runner.invoke(args=["demo", "--no-serve"])  # a second run gives a new password
    result = runner.invoke(args=["demo", "--no-serve"])
    line = next(line for line in result.stdout.splitlines() if "sign-in" in line)
    password = line.rsplit(" ", 1)[-1]

    for role in ROLES:
        client = app.test_client()
        sign_in(client, f"{role}@demo.example", password)
        assert client.get("/").status_code == 200


def test_a_password_can_be_changed_from_the_command_line(
    runner: FlaskCliRunner, app: Flask
) -> None:
    runner.invoke(
        args=["users", "create", "a@b.example", "--role", "viewer", "--password", "first-pass"]
    )

    changed = runner.invoke(args=["users", "password", "a@b.example", "--password", "second-pass"])
    unknown = runner.invoke(args=["users", "password", "no@b.example", "--password", "second-pass"])

    assert changed.exit_code == 0
    assert unknown.exit_code == 1
    assert "no user" in unknown.output
    sign_in(app.test_client(), "a@b.example", "second-pass")
