"""Suggestions while typing a skill, certification or qualification."""

from __future__ import annotations

import pytest

from matcher.engine.resolve import suggest
from tests.engine.builders import knowledge


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("payr", "Payroll processing"),
        ("cust supp", "Customer support"),
        ("custmer support", "Customer support"),  # a typo
        ("F&A", "F&A back office"),
        ("lohn", "Payroll processing"),  # the German name
    ],
)
def test_a_service_is_suggested_from_its_first_letters_or_a_misspelling(
    typed: str, first: str
) -> None:
    assert suggest(knowledge().services, typed)[0] == first


def test_suggestions_use_the_vocabulary_asked_for() -> None:
    assert suggest(knowledge().certifications, "iso 27")[0].startswith("ISO/IEC 27")
    assert "Chartered Financial Analyst (CFA)" in suggest(knowledge().qualifications, "cfa")


def test_each_entry_is_offered_once_and_the_limit_holds() -> None:
    names = suggest(knowledge().services, "data", limit=5)

    assert len(names) == 5
    assert len(set(names)) == 5
    assert all("Data" in name or "data" in name for name in names[:5])


@pytest.mark.parametrize("typed", ["", "   ", "zzqxv", "iso"])
def test_nothing_unlike_any_service_is_offered(typed: str) -> None:
    assert suggest(knowledge().services, typed) == []
