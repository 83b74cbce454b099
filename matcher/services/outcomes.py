"""Outcomes: recording what became of a vendor, and taking one back."""

from __future__ import annotations

from typing import Any

from matcher.services import transaction
from vendors import outcomes
from vendors.audit import Actor
from vendors.models import Outcome


def record(*, actor: Actor, **fields: Any) -> Outcome:
    """Record an outcome for a vendor on a search or a prospect."""
    with transaction() as session:
        return outcomes.record_outcome(session, actor=actor, **fields)


def take_back(outcome_id: int, *, actor: Actor) -> None:
    """Take back an outcome recorded in error."""
    with transaction() as session:
        outcomes.delete_outcome(session, outcome_id, actor=actor)
