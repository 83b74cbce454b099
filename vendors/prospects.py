"""Saved prospects: a named requirement profile for a prospect company of the sales team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendors.models import Prospect


class ProspectNotFound(LookupError):
    """No prospect has this id."""

    def __init__(self, prospect_id: int):
        super().__init__(prospect_id)
        self.prospect_id = prospect_id


class ProspectNameTaken(ValueError):
    """Another prospect already has this name."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def list_prospects(session: Session, *, page: int, per_page: int) -> tuple[list[Prospect], int]:
    """Return one page of prospects by name, and how many there are."""
    total = session.scalar(select(func.count()).select_from(Prospect)) or 0
    query = select(Prospect).order_by(Prospect.name, Prospect.id)
    items = session.scalars(query.offset((page - 1) * per_page).limit(per_page))
    return list(items), total


def get_prospect(session: Session, prospect_id: int) -> Prospect:
    """Return the prospect with this id or raise ProspectNotFound."""
    prospect = session.get(Prospect, prospect_id)
    if prospect is None:
        raise ProspectNotFound(prospect_id)
    return prospect


def save_prospect(
    session: Session, fields: dict[str, Any], prospect_id: int | None = None
) -> Prospect:
    """Create a prospect, or change the given fields of an existing one."""
    prospect = Prospect() if prospect_id is None else get_prospect(session, prospect_id)
    name = fields.get("name", prospect.name)
    clash = session.scalar(
        select(Prospect.id).where(Prospect.name == name, Prospect.id != prospect_id)
    )
    if clash is not None:
        raise ProspectNameTaken(name)
    for key, value in fields.items():
        setattr(prospect, key, value)
    session.add(prospect)
    session.flush()
    return prospect


def delete_prospect(session: Session, prospect_id: int) -> None:
    """Remove a prospect."""
    session.delete(get_prospect(session, prospect_id))
    session.flush()
