"""A vendor record is validated and normalised on the way in."""

from typing import Any

import pytest
from marshmallow import ValidationError

from tests.factories import vendor
from vendors.schema import load_record


def errors_of(raw: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        load_record(raw)
    messages: dict[str, Any] = caught.value.messages  # type: ignore[assignment]
    return messages


def test_a_complete_record_loads_with_codes_normalised() -> None:
    record = load_record(
        vendor(delivery_countries=["Philippines", "IND"], languages=["English", "Tagalog"])
    )
    assert record["delivery_countries"] == ["PH", "IN"]
    assert record["languages"] == ["en", "tl"]
    assert record["currency"] == "USD"


def test_absent_optional_fields_are_unknown_not_zero() -> None:
    record = load_record({"id": "x1", "name": "Lean Vendor", "tags": ["KPO"]})
    assert record["rate_min"] is None
    assert record["headcount"] is None
    assert record["services"] is None


def test_lists_are_trimmed_and_deduplicated_case_insensitively() -> None:
    record = load_record(vendor(services=[" Data entry ", "data  entry", "", "Payroll"]))
    assert record["services"] == ["Data entry", "Payroll"]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [(["kpo"], ["KPO"]), (["both"], ["BPO", "KPO"]), (["KPO", "bpo"], ["BPO", "KPO"])],
)
def test_tags_are_case_insensitive_and_both_means_both(
    tags: list[str], expected: list[str]
) -> None:
    assert load_record(vendor(tags=tags))["tags"] == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "has space", "letters, digits"),
        ("id", "x" * 65, "letters, digits"),
        ("tags", ["ITO"], "unknown tag"),
        ("tags", [], "At least one"),
        ("rate_min", -1, "greater than or equal to 0"),
        ("rating", 5.5, "less than or equal to 5"),
        ("headcount", 12.5, "Not a valid integer"),
        ("headcount", True, "Not a valid integer"),
        ("delivery_countries", ["Atlantis"], "unknown country"),
        ("languages", ["Elvish"], "unknown language"),
        ("currency", "DOLLARS", "unknown currency"),
        ("services", "Payroll", "Not a valid list"),
        ("name", "   ", "blank"),
    ],
)
def test_bad_values_are_refused_with_a_message_on_their_field(
    field: str, value: Any, message: str
) -> None:
    assert message in str(errors_of(vendor(**{field: value}))[field])


def test_a_rate_band_upside_down_is_refused() -> None:
    assert "rate_max" in errors_of(vendor(rate_min=30, rate_max=20))


def test_unknown_fields_are_refused_not_dropped() -> None:
    assert errors_of(vendor(fax="+1 555"))["fax"] == ["Unknown field."]


def test_every_bad_field_is_reported_at_once() -> None:
    assert set(errors_of(vendor(rating=9, currency="DOL", headcount=-2))) == {
        "rating",
        "currency",
        "headcount",
    }


def test_numbers_given_as_text_are_read() -> None:
    record = load_record(vendor(rate_min="12.5", rate_max="20", headcount="300"))
    assert (record["rate_min"], record["rate_max"], record["headcount"]) == (12.5, 20.0, 300)
