"""The audit trail: every change to a vendor recorded with who, when, the request and the diff."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from vendors.models import RECORD_FIELDS, AuditEntry, Base, utcnow


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, and in which request."""

    name: str
    request_id: str | None = None


SYSTEM = Actor("system")


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return {field: [old, new]} for the fields that differ."""
    old, new = before or {}, after or {}
    return {
        name: [old.get(name), new.get(name)]
        for name in RECORD_FIELDS
        if old.get(name) != new.get(name)
    }


def record(
    session: Session,
    actor: Actor,
    entries: Iterable[tuple[str, str, dict[str, Any] | None]],
) -> None:
    """Add audit entries (vendor id, action, changes) in one statement."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor.name,
            "request_id": actor.request_id,
            "vendor_id": vendor_id,
            "action": action,
            "changes": changes,
        }
        for vendor_id, action, changes in entries
    ]
    if rows:
        session.execute(insert(Base.metadata.tables[AuditEntry.__tablename__]), rows)


def list_entries(
    session: Session, *, vendor_id: str | None, page: int, per_page: int
) -> tuple[list[AuditEntry], int]:
    """Return one page of the trail, newest first, and its size."""
    conditions = [AuditEntry.vendor_id == vendor_id] if vendor_id else []
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    query = (
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(session.scalars(query)), total
