"""The catalog index holder reads every vendor as stored, and never builds an index from a catalog
that changed while it was read."""

from __future__ import annotations

from itertools import count

import pytest
from flask import Flask

from matcher import db, matching
from tests.factories import vendor
from vendors.catalog import create_vendor
from vendors.schema import load_record


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


def test_the_index_reads_every_vendor_as_stored_whatever_its_text(app: Flask) -> None:
    # The list columns are parsed a batch at a time from their JSON text: quotes, commas,
    # brackets, backslashes, non-Latin text and missing lists must all come back as stored.
    awkward = [
        vendor(
            "quotes",
            services=['Data entry, "rush" jobs', "Back office [24/7]"],
            languages=["es", "de"],
            certifications=["ISO 27001", 'C:\\path "x"'],
        ),
        vendor("unicode", name="Ōsaka Ūnion Services", services=["Контакт-центр", "客户支持"]),
        vendor("sparse", services=["Payroll"], certifications=[], qualifications=None),
    ]
    with app.app_context():
        session = db.session()
        for record in awkward:
            create_vendor(session, load_record(record))
        session.commit()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(matching, "READ_BATCH", 2)  # more than one batch
            rows = {row.id: row for row in matching.vendor_rows(session)}
    expected = {record["id"]: matching.vendor_row(load_record(record)) for record in awkward}
    assert rows == expected
    assert rows["quotes"].services == ('Data entry, "rush" jobs', "Back office [24/7]")
    assert rows["unicode"].services == ("Контакт-центр", "客户支持")
    assert rows["sparse"].qualifications == ()
