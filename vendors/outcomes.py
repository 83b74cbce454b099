"""What became of vendors on searches and prospects: recorded, listed, summed up for ranking.

A delivered outcome carries the client's rating (1-5) of the work, and is taken only for a
vendor awarded the work on the same search or prospect: that is what makes it verified. Every
outcome is in the vendor's audit trail; a rating raises the catalog revision, so every worker's
index picks it up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendors.audit import Actor, record
from vendors.catalog import VendorNotFound, bump_revision
from vendors.models import Outcome, Prospect, Search, Vendor
from vendors.prospects import ProspectNotFound
from vendors.searches import SearchNotFound

STAGES = ("shortlisted", "invited", "awarded", "declined", "delivered")
DELIVERED = "delivered"
AUDIT_ACTION = "outcome"


class OutcomeRefused(ValueError):
    """An outcome that cannot be taken, and the field that says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class OutcomeConflict(ValueError):
    """An outcome the vendor's record on the search or prospect does not allow yet."""


class OutcomeNotFound(LookupError):
    """No outcome has this id."""

    def __init__(self, outcome_id: int):
        super().__init__(outcome_id)
        self.outcome_id = outcome_id


@dataclass(frozen=True, slots=True)
class Verified:
    """A vendor's verified record: how many delivered outcomes, and their mean rating."""

    count: int
    mean: float


def record_outcome(
    session: Session,
    *,
    vendor_id: str,
    stage: str,
    search_id: str | None = None,
    prospect_id: int | None = None,
    rating: float | None = None,
    note: str | None = None,
    actor: Actor,
) -> Outcome:
    """Record an outcome for a vendor on one search or one prospect, audited."""
    if stage not in STAGES:
        raise OutcomeRefused("stage", f"Must be one of: {', '.join(STAGES)}.")
    if (search_id is None) == (prospect_id is None):
        raise OutcomeRefused("search_id", "Give the search or the prospect, one of the two.")
    if stage == DELIVERED and rating is None:
        raise OutcomeRefused("rating", "A delivered outcome needs the rating (1-5).")
    if stage != DELIVERED and rating is not None:
        raise OutcomeRefused("rating", "Only a delivered outcome carries a rating.")
    if session.get(Vendor, vendor_id) is None:
        raise VendorNotFound(vendor_id)
    if search_id is not None and session.get(Search, search_id) is None:
        raise SearchNotFound(search_id)
    if prospect_id is not None and session.get(Prospect, prospect_id) is None:
        raise ProspectNotFound(prospect_id)
    if stage == DELIVERED:
        awarded = select(Outcome.id).where(
            Outcome.vendor_id == vendor_id,
            Outcome.stage == "awarded",
            Outcome.search_id == search_id
            if search_id is not None
            else Outcome.prospect_id == prospect_id,
        )
        if session.scalar(awarded.limit(1)) is None:
            raise OutcomeConflict(
                "Record the award first: only awarded work can be rated as delivered."
            )
    outcome = Outcome(
        vendor_id=vendor_id,
        search_id=search_id,
        prospect_id=prospect_id,
        stage=stage,
        rating=rating,
        note=note,
        actor=actor.name[:120],
    )
    session.add(outcome)
    session.flush()
    record(session, actor, [(vendor_id, AUDIT_ACTION, _audited(outcome, recorded=True))])
    if stage == DELIVERED:
        bump_revision(session)
    return outcome


def delete_outcome(session: Session, outcome_id: int, *, actor: Actor) -> None:
    """Take back an outcome recorded in error, audited."""
    outcome = session.get(Outcome, outcome_id)
    if outcome is None:
        raise OutcomeNotFound(outcome_id)
    entry = (outcome.vendor_id, "outcome deleted", _audited(outcome, recorded=False))
    record(session, actor, [entry])
    if outcome.stage == DELIVERED:
        bump_revision(session)
    session.delete(outcome)
    session.flush()


def list_outcomes(
    session: Session,
    *,
    vendor_id: str | None = None,
    search_id: str | None = None,
    prospect_id: int | None = None,
    limit: int = 500,
) -> list[Outcome]:
    """Return outcomes, newest first, for a vendor, a search or a prospect (or all)."""
    query = select(Outcome).order_by(Outcome.at.desc(), Outcome.id.desc()).limit(limit)
    if vendor_id is not None:
        query = query.where(Outcome.vendor_id == vendor_id)
    if search_id is not None:
        query = query.where(Outcome.search_id == search_id)
    if prospect_id is not None:
        query = query.where(Outcome.prospect_id == prospect_id)
    return list(session.scalars(query))


def verified(session: Session) -> dict[str, Verified]:
    """Return every rated vendor's verified record: delivered outcomes and their mean."""
    query = (
        select(Outcome.vendor_id, func.count(Outcome.id), func.avg(Outcome.rating))
        .where(Outcome.stage == DELIVERED, Outcome.rating.is_not(None))
        .group_by(Outcome.vendor_id)
    )
    return {
        vendor_id: Verified(int(count), float(mean))
        for vendor_id, count, mean in session.execute(query)
    }


def verified_of(session: Session, vendor_id: str) -> Verified | None:
    """Return one vendor's verified record, or None when no delivered work is rated."""
    query = select(func.count(Outcome.id), func.avg(Outcome.rating)).where(
        Outcome.vendor_id == vendor_id, Outcome.stage == DELIVERED, Outcome.rating.is_not(None)
    )
    count, mean = session.execute(query).one()
    return Verified(int(count), float(mean)) if count else None


def _audited(outcome: Outcome, *, recorded: bool) -> dict[str, object]:
    # In the trail's shape, field -> [old, new]: from nothing when recorded, to nothing when not.
    fields = ("stage", "search_id", "prospect_id", "rating", "note")
    values = {"outcome": outcome.id} | {name: getattr(outcome, name) for name in fields}
    return {
        name: [None, value] if recorded else [value, None]
        for name, value in values.items()
        if value is not None
    }
