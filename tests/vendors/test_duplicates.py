"""Likely duplicate vendors are found by name, ignoring case, punctuation and legal form."""

import pytest

from vendors.duplicates import find_duplicates, name_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme BPO Ltd.", "ACME BPO Limited"),
        ("Vistula Data Sp. z o.o.", "Vistula Data"),
        ("Sierra Madre Servicios S.A. de C.V.", "Sierra Madre Servicios SA de CV"),
        ("Karoo Ledger (Pty) Ltd", "Karoo Ledger Pty. Ltd."),
        ("Mekong Data Sdn Bhd", "Mekong Data"),
        ("Smith & Rao Research", "Smith and Rao Research"),
    ],
)
def test_names_that_differ_by_legal_form_or_punctuation_share_a_key(
    first: str, second: str
) -> None:
    assert name_key(first) == name_key(second)


def test_the_same_name_under_two_ids_is_a_duplicate() -> None:
    found = find_duplicates([("acme-1", "Acme BPO Ltd."), ("acme-2", "ACME BPO Limited")])

    assert [duplicate.ids for duplicate in found] == [("acme-1", "acme-2")]
    assert "legal form" in found[0].reason


def test_nearly_the_same_name_is_a_duplicate() -> None:
    found = find_duplicates([("a", "Highveld Contact Centre"), ("b", "Highveld Contact Center")])

    assert [duplicate.ids for duplicate in found] == [("a", "b")]
    assert "% alike" in found[0].reason


def test_swapped_words_are_a_duplicate() -> None:
    found = find_duplicates([("a", "Andes Nearshore Support"), ("b", "Nearshore Andes Support")])

    assert [duplicate.ids for duplicate in found] == [("a", "b")]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Manila Contact Centre 1", "Manila Contact Centre 2"),
        ("Nova Data Services", "Nova Legal Services"),
        ("Deccan Equity Research", "Deccan Credit Research"),
    ],
)
def test_different_companies_with_similar_names_are_not_duplicates(first: str, second: str) -> None:
    assert find_duplicates([("a", first), ("b", second)]) == []


def test_a_duplicate_of_a_catalog_vendor_is_found() -> None:
    found = find_duplicates([("new", "Karoo Ledger Ltd")], [("old", "Karoo Ledger Limited")])

    assert [duplicate.ids for duplicate in found] == [("new", "old")]


def test_pairs_among_catalog_vendors_alone_are_not_this_imports_business() -> None:
    existing = [("old-1", "Karoo Ledger Ltd"), ("old-2", "Karoo Ledger Limited")]

    assert find_duplicates([("new", "Atacama Analytics")], existing) == []


def test_a_vendor_updated_under_its_own_id_is_not_its_own_duplicate() -> None:
    assert find_duplicates([("same", "Karoo Ledger Ltd")], [("same", "Karoo Ledger")]) == []


def test_a_typo_at_the_start_of_a_name_is_still_found_among_many() -> None:
    names = [(f"v{index}", word) for index, word in enumerate(FILLER)]
    names += [("a", "Highveldcontactcentre"), ("b", "Kighveldcontactcentre")]

    found = find_duplicates(names)

    assert ("a", "b") in [duplicate.ids for duplicate in found]


FILLER = [f"{first}{second}" for first in "HIJK" for second in ("ora", "eno", "ix", "ux")]
