"""A killed import leaves the catalog as it was; two imports at once do not mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, insert, select

from tests.factories import vendor
from vendors.models import Vendor, utcnow
from vendors.synthetic import generate_records
from vendors.writers import write_export

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_import_killed_halfway_writes_nothing(database: str, tmp_path: Path) -> None:
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(insert(Vendor), [_stored(vendor("kept", headcount=10))])
    records = [vendor("kept", headcount=99), *generate_records(40_000, seed=11)]
    path = tmp_path / "big.jsonl"
    write_export(records, path)

    child, child_progress = start_import(path, database)
    # The first progress line comes after the first batch is written: kill it then.
    progress = child_progress.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()

    assert "rows read" in progress, progress
    assert "40001 of 40001" not in progress
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Vendor)) == 1
        assert connection.scalar(select(Vendor.headcount).where(Vendor.id == "kept")) == 10
    engine.dispose()


def start_import(path: Path, database: str) -> tuple[subprocess.Popen[str], IO[str]]:
    """Start `flask vendors import` in its own process; return it and its progress lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "vendors", "import", str(path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    return process, process.stderr


def _stored(record: dict[str, object]) -> dict[str, object]:
    now = utcnow()
    return {"currency": "USD", **record, "version": 1, "created_at": now, "updated_at": now}


@pytest.mark.slow
def test_two_imports_at_once_one_wins_and_the_other_is_refused(
    database: str, tmp_path: Path, client: FlaskClient
) -> None:
    path = tmp_path / "big.jsonl"
    write_export(generate_records(30_000, seed=12), path)
    first, first_progress = start_import(path, database)
    first_progress.readline()  # the first batch is written: the first import holds the catalog

    with path.open("rb") as handle:
        second = client.post("/api/v1/vendors/import", data={"file": (handle, "big.jsonl")})
    first_progress.read()
    first.wait()

    assert second.status_code == 409
    assert first.returncode == 0
    engine = create_engine(database)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Vendor)) == 30_000
    engine.dispose()


@pytest.mark.slow
def test_a_match_during_an_import_sees_the_old_catalog_and_after_it_the_new(
    database: str, tmp_path: Path, client: FlaskClient
) -> None:
    for record in (vendor("old-1"), vendor("old-2")):
        client.post("/api/v1/vendors", json=record)
    path = tmp_path / "big.jsonl"
    write_export(generate_records(30_000, seed=13), path)
    profile = {"skills": ["customer support"], "limit": 5}
    importing, importing_progress = start_import(path, database)
    importing_progress.readline()  # batches are being written, not yet committed

    during = client.post("/api/v1/match", json=profile).json
    importing_progress.read()
    importing.wait()
    after = client.post("/api/v1/match", json=profile).json

    assert during is not None
    assert after is not None
    assert during["considered"] == 2
    assert after["considered"] == 30_002
