"""The catalog index holder never builds an index from a catalog that changed while it was read."""

from __future__ import annotations

from itertools import count

import pytest
from flask import Flask

from matcher import db, matching


def test_a_catalog_that_keeps_changing_is_refused_rather_than_read_mixed(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    revisions = count()
    monkeypatch.setattr(matching, "catalog_revision", lambda _session: next(revisions))

    with app.app_context(), pytest.raises(matching.CatalogChurning):
        matching.index_holder().current(db.session())


def test_a_churning_catalog_keeps_the_last_whole_index(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        holder = matching.index_holder()
        whole = holder.current(db.session())
        revisions = count(100)
        monkeypatch.setattr(matching, "catalog_revision", lambda _session: next(revisions))

        assert holder.current(db.session()) is whole
