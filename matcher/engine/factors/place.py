"""The geography factor: allowed places, delivery model and shared working hours."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from matcher.engine.geography import WORKDAY_HOURS, delivery_class, shared_hours
from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.reading import Reading
from matcher.engine.scoring import NEUTRAL, Factor, listing

CLASSES = ("onshore", "nearshore", "offshore")


def geography(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the vendor's best delivery country: in the places asked for, by an acceptable
    delivery model, not excluded, sharing the client's working hours. One country must meet
    every rule at once; excluded countries count for nothing."""
    requirement = reading.requirement
    client = requirement.client_country
    # Delivery models mean nothing without the client's country (the profile schema requires it).
    if requirement.places is None and client is None:
        return None
    countries = index.countries
    rules = CountryRules(reading, countries.codes, knowledge)
    known = countries.known
    score = np.where(known, countries.row_max(rules.value), NEUTRAL)
    passes = known & (countries.row_max(rules.eligible.astype(float)) > 0)

    def explain(row: int) -> str:
        vendor = index.vendors[row]
        if not known[row]:
            return "delivery countries not listed"
        positions = [countries.column[code] for code in vendor.delivery_countries]
        best = max(
            positions, key=lambda p: (rules.eligible[p], rules.value[p], not rules.banned[p])
        )
        text = f"delivers from {knowledge.country_name(countries.codes[best])}"
        facts = rules.facts(best)
        others = [knowledge.country_name(countries.codes[p]) for p in positions if p != best]
        text += f" ({facts})" if facts else ""
        if others:
            text += f"; also {listing(others)}"
        if not passes[row] and others:
            text += f"; none of its countries {rules.missing}"
        return text

    def short(row: int) -> bool:
        return bool(known[row] and (not passes[row] or score[row] < 0.5))

    return Factor(score, known, passes, explain, short)


class CountryRules:
    """Per country of the catalog: whether it meets the request, and its value 0-1."""

    def __init__(self, reading: Reading, codes: tuple[str, ...], knowledge: Knowledge):
        requirement = reading.requirement
        client, world = requirement.client_country, knowledge.geography
        self.client_name = knowledge.country_name(client) if client else ""
        self.classes = [delivery_class(world, client, code) for code in codes] if client else []
        self.hours = [shared_hours(world, client, code) or 0.0 for code in codes] if client else []
        banned = requirement.excluded_places
        places, delivery = requirement.places, requirement.delivery if client else ()
        self.in_places = [places is None or code in places for code in codes]
        self.acceptable = (
            [kind in delivery for kind in self.classes] if delivery else [True] * len(codes)
        )
        self.banned = [code in banned for code in codes]
        parts: list[np.ndarray] = []
        if places is not None:
            parts.append(np.array(self.in_places, dtype=float))
        if delivery:
            parts.append(np.array(self.acceptable, dtype=float))
        if client:
            parts.append(np.array(self.hours) / WORKDAY_HOURS)
        value = sum(parts[1:], parts[0]) / len(parts) if parts else np.ones(len(codes))
        self.value = np.where(np.array(self.banned, dtype=bool), 0.0, value)
        self.eligible = np.array(
            [
                inside and fits and not out
                for inside, fits, out in zip(
                    self.in_places, self.acceptable, self.banned, strict=True
                )
            ],
            dtype=bool,
        )
        wanted = []
        if places is not None:
            wanted.append("is in the places asked for")
        if delivery:
            wanted.append(f"is {' or '.join(delivery)} for {self.client_name}")
        self.missing = " and ".join(wanted) or "is allowed"

    def facts(self, position: int) -> str:
        """Say what one country is for this request."""
        facts = []
        if self.banned[position]:
            facts.append("excluded")
        elif not self.in_places[position]:
            facts.append("outside the places asked for")
        if self.classes:
            kind = self.classes[position]
            refused = "" if self.acceptable[position] else ", not a delivery model asked for"
            facts.append(f"{kind} for {self.client_name}{refused}")
            facts.append(f"{_hours(self.hours[position])} of 8 working hours shared")
        return ", ".join(facts)


def excluded(reading: Reading, index: CatalogIndex) -> np.ndarray:
    """Return which vendors only deliver from excluded countries (or do not say where)."""
    banned = reading.requirement.excluded_places
    countries = index.countries
    if not banned:
        return np.zeros(index.size, dtype=bool)
    elsewhere = np.array([code not in banned for code in countries.codes], dtype=float)
    return ~_any(countries.matrix, elsewhere)


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _any(matrix: sparse.csr_matrix, wanted: np.ndarray) -> np.ndarray:
    result: np.ndarray = (matrix @ wanted) > 0
    return result
