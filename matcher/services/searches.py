"""Searches: saving one (a draft or a search), running it, keeping its ranking, shortlisting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from matcher import db, matching
from matcher.edge.answers import match_data
from matcher.engine.model import Ranking
from matcher.profiles import load_requirement
from matcher.services import transaction
from vendors import catalog, searches
from vendors.models import Search, Vendor


def save(
    *,
    owner_id: int,
    form: dict[str, Any],
    profile: dict[str, Any] | None,
    search_id: str | None = None,
) -> Search:
    """Keep a form as a draft (no profile) or as a search of a valid profile, with the ranking
    it produces on the catalog as it is now."""
    with transaction() as session:
        search = searches.save_search(
            session, owner_id=owner_id, form=form, profile=profile, search_id=search_id
        )
        if profile is not None:
            _keep(search)
        return search


def run(search: Search) -> tuple[Ranking, dict[str, Any]]:
    """Rank the catalog as it is now for a search's profile: the ranking and its answer."""
    ranking = matching.run_match(load_requirement(search.profile or {}, matching.knowledge()))
    return ranking, match_data(ranking)


def keep_ranking(search: Search) -> dict[str, Any]:
    """Run a search on the catalog as it is now and keep that answer as its own ranking, with
    the catalog revision it was made on."""
    with transaction():
        return _keep(search)


def _keep(search: Search) -> dict[str, Any]:
    # The index's revision, read with the ranking: the revision the ranking was made on.
    revision = matching.current_index().revision
    answer = run(search)[1]
    search.ranking = answer
    search.ranked_revision = revision
    search.ranked_at = datetime.now(UTC)
    return answer


def shortlist(search: Search, vendor_ids: list[str]) -> None:
    """Replace a search's shortlist."""
    with transaction() as session:
        searches.set_shortlist(session, search, vendor_ids)


def remove(search: Search) -> None:
    """Forget a search or draft."""
    with transaction() as session:
        searches.delete_search(session, search)


def vendors_by_id(ids: Iterable[str]) -> dict[str, Vendor]:
    """Return the catalog's records of some vendors, by id."""
    return catalog.vendors_by_id(db.session(), ids)
