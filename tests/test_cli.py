"""The command line: schema, import with its report and exit code, export, demo, generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner

from tests.factories import vendor, vendors, write_csv, write_json


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
