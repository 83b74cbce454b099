"""The vendor record schema: validation and normalisation of one capability record."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from vendors.codes import UnknownCode, country_code, currency_code, language_code
from vendors.models import RECORD_FIELDS

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}(?![\s\S])")  # ECMA-262 too: OpenAPI
# Ids the vendor routes use for themselves: /vendors/import and /vendors/export.
RESERVED_IDS = frozenset({"import", "export"})
MAX_LIST_ITEMS = 200
MAX_ITEM_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_COUNT = 2**31 - 1
TAG_VALUES = ("BPO", "KPO")
LIST_SEPARATOR = ";"
_SPACES = re.compile(r"\s+")
# Control characters other than tab and line breaks have no place in a catalog, and
# PostgreSQL cannot store NUL at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# One scan finds both: control characters and lone surrogates (not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

Record = dict[str, Any]


def clean_text(value: str) -> str:
    """Collapse runs of white space and trim the ends."""
    return _SPACES.sub(" ", value).strip()


def check_text(value: str) -> str:
    """Return the text if it is storable Unicode without control characters; else raise."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return value
    if _CONTROL.match(found.group()):
        raise ValidationError("Contains a control character.")
    raise ValidationError("Is not valid Unicode text.")


class Text(fields.String):
    """A trimmed string; blank counts as absent."""

    def __init__(
        self,
        *,
        max_length: int = MAX_ITEM_LENGTH,
        collapse: bool = True,
        allow_none: bool = True,
        **kwargs: Any,
    ):
        super().__init__(allow_none=allow_none, **kwargs)
        self.max_length = max_length
        self.collapse = collapse

    # Blank text is absent, so this returns None where String returns "".
    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> str | None:
        text = check_text(super()._deserialize(value, attr, data, **kwargs))
        text = clean_text(text) if self.collapse else text.strip()
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        if not text and not self.allow_none:
            raise ValidationError("May not be blank.")
        return text or None


class Code(fields.Field[str | None]):
    """One code normalised by a function such as `country_code`."""

    def __init__(self, normalise: Callable[[str], str], **kwargs: Any):
        kwargs.setdefault("metadata", {"type": "string"})
        super().__init__(allow_none=True, **kwargs)
        self.normalise = normalise

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        if not check_text(value).strip():
            return None
        try:
            return self.normalise(value)
        except UnknownCode as error:
            raise ValidationError(str(error)) from None


class TextList(fields.Field[list[str] | None]):
    """A list of strings: trimmed, blanks dropped, de-duplicated case-insensitively."""

    def __init__(
        self,
        normalise: Callable[[str], str] | None = None,
        *,
        allow_none: bool = True,
        **kwargs: Any,
    ):
        kwargs.setdefault("metadata", {"type": "array", "items": {"type": "string"}})
        super().__init__(allow_none=allow_none, **kwargs)
        self.normalise = normalise

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> list[str] | None:
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        items: list[str] = []
        seen: set[str] = set()
        problems: list[str] = []
        for item in value:
            if not isinstance(item, str):
                problems.append(f"Items must be strings, not {type(item).__name__}.")
                continue
            try:
                text = clean_text(check_text(item))
            except ValidationError as error:
                problems.append(str(error))
                continue
            if not text:
                continue
            if len(text) > MAX_ITEM_LENGTH:
                problems.append(f"An item is longer than {MAX_ITEM_LENGTH} characters.")
                continue
            if LIST_SEPARATOR in text:
                problems.append(f"Items may not contain {LIST_SEPARATOR!r}: it separates items.")
                continue
            if self.normalise is not None:
                try:
                    text = self.normalise(text)
                except UnknownCode as error:
                    problems.append(str(error))
                    continue
            key = text.casefold()
            if key not in seen:
                seen.add(key)
                items.append(text)
        if problems:
            raise ValidationError(problems)
        if len(items) > MAX_LIST_ITEMS:
            raise ValidationError(f"More than {MAX_LIST_ITEMS} items.")
        return items or None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def normalise_tag(value: str) -> str:
    """Return `BPO` or `KPO` for a tag in any case."""
    tag = value.upper()
    if tag not in TAG_VALUES:
        raise UnknownCode(f"unknown tag {value!r}: use BPO, KPO or both")
    return tag


class Tags(TextList):
    """BPO and/or KPO, case-insensitive, `both` meaning both; stored in that order."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, list):
            value = [tag for item in value for tag in (TAG_VALUES if _is_both(item) else (item,))]
        tags = super()._deserialize(value, attr, data, **kwargs)
        if not tags:
            raise ValidationError("At least one of BPO, KPO is required.")
        return [tag for tag in TAG_VALUES if tag in tags]


def _is_both(item: Any) -> bool:
    return isinstance(item, str) and item.strip().casefold() == "both"


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


class WholeNumber(fields.Integer):
    """A count from 0 to 2^31-1 that refuses fractions instead of truncating them."""

    def __init__(self, **kwargs: Any):
        super().__init__(allow_none=True, validate=validate.Range(min=0, max=MAX_COUNT), **kwargs)

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        """Read blank text as absent, then as a number."""
        return super().deserialize(None if _blank(value) else value, attr, data, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise self.make_error("invalid") from None
        if not number.is_integer():
            raise self.make_error("invalid")
        return int(number)


class Amount(fields.Float):
    """A finite number at least zero; blank text is absent."""

    def __init__(self, *, maximum: float | None = None, **kwargs: Any):
        super().__init__(
            allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=maximum), **kwargs
        )

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        """Read blank text as absent, then as a number."""
        return super().deserialize(None if _blank(value) else value, attr, data, **kwargs)


def id_field(*, required: bool) -> fields.String:
    """Return the field of a vendor id: the catalog's own key."""
    return fields.String(
        required=required,
        validate=[
            validate.Regexp(ID_PATTERN, error="Use 1-64 letters, digits, '.', '_' or '-'."),
            validate.NoneOf(RESERVED_IDS, error="This id is reserved by the API's routes."),
        ],
    )


class VendorRecordSchema(Schema):
    """One vendor capability record; loads into a canonical, normalised dict."""

    class Meta:
        unknown = RAISE

    id = id_field(required=True)
    name = Text(required=True, max_length=200, allow_none=False)
    tags = Tags(required=True, normalise=normalise_tag, allow_none=False)
    services = TextList()
    delivery_countries = TextList(normalise=country_code)
    hq_country = Code(country_code)
    languages = TextList(normalise=language_code)
    rate_min = Amount()
    rate_max = Amount()
    currency = Code(currency_code)
    headcount = WholeNumber()
    certifications = TextList()
    qualifications = TextList()
    industries = TextList()
    rating = Amount(maximum=5)
    review_count = WholeNumber()
    description = Text(max_length=MAX_TEXT_LENGTH, collapse=False)
    website = Text(max_length=500)

    @validates_schema
    def check_rate_band(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        """Refuse a rate band whose minimum lies above its maximum."""
        low, high = data.get("rate_min"), data.get("rate_max")
        if low is not None and high is not None and low > high:
            raise ValidationError(f"Must be at least rate_min ({low:g}).", "rate_max")


def canonical(data: Mapping[str, Any]) -> Record:
    """Return a record with every field, None where unknown and USD as default currency."""
    record = {field: data.get(field) for field in RECORD_FIELDS}
    if record["currency"] is None:
        record["currency"] = "USD"
    return record


RECORD_SCHEMA = VendorRecordSchema()


def load_record(raw: Mapping[str, Any]) -> Record:
    """Validate one raw record and return it canonical; raise ValidationError."""
    return canonical(RECORD_SCHEMA.load(raw))
