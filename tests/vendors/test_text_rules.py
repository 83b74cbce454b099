"""Text that reads other than it shows is refused or cleaned: invisible names, direction
overrides, websites that are not web addresses, JSON objects with a key given twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import vendor
from vendors.importing import import_catalog
from vendors.models import Vendor
from vendors.schema import load_record

INVISIBLE_NAMES = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, non-joiner, joiner, word joiner, BOM
    " \u200b \u00ad ",  # with spaces and a soft hyphen
    "\u2800\u3164\u115f\uffa0",  # braille blank and Hangul fillers: letters that show nothing
    "\ufe0f\u034f\u180e",  # a variation selector, a grapheme joiner, a vowel separator
    "\U000e0041\U000e0063\U000e006d\U000e0065",  # tag characters spelling "Acme"
]
DIRECTION_CONTROLS = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def errors_of(raw: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        load_record(raw)
    messages: dict[str, Any] = caught.value.messages  # type: ignore[assignment]
    return messages


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_made_only_of_invisible_characters_is_refused_as_blank(name: str) -> None:
    assert errors_of(vendor(name=name)) == {"name": ["May not be blank."]}


@pytest.mark.parametrize("text", INVISIBLE_NAMES)
def test_other_invisible_only_text_is_unknown_like_blank_text(text: str) -> None:
    record = load_record(vendor(description=text, industries=[text], services=[text, "Payroll"]))

    assert (record["description"], record["industries"], record["services"]) == (
        None,
        None,
        ["Payroll"],
    )


def test_invisible_characters_within_visible_text_are_kept() -> None:
    # Joiners shape Persian and Indic words and emoji; they are not removed from real text.
    name = "Mehr\u200cAfarin \u0928\u094d\u200d\u092f Support \U0001f469\u200d\U0001f4bb"

    assert load_record(vendor(name=name))["name"] == name


@pytest.mark.parametrize("control", DIRECTION_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Acme {} BPO"),
        ("description", "Inbound support{}"),
        ("services", ["Payroll", "{}Data entry"]),
        ("industries", ["Retail{}"]),
        ("hq_country", "{}PH"),
        ("website", "https://acme.example/{}"),
    ],
)
def test_direction_overrides_are_refused_in_every_text(
    control: str, field: str, value: Any
) -> None:
    text = [item.format(control) for item in value] if isinstance(value, list) else value
    if isinstance(text, str):
        text = text.format(control)

    record = vendor()
    record[field] = text
    messages = errors_of(record)

    assert list(messages) == [field]
    assert "direction" in str(messages[field])


def test_marks_that_only_set_a_direction_are_kept() -> None:
    # The right-to-left and left-to-right marks order neutral characters; they override nothing.
    name = "\u05e9\u05d9\u05e8\u05d5\u05ea \u05dc\u05e7\u05d5\u05d7\u05d5\u05ea\u200f (IL)\u200e"

    assert load_record(vendor(name=name))["name"] == name


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.acme.example",
        "mailto:sales@acme.example",
        "file:///etc/passwd",
        "https://",
        "https://user:secret@acme.example",
        "https://acme.example@evil.example",
        "https://acme .example",
        "//acme.example",
        "acme",
        "acme.example:8080",
        "https://acme.example\u200b/",
    ],
)
def test_a_website_that_is_not_an_http_address_is_refused(website: str) -> None:
    messages = errors_of(vendor(website=website))

    assert list(messages) == ["website"]
    assert "http" in str(messages["website"])


@pytest.mark.parametrize(
    ("website", "stored"),
    [
        ("https://acme.example/about?team=cx#top", "https://acme.example/about?team=cx#top"),
        ("HTTP://ACME.EXAMPLE:8080", "HTTP://ACME.EXAMPLE:8080"),
        ("  https://acme.example  ", "https://acme.example"),
        ("https://m\u00fcller-services.example", "https://m\u00fcller-services.example"),
        ("www.acme.example", "https://www.acme.example"),
        ("acme.example/contact", "https://acme.example/contact"),
        ("", None),
    ],
)
def test_a_web_address_is_kept_and_a_bare_host_name_becomes_https(
    website: str, stored: str | None
) -> None:
    assert load_record(vendor(website=website))["website"] == stored


def _import(session: Session, path: Path) -> list[tuple[int | None, str | None, str]]:
    report = import_catalog(session, path, on_error="skip")
    session.commit()
    return [(error.row, error.field, error.message) for error in report.errors]


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_a_catalog_record_with_a_key_given_twice_is_a_rejected_row(
    session: Session, tmp_path: Path, suffix: str
) -> None:
    twice = '{"id": "acme-bpo", "name": "Acme BPO", "tags": ["BPO"], "name": "Evil Twin"}'
    good = '{"id": "good-one", "name": "Good One", "tags": ["KPO"]}'
    path = tmp_path / f"catalog.{suffix}"
    text = f"[{good}, {twice}]" if suffix == "json" else f"{good}\n{twice}\n"
    path.write_text(text, encoding="utf-8")

    errors = _import(session, path)

    assert [(row, field) for row, field, _ in errors] == [(2, "name")]
    assert "twice" in errors[0][2]
    assert list(session.scalars(select(Vendor.id))) == ["good-one"]


def test_a_key_given_twice_deeper_in_a_json_record_is_found_too(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(
        '[{"id": "a-b", "name": "A", "tags": ["BPO"], "services": [{"x": 1, "x": 2}]}]',
        encoding="utf-8",
    )

    assert [(row, field) for row, field, _ in _import(session, path)] == [(1, "x")]
