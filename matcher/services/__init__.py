"""The service layer: one module per use case, each owning its transaction.

The API, the pages, the command line and the job worker call these and only translate in and
out: they read the request, call one service function and answer with what it returned. A
service function commits when its work is done and rolls back when it fails, so no entry point
commits, and the catalog (`vendors`) never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from matcher import db


@contextmanager
def transaction() -> Iterator[Session]:
    """Give the request's session; commit it when the block ends, roll it back if it fails."""
    session = db.session()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
