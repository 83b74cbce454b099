"""The vendor record schema: validation and normalisation of one capability record."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from vendors.codes import UnknownCode, country_code, currency_code, language_code
from vendors.models import RECORD_FIELDS

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}\Z")
MAX_LIST_ITEMS = 200
MAX_ITEM_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
TAG_VALUES = ("BPO", "KPO")
_SPACES = re.compile(r"\s+")

Record = dict[str, Any]


def clean_text(value: str) -> str:
    """Collapse runs of white space and trim the ends."""
    return _SPACES.sub(" ", value).strip()


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
        text = super()._deserialize(value, attr, data, **kwargs)
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
        if not value.strip():
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
                problems.append(f"Not a valid string: {item!r}.")
                continue
            text = clean_text(item)
            if not text:
                continue
            if len(text) > MAX_ITEM_LENGTH:
                problems.append(f"An item is longer than {MAX_ITEM_LENGTH} characters.")
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


class WholeNumber(fields.Integer):
    """An integer that refuses fractions instead of truncating them."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.make_error("invalid") from None
        if not number.is_integer():
            raise self.make_error("invalid")
        return int(number)


class Amount(fields.Float):
    """A finite number at least zero."""

    def __init__(self, *, maximum: float | None = None, **kwargs: Any):
        super().__init__(
            allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=maximum), **kwargs
        )


class VendorRecordSchema(Schema):
    """One vendor capability record; loads into a canonical, normalised dict."""

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        validate=validate.Regexp(ID_PATTERN, error="Use 1-64 letters, digits, '.', '_' or '-'."),
    )
    name = Text(required=True, max_length=200, allow_none=False)
    tags = Tags(required=True, normalise=normalise_tag, allow_none=False)
    services = TextList()
    delivery_countries = TextList(normalise=country_code)
    hq_country = Code(country_code)
    languages = TextList(normalise=language_code)
    rate_min = Amount()
    rate_max = Amount()
    currency = Code(currency_code)
    headcount = WholeNumber(allow_none=True, validate=validate.Range(min=0))
    certifications = TextList()
    qualifications = TextList()
    industries = TextList()
    rating = Amount(maximum=5)
    review_count = WholeNumber(allow_none=True, validate=validate.Range(min=0))
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
