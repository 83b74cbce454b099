"""Saved searches: drafts of requirement forms, and submitted searches with their shortlists."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendors.models import Search

DRAFT, SAVED = "draft", "saved"
MAX_SHORTLIST = 50


class SearchNotFound(LookupError):
    """No search has this id."""

    def __init__(self, search_id: str):
        super().__init__(search_id)
        self.search_id = search_id


def get_search(session: Session, search_id: str) -> Search:
    """Return the search with this id or raise SearchNotFound."""
    search = session.get(Search, search_id) if len(search_id) <= 24 else None
    if search is None:
        raise SearchNotFound(search_id)
    return search


def save_search(
    session: Session,
    *,
    owner_id: int | None,
    form: dict[str, Any],
    profile: dict[str, Any] | None,
    search_id: str | None = None,
) -> Search:
    """Keep a form as a draft (no profile) or a search (a valid profile); a new id if none."""
    search = Search(id=secrets.token_urlsafe(12), owner_id=owner_id, shortlist=[])
    if search_id is not None:
        search = get_search(session, search_id)
    search.form = form
    search.profile = profile
    search.status = DRAFT if profile is None else SAVED
    search.title = (str(form.get("title") or "").strip() or None) if form else None
    session.add(search)
    session.flush()
    return search


def list_searches(session: Session, owner_id: int, *, limit: int = 100) -> list[Search]:
    """Return a user's searches and drafts, the most recently changed first."""
    query = (
        select(Search)
        .where(Search.owner_id == owner_id)
        .order_by(Search.updated_at.desc(), Search.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def set_shortlist(session: Session, search: Search, vendor_ids: list[str]) -> None:
    """Replace a search's shortlist (order kept, repeats dropped, at most MAX_SHORTLIST)."""
    search.shortlist = list(dict.fromkeys(vendor_ids))[:MAX_SHORTLIST]
    session.flush()


def delete_search(session: Session, search: Search) -> None:
    """Forget a search or draft."""
    session.delete(search)
    session.flush()
