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
# Character classes, written so that Python and ECMA-262 (the OpenAPI document's patterns) read
# them alike. Control characters other than tab and line breaks have no place in a catalog, and
# PostgreSQL cannot store NUL at all.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# What Python's str.strip() removes, less the control characters refused anyway.
SPACES = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Direction overrides, embeddings and isolates reorder the text around them as it is shown, so
# that what a reader sees is not what is stored ("Trojan Source"); no catalog text needs them.
# The marks U+200E and U+200F only give neutral characters a direction, and are kept.
DIRECTION_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
# Characters that show nothing (besides the direction controls, refused anyway): soft hyphen,
# zero-width spaces and joiners, direction marks, fillers that are letters in name only,
# variation selectors, invisible operators. Inside visible text they are kept (joiners shape
# Persian and Indic words and emoji); text of nothing else is blank.
INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2065"
    r"\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
# The same beyond the Basic Multilingual Plane (tag characters, musical and hieroglyph format
# controls, more selectors): a pattern in the OpenAPI document cannot name these alike.
_INVISIBLE_ASTRAL = (
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_DIRECTION = re.compile(f"[{DIRECTION_CONTROLS}]")
# One scan finds them all: control characters, direction overrides and lone surrogates (not
# encodable as UTF-8).
_UNSTORABLE = re.compile(f"[{CONTROL_CHARACTERS}{DIRECTION_CONTROLS}\ud800-\udfff]")
_BLANK = re.compile(f"[\\s{INVISIBLE}{_INVISIBLE_ASTRAL}]*")
# A website: an http(s) address with a host, or a bare host name such as www.acme.example,
# which is taken as https. No spaces or invisible characters, no user name or password.
_NOT_IN_URLS = f"{CONTROL_CHARACTERS}{DIRECTION_CONTROLS}{SPACES}{INVISIBLE}"
_URL_CHARACTER = f"[^{_NOT_IN_URLS}]"
_HOST_PART = f"[^{_NOT_IN_URLS}/?#@:.\\[\\]\\\\]+"
_REST = f"(?:[/?#]{_URL_CHARACTER}*)?"
WEB_ADDRESS = f"[Hh][Tt][Tt][Pp][Ss]?://{_HOST_PART}(?:\\.{_HOST_PART})*(?::[0-9]{{1,5}})?{_REST}"
BARE_HOST = f"{_HOST_PART}(?:\\.{_HOST_PART})+{_REST}"
_WEB_ADDRESS, _BARE_HOST = re.compile(WEB_ADDRESS), re.compile(BARE_HOST)
HTTPS = "https://"
MAX_WEBSITE_LENGTH = 500
MAX_BARE_HOST_LENGTH = MAX_WEBSITE_LENGTH - len(HTTPS)

Record = dict[str, Any]


def clean_text(value: str) -> str:
    """Collapse runs of white space and trim the ends."""
    return _SPACES.sub(" ", value).strip()


def is_blank(value: str) -> bool:
    """Say whether text shows nothing: only spaces and invisible characters, or none."""
    return _BLANK.fullmatch(value) is not None


def check_text(value: str) -> str:
    """Return the text if it is storable Unicode that shows as stored; else raise."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return value
    if _CONTROL.match(found.group()):
        raise ValidationError("Contains a control character.")
    if _DIRECTION.match(found.group()):
        raise ValidationError(
            f"Contains a direction override (U+{ord(found.group()):04X}), which shows the "
            "text in another order than it is stored."
        )
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
        if is_blank(text):
            text = ""
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        if not text and not self.allow_none:
            raise ValidationError("May not be blank.")
        return text or None


class Website(Text):
    """A web address: http or https, with a host; a bare host name is taken as https."""

    def __init__(self, **kwargs: Any):
        super().__init__(max_length=MAX_WEBSITE_LENGTH, **kwargs)

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None or _WEB_ADDRESS.fullmatch(text):
            return text
        if _BARE_HOST.fullmatch(text):
            if len(text) > MAX_BARE_HOST_LENGTH:
                raise ValidationError(f"Longer than {MAX_WEBSITE_LENGTH} characters with https://.")
            return HTTPS + text
        raise ValidationError(
            "Give a web address: http:// or https:// and a host name, e.g. https://acme.example."
        )


class Code(fields.Field[str | None]):
    """One code normalised by a function such as `country_code`."""

    def __init__(self, normalise: Callable[[str], str], **kwargs: Any):
        kwargs.setdefault("metadata", {"type": "string"})
        super().__init__(allow_none=True, **kwargs)
        self.normalise = normalise

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        if is_blank(check_text(value)):
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
            if is_blank(text):
                continue
            if len(text) > MAX_ITEM_LENGTH:
                problems.append(f"An item is longer than {MAX_ITEM_LENGTH} characters.")
                continue
            if LIST_SEPARATOR in text:
                problems.append(f"Items may not contain {LIST_SEPARATOR!r}: it separates items.")
                continue
            try:
                text = self.normalise_item(text)
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

    def normalise_item(self, text: str) -> str:
        """Return one item in its stored form (a code for a country, say); raise UnknownCode."""
        return text if self.normalise is None else self.normalise(text)

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
    website = Website()

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
