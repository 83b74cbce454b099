"""Prospects: saving one with its profile, removing it."""

from __future__ import annotations

from typing import Any

from matcher.services import transaction
from vendors import prospects
from vendors.models import Prospect


def save(fields: dict[str, Any], prospect_id: int | None = None) -> Prospect:
    """Create a prospect, or change the given fields of an existing one."""
    with transaction() as session:
        return prospects.save_prospect(session, fields, prospect_id)


def remove(prospect_id: int) -> None:
    """Remove a prospect."""
    with transaction() as session:
        prospects.delete_prospect(session, prospect_id)
