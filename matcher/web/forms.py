"""The requirement form: its fields as typed, turned into the API's profile and back.

The form is validated by the API's own schema (matcher/profiles.py); this module only moves
values between the two shapes and puts the schema's messages next to the right inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from matcher.engine.factors import FACTORS
from matcher.engine.knowledge import Knowledge
from matcher.engine.model import DELIVERY_MODELS

MAX_FIELD = 5000
MAX_CHOICES = 300
# Typed lists: one item per line, or separated by semicolons or commas.
LIST_FIELDS = (
    "skills",
    "preferred_skills",
    "languages",
    "certifications",
    "qualifications",
    "add_services",
    "ignore_services",
)
CHOICE_FIELDS = ("countries", "exclude_countries", "delivery", "hard_constraints")
TEXT_FIELDS = ("title", "description", "industry", "client_country", "engagement_model")
NUMBER_FIELDS = (
    "complexity",
    "team_size",
    "limit",
    "min_confidence",
    "min_score",
    "max_per_country",
)
BUDGET_FIELDS = ("budget_max_rate", "budget_currency")
WEIGHT_PREFIX = "weight_"
_SEPARATORS = re.compile(r"[\n;]+")
_INTEGER = re.compile(r"^[+-]?\d{1,9}$")
_DECIMAL = re.compile(r"^[+-]?(\d{1,12}([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a select or a group of checkboxes."""

    value: str
    label: str


def weight_field(factor: str) -> str:
    """Return the form field that holds a factor's weight."""
    return WEIGHT_PREFIX + factor


def single_fields() -> tuple[str, ...]:
    """Return every field that holds one value."""
    weights = tuple(weight_field(factor) for factor in FACTORS)
    return (*TEXT_FIELDS, *LIST_FIELDS, *NUMBER_FIELDS, *BUDGET_FIELDS, *weights)


def read_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """Return the form's fields as typed (bounded in size), for drafts and for showing again."""
    values: dict[str, Any] = {name: form.get(name, "")[:MAX_FIELD] for name in single_fields()}
    for name in CHOICE_FIELDS:
        values[name] = [value[:200] for value in form.getlist(name)[:MAX_CHOICES] if value]
    return values


def split_items(text: str, knowledge: Knowledge) -> list[str]:
    """Split a typed list into items; a comma inside a known name does not split it."""
    items: list[str] = []
    for chunk in _SEPARATORS.split(text):
        parts = [part.strip() for part in chunk.split(",")]
        while parts:
            part = parts.pop(0)
            # "Finance, accounting and banking operations" is one taxonomy name.
            while parts and _known(knowledge, f"{part}, {parts[0]}"):
                part = f"{part}, {parts.pop(0)}"
            if part:
                items.append(part)
    return items


def _known(knowledge: Knowledge, text: str) -> bool:
    vocabularies = (
        knowledge.services,
        knowledge.categories,
        knowledge.certifications,
        knowledge.qualifications,
    )
    if any(vocabulary.exact(text) for vocabulary in vocabularies):
        return True
    # A prefix of a known name with a comma in it: keep reading the next part.
    lowered = text.lower()
    return any(
        entry.name.lower().startswith(lowered + ",")
        for vocabulary in vocabularies
        for entry in vocabulary.entries.values()
        if "," in entry.name
    )


def _number(text: str, *, integer: bool) -> Any:
    # A number goes to the schema as a number; anything else as typed, for the schema to refuse.
    cleaned = text.strip()
    if integer and _INTEGER.match(cleaned):
        return int(cleaned)
    if not integer and _DECIMAL.match(cleaned):
        return float(cleaned.replace(",", "."))
    return cleaned


def to_profile(values: Mapping[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    """Return the API's profile for the form's values; blank fields are left out."""
    profile: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if str(values.get(name, "")).strip():
            profile[name] = values[name]
    for name in LIST_FIELDS:
        items = split_items(str(values.get(name, "")), knowledge)
        if items:
            profile[name] = items
    for name in CHOICE_FIELDS:
        if values.get(name):
            profile[name] = list(values[name])
    complexity = str(values.get("complexity", "")).strip()
    if complexity:
        profile["complexity"] = _number(complexity, integer=True)
    for name in ("team_size", "limit", "max_per_country"):
        if str(values.get(name, "")).strip():
            profile[name] = _number(str(values[name]), integer=True)
    for name in ("min_confidence", "min_score"):
        if str(values.get(name, "")).strip():
            profile[name] = _number(str(values[name]), integer=False)
    if str(values.get("budget_max_rate", "")).strip():
        profile["budget"] = {
            "max_rate": _number(str(values["budget_max_rate"]), integer=False),
            "currency": str(values.get("budget_currency") or "USD"),
        }
    weights = {
        factor: _number(str(values.get(weight_field(factor), "")), integer=False)
        for factor in FACTORS
        if str(values.get(weight_field(factor), "")).strip()
    }
    if weights:
        profile["weights"] = weights
    return profile


def from_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form's values for a profile (a saved search's, a prospect's, a relaxed one)."""
    values: dict[str, Any] = dict.fromkeys(single_fields(), "")
    values.update({name: [] for name in CHOICE_FIELDS})
    for name in TEXT_FIELDS:
        values[name] = str(profile.get(name) or "")
    for name in LIST_FIELDS:
        values[name] = "; ".join(profile.get(name) or ())
    for name in CHOICE_FIELDS:
        values[name] = [str(item) for item in profile.get(name) or ()]
    for name in NUMBER_FIELDS:
        value = profile.get(name)
        values[name] = "" if value is None else str(value)
    budget = profile.get("budget") or {}
    if budget:
        values["budget_max_rate"] = f"{budget.get('max_rate', '')}"
        values["budget_currency"] = budget.get("currency") or "USD"
    for factor, weight in (profile.get("weights") or {}).items():
        values[weight_field(factor)] = f"{weight:g}" if isinstance(weight, float) else str(weight)
    return values


def field_errors(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Put the schema's messages under the form fields they belong to."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).extend(_flatten(message))

    for name, message in messages.items():
        if name == "budget" and isinstance(message, Mapping):
            for part, detail in message.items():
                add("budget_currency" if part == "currency" else "budget_max_rate", detail)
        elif name == "budget":
            add("budget_max_rate", message)
        elif name == "weights" and isinstance(message, Mapping):
            for factor, detail in message.items():
                target = weight_field(factor) if factor in FACTORS else "weights"
                add(target, detail)
        elif name in single_fields() or name in CHOICE_FIELDS or name == "weights":
            add(name, message)
        else:
            add("_form", message)
    return errors


def _flatten(message: Any, where: str = "") -> list[str]:
    # Item-level messages ({0: [...]}) name the item: "item 2: unknown language 'xx'".
    if isinstance(message, str):
        return [f"{where}{message}"]
    if isinstance(message, Mapping):
        found: list[str] = []
        for key, detail in message.items():
            # marshmallow files a dict's messages under "key" and "value": the field says which.
            label = "" if key in ("key", "value") else f"{key}: "
            if isinstance(key, int):
                label = f"item {key + 1}: "
            found.extend(_flatten(detail, where + label))
        return found
    return [text for item in message for text in _flatten(item, where)]


def delivery_choices() -> list[Choice]:
    """Return the delivery models."""
    return [Choice(model, model.capitalize()) for model in DELIVERY_MODELS]
