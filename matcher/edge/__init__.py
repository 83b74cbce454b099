"""The edge both entry points share: error answers, result serialisation, shared request schemas.

The API (`matcher.api`) and the pages (`matcher.web`) import from here and never from each other.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Answer every error, from the API and the pages alike, through one mapping."""
    from matcher.edge import errors

    errors.init_app(app)
