"""The requirement profile: validated once here for the API and the web form alike."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from matcher.engine.factors import FACTORS, NEEDS
from matcher.engine.geography import expand_places
from matcher.engine.knowledge import Geography, Knowledge
from matcher.engine.model import DELIVERY_MODELS, Budget, Requirement
from vendors.codes import UnknownCode, country_code, currency_code, language_code
from vendors.schema import Code, Text, TextList

COMPLEXITY_WORDS = {"low": 1, "medium": 3, "high": 5}
# BPO, KPO or any, in any case.
ENGAGEMENT_PATTERN = "^([Bb][Pp][Oo]|[Kk][Pp][Oo]|[Aa][Nn][Yy])$"


class Complexity(fields.Field[int]):
    """Task complexity: 1-5, or low / medium / high."""

    def __init__(self, **kwargs: Any):
        metadata = {
            "oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 5},
                {"type": "string", "enum": list(COMPLEXITY_WORDS)},
            ]
        }
        super().__init__(allow_none=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and value.strip().lower() in COMPLEXITY_WORDS:
            return COMPLEXITY_WORDS[value.strip().lower()]
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return value
        raise ValidationError("Use 1-5, or low, medium or high.")


class Places(TextList):
    """Countries (codes or names) and regions (e.g. Eastern Europe, LATAM, EU), read with the
    knowledge of the profile schema it belongs to."""

    def normalise_item(self, text: str) -> str:
        """Return a region's name or a country's code; raise UnknownCode."""
        schema = self.parent
        assert isinstance(schema, RequirementSchema), "a place list belongs to a profile"
        return _place(text, schema.knowledge.geography)


def _place(text: str, geography: Geography) -> str:
    region = geography.region(text)
    if region is not None:
        return region.name
    try:
        return country_code(text)
    except UnknownCode:
        raise UnknownCode(f"unknown country or region {text!r}") from None


def normalise_place(text: str, knowledge: Knowledge) -> str | None:
    """Return a region's name or a country's code for a place as typed, or None if unknown."""
    try:
        return _place(text, knowledge.geography)
    except UnknownCode:
        return None


def _engagement(text: str) -> str:
    value = text.strip()
    if value.upper() in ("BPO", "KPO"):
        return value.upper()
    if value.lower() == "any":
        return "any"
    raise UnknownCode(f"unknown engagement model {text!r}: use BPO, KPO or any")


class BudgetSchema(Schema):
    """The most the client pays per person-hour."""

    class Meta:
        unknown = RAISE

    max_rate = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(min=0, min_inclusive=False, max=1e6)
    )
    currency = Code(currency_code, load_default="USD")


def _services(description: str) -> TextList:
    # A correction of what the engine read from the profile's words.
    return TextList(
        metadata={"type": "array", "items": {"type": "string"}, "description": description}
    )


class RequirementSchema(Schema):
    """A client requirement profile, read with the matching knowledge it is given."""

    class Meta:
        unknown = RAISE

    def __init__(self, knowledge: Knowledge, **kwargs: Any):
        super().__init__(**kwargs)
        self.knowledge = knowledge

    title = Text(max_length=200)
    description = Text(max_length=5000, collapse=False)
    complexity = Complexity()
    engagement_model = Code(_engagement, metadata={"type": "string", "pattern": ENGAGEMENT_PATTERN})
    skills = TextList()
    preferred_skills = TextList()
    client_country = Code(country_code)
    delivery = fields.List(fields.String(validate=validate.OneOf(DELIVERY_MODELS)), allow_none=True)
    countries = Places()
    exclude_countries = Places()
    languages = TextList(normalise=language_code)
    budget = fields.Nested(BudgetSchema, allow_none=True)
    team_size = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    certifications = TextList()
    qualifications = TextList()
    industry = Text(max_length=200)
    hard_constraints = fields.List(fields.String(validate=validate.OneOf(FACTORS)), allow_none=True)
    weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(FACTORS)),
        values=fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1e6)),
        allow_none=True,
    )
    limit = fields.Integer(load_default=10, strict=True, validate=validate.Range(min=1, max=100))
    min_confidence = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "show only vendors whose score rests on at least this share (0-1) "
            "of the weight's known data"
        },
    )
    min_score = fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "show only vendors scoring at least this (0-100)"},
    )
    max_per_country = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=100),
        metadata={
            "description": "at most this many results whose best delivery country is the same"
        },
    )
    add_services = _services(
        "services (names, aliases or codes) the profile's words ask for but the engine missed: "
        "taken as read from the description"
    )
    ignore_services = _services(
        "services (names, aliases or codes) the engine misread from this profile's words: "
        "never read from them again"
    )

    @validates_schema
    def check_consistency(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        """Require skills or a description, and the input every hard constraint needs."""
        errors: dict[str, Any] = {}
        budget = data.get("budget")
        currency = (budget or {}).get("currency") or "USD"
        if budget and currency not in self.knowledge.per_usd:
            errors["budget"] = {"currency": [f"No exchange rate is known for {currency}."]}
        if not data.get("skills") and not data.get("description"):
            errors["skills"] = ["Give the skills needed, a description of the work, or both."]
        if data.get("delivery") and not data.get("client_country"):
            errors["client_country"] = ["Needed to tell onshore, nearshore and offshore apart."]
        missing = [
            name
            for name in data.get("hard_constraints") or ()
            if name in NEEDS and not any(data.get(field) for field in NEEDS[name])
        ]
        if missing:
            errors["hard_constraints"] = [
                f"{name} is a hard constraint, but the profile does not say what it requires"
                for name in missing
            ]
        weights = data.get("weights") or {}
        if set(weights) == set(FACTORS) and not any(weights.values()):
            errors["weights"] = ["At least one factor needs a weight above 0."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def to_requirement(self, data: dict[str, Any], **kwargs: Any) -> Requirement:
        """Build the engine's requirement, with regions expanded into countries."""
        geography = self.knowledge.geography
        budget = data.get("budget")
        return Requirement(
            title=data.get("title"),
            description=data.get("description"),
            complexity=data.get("complexity"),
            engagement_model=data.get("engagement_model"),
            skills=tuple(data.get("skills") or ()),
            preferred_skills=tuple(data.get("preferred_skills") or ()),
            client_country=data.get("client_country"),
            delivery=tuple(dict.fromkeys(data.get("delivery") or ())),
            places=expand_places(geography, data["countries"]) if data.get("countries") else None,
            excluded_places=expand_places(geography, data.get("exclude_countries") or ()),
            languages=tuple(data.get("languages") or ()),
            budget=Budget(budget["max_rate"], budget.get("currency") or "USD") if budget else None,
            team_size=data.get("team_size"),
            certifications=tuple(data.get("certifications") or ()),
            qualifications=tuple(data.get("qualifications") or ()),
            industry=data.get("industry"),
            hard_constraints=frozenset(data.get("hard_constraints") or ()),
            weights=tuple(sorted((data.get("weights") or {}).items())),
            limit=data.get("limit", 10),
            min_confidence=data.get("min_confidence"),
            min_score=data.get("min_score"),
            max_per_country=data.get("max_per_country"),
            add_services=tuple(data.get("add_services") or ()),
            ignore_services=tuple(data.get("ignore_services") or ()),
        )


@cache
def requirement_schema(knowledge: Knowledge) -> RequirementSchema:
    """Return the profile schema of one knowledge (built once: a schema costs to build)."""
    return RequirementSchema(knowledge)


def load_requirement(profile: Mapping[str, Any], knowledge: Knowledge) -> Requirement:
    """Validate a profile and return the engine's requirement; raise ValidationError."""
    requirement: Requirement = requirement_schema(knowledge).load(profile)
    return requirement
