"""Small builders of engine input, and one-line ways to ask the engine about it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from matcher.engine.fit import fit
from matcher.engine.geography import expand_places
from matcher.engine.index import build_index
from matcher.engine.knowledge import Knowledge, load_knowledge
from matcher.engine.model import Budget, FactorScore, RankedVendor, Ranking, Requirement, VendorRow
from matcher.engine.rank import rank
from matcher.engine.reading import Reading, read


@cache
def knowledge() -> Knowledge:
    """Return the shipped matching knowledge, read once per test run."""
    return load_knowledge()


def vendor(vendor_id: str = "acme-bpo", **overrides: Any) -> VendorRow:
    """Return a vendor with every field known; keyword arguments override fields."""
    fields: dict[str, Any] = {
        "id": vendor_id,
        "name": f"{vendor_id.replace('-', ' ').title()} Services",
        "tags": ("BPO",),
        "services": ("Customer support", "Data entry"),
        "delivery_countries": ("PH",),
        "hq_country": "PH",
        "languages": ("en", "tl"),
        "rate_min": 9.0,
        "rate_max": 14.0,
        "currency": "USD",
        "headcount": 450,
        "certifications": ("ISO 27001",),
        "qualifications": ("BCom",),
        "industries": ("Retail",),
        "rating": 4.4,
        "review_count": 38,
    }
    fields.update({name: _tuple(value) for name, value in overrides.items()})
    return VendorRow(**fields)


def requirement(**fields: Any) -> Requirement:
    """Return a requirement written as a profile would be: lists, place names, a plain budget.

    `countries` and `exclude_countries` take country codes and region names; `budget` takes a
    rate in USD or a (rate, currency) pair; everything else is a Requirement field.
    """
    geography = knowledge().geography
    if "countries" in fields:
        fields["places"] = expand_places(geography, fields.pop("countries"))
    if "exclude_countries" in fields:
        fields["excluded_places"] = expand_places(geography, fields.pop("exclude_countries"))
    money = fields.pop("budget", None)
    if money is not None:
        fields["budget"] = Budget(*money) if isinstance(money, tuple) else Budget(money)
    fields["hard_constraints"] = frozenset(fields.pop("hard_constraints", ()))
    fields["weights"] = tuple(sorted(fields.pop("weights", {}).items()))
    return Requirement(**{name: _tuple(value) for name, value in fields.items()})


def reading(profile: Requirement) -> Reading:
    """Return what the engine understood of a requirement."""
    return read(profile, knowledge())


def ranking(profile: Requirement, vendors: Sequence[VendorRow]) -> Ranking:
    """Rank a small catalog for a requirement."""
    return rank(reading(profile), build_index(vendors, knowledge()), knowledge())


def fit_of(profile: Requirement, vendors: Sequence[VendorRow], vendor_id: str) -> RankedVendor:
    """Return one vendor's result for a requirement, whether or not it is excluded."""
    index = build_index(vendors, knowledge())
    row = index.position(vendor_id)
    assert row is not None, f"no vendor {vendor_id} in the catalog"
    return fit(reading(profile), index, knowledge(), row)


def factor_of(result: RankedVendor, name: str) -> FactorScore:
    """Return one factor of a result by name."""
    found = [factor for factor in result.factors if factor.name == name]
    assert found, f"{name} is not among the factors {[f.name for f in result.factors]}"
    return found[0]


def judge(profile: Requirement, one: VendorRow, name: str) -> FactorScore:
    """Return how one vendor fares on one factor of a requirement."""
    return factor_of(fit_of(profile, [one], one.id), name)


def loosened(profile: Requirement, constraint: str, suggestion: str) -> Requirement:
    """Return the requirement with one hard constraint loosened as suggested."""
    budget = re.fullmatch(r"raise the budget from \S+ to (\d+) (\w+)/h", suggestion)
    if budget:
        return replace(profile, budget=Budget(float(budget[1]), budget[2]))
    team = re.fullmatch(r"start with a team of (\d+) instead of \d+", suggestion)
    if team:
        return replace(profile, team_size=int(team[1]))
    label = constraint.replace("_", " ")
    assert suggestion == f"treat {label} as a preference instead of a hard constraint", suggestion
    return replace(profile, hard_constraints=profile.hard_constraints - {constraint})


def applied(profile: Requirement, change: tuple[tuple[str, Any], ...]) -> Requirement:
    """Return the requirement with a relaxation's profile change applied."""
    for name, value in change:
        if name == "budget":
            profile = replace(profile, budget=Budget(value["max_rate"], value["currency"]))
        elif name == "hard_constraints":
            profile = replace(profile, hard_constraints=frozenset(value))
        else:
            profile = replace(profile, **{name: value})
    return profile


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
