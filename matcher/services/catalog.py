"""Changing the catalog: one vendor at a time, or a whole file imported in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from matcher import db
from matcher.services import transaction
from vendors import catalog
from vendors.audit import Actor
from vendors.importing import ImportReport, OnError, import_catalog
from vendors.models import Vendor
from vendors.schema import Record


def add_vendor(record: Record, *, actor: Actor) -> Vendor:
    """Add a vendor to the catalog."""
    with transaction() as session:
        return catalog.create_vendor(session, record, actor=actor)


def replace_vendor(
    record: Record, *, expected_version: int | None, must_exist: bool, actor: Actor
) -> tuple[Vendor, bool]:
    """Replace a vendor's record whole (or create it); say whether it was created."""
    with transaction() as session:
        return catalog.replace_vendor(
            session, record, expected_version=expected_version, must_exist=must_exist, actor=actor
        )


def change_vendor(
    vendor_id: str, changes: dict[str, Any], *, expected_version: int | None, actor: Actor
) -> Vendor:
    """Change some fields of a vendor."""
    with transaction() as session:
        return catalog.update_vendor(
            session, vendor_id, changes, expected_version=expected_version, actor=actor
        )


def remove_vendor(vendor_id: str, *, expected_version: int | None, actor: Actor) -> None:
    """Remove a vendor from the catalog."""
    with transaction() as session:
        catalog.delete_vendor(session, vendor_id, expected_version=expected_version, actor=actor)


def import_file(
    path: Path,
    *,
    actor: Actor,
    filename: str | None = None,
    dry_run: bool = False,
    on_error: OnError = "fail",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a catalog file in one transaction, in batches of the configured size: committed
    when it is applied, rolled back when it is a dry run, refused, or fails."""
    session = db.session()
    try:
        report = import_catalog(
            session,
            path,
            filename=filename,
            dry_run=dry_run,
            on_error=on_error,
            batch_size=current_app.config["IMPORT_BATCH_SIZE"],
            progress=progress,
            actor=actor,
        )
    except BaseException:
        session.rollback()
        raise
    db.settle(report.applied and not report.dry_run)
    return report
