"""Outcomes from the pages: recorded on a search's shortlist or a prospect, shown on vendors."""

from __future__ import annotations

from flask import abort, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from matcher.auth import current_actor
from matcher.edge.outcome_schema import OutcomeIn
from matcher.services import outcomes as recording
from matcher.web import bp
from matcher.web.searches import may_open, readable_search
from vendors import outcomes
from vendors.catalog import VendorNotFound

OUTCOME_FORM = OutcomeIn()
DRAFT = "outcome_draft"
# The longest note kept for a refused form (the schema refuses longer ones).
MAX_NOTE = 2000


@bp.post("/outcomes")
def record_outcome() -> ResponseReturnValue:
    """Record an outcome from a form on a shortlist or a prospect page, then go back there."""
    form = request.form
    search_id, prospect_id = form.get("search_id") or None, form.get("prospect_id") or None
    if search_id is not None:
        # Read as its page reads it: a search shared by its permalink, a draft its owner's.
        readable_search(search_id)
        back = url_for("web.shortlist", search_id=search_id) + "#outcomes"
    elif prospect_id is not None and prospect_id.isdigit():
        if not may_open("web.prospect"):
            abort(403, "Only those who see prospects may record outcomes for them.")
        back = url_for("web.prospect", prospect_id=int(prospect_id)) + "#outcomes"
    else:
        abort(400, "Say which search or prospect the outcome is for.")
    rating = (form.get("rating") or "").strip()
    given = {
        "vendor_id": (form.get("vendor_id") or "").strip(),
        "stage": form.get("stage") or "",
        "search_id": search_id,
        "prospect_id": int(prospect_id) if prospect_id else None,
        "rating": rating.replace(",", ".") if rating else None,
        "note": form.get("note") or None,
    }
    try:
        data = OUTCOME_FORM.load(given)
        recording.record(**data, actor=current_actor())
    except (
        ValidationError,
        outcomes.OutcomeRefused,
        outcomes.OutcomeConflict,
        VendorNotFound,
    ) as error:
        flash(f"Not recorded: {_reason(error)}", "error")
        # What was typed comes back in the form, so nothing is lost to a mistake.
        session[DRAFT] = {
            "for": search_id or prospect_id,
            "vendor_id": given["vendor_id"],
            "stage": given["stage"],
            "rating": rating,
            "note": (form.get("note") or "")[:MAX_NOTE],
        }
        return redirect(back)
    flash(f"Recorded: {given['vendor_id']} {given['stage']}.", "success")
    return redirect(back)


def outcome_draft(page_for: str | int) -> dict[str, str] | None:
    """Return (once) what was typed in an outcome form that was refused on this page."""
    if DRAFT not in session:
        return None  # reading the session does not rewrite its cookie; popping would
    draft: dict[str, str] | None = session.pop(DRAFT, None)
    if draft is None or str(draft.get("for")) != str(page_for):
        return None
    return draft


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return _first(error.messages)
    if isinstance(error, outcomes.OutcomeRefused):
        return error.message
    if isinstance(error, VendorNotFound):
        return f"no vendor has the id {error.vendor_id!r}."
    return str(error)


def _first(messages: object) -> str:
    # The first message of a marshmallow error, with the field it is about.
    if isinstance(messages, dict):
        for field, value in messages.items():
            return f"{field.replace('_', ' ')}: {_first(value)}"
    if isinstance(messages, list) and messages:
        return _first(messages[0])
    return str(messages)
