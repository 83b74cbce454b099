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
    """Score where a vendor delivers from against the places, models and hours asked for."""
    requirement = reading.requirement
    client = requirement.client_country
    # Delivery models mean nothing without the client's country (the profile schema requires it).
    if requirement.places is None and client is None:
        return None
    countries = index.countries
    known = countries.known
    parts: list[np.ndarray] = []
    passes = known.copy()
    codes = countries.codes
    in_places = np.ones(index.size, dtype=bool)
    if requirement.places is not None:
        allowed = np.array([code in requirement.places for code in codes], dtype=float)
        in_places = _any(countries.matrix, allowed)
        parts.append(in_places.astype(float))
        passes &= in_places
    classes = (
        [delivery_class(knowledge.geography, client, code) for code in codes] if client else []
    )
    if requirement.delivery and client:
        acceptable = np.array([kind in requirement.delivery for kind in classes], dtype=float)
        fits = _any(countries.matrix, acceptable)
        parts.append(fits.astype(float))
        passes &= fits
    hours = np.zeros(len(codes))
    if client:
        hours = np.array([shared_hours(knowledge.geography, client, code) or 0.0 for code in codes])
        parts.append(countries.row_max(hours) / WORKDAY_HOURS)
    score = np.where(known, sum(parts[1:], parts[0]) / len(parts), NEUTRAL)

    def explain(row: int) -> str:
        vendor = index.vendors[row]
        if not known[row]:
            return "delivery countries not listed"
        places = listing([knowledge.country_name(code) for code in vendor.delivery_countries])
        if not client:
            outside = requirement.places is not None and not in_places[row]
            return f"delivers from {places}" + (", outside the places asked for" if outside else "")
        positions = [countries.column[code] for code in vendor.delivery_countries]
        kinds = sorted({classes[p] for p in positions}, key=CLASSES.index)
        overlap = max(hours[p] for p in positions)
        text = f"delivers from {places}: {' and '.join(kinds)} for {knowledge.country_name(client)}"
        if requirement.places is not None and not in_places[row]:
            text += ", outside the places asked for"
        return f"{text}; {_hours(overlap)} of {WORKDAY_HOURS:.0f} working hours shared"

    return Factor(score, known, passes, explain)


def excluded(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> tuple[np.ndarray, str]:
    """Return which vendors only deliver from excluded countries (or do not say where)."""
    banned = reading.requirement.excluded_places
    countries = index.countries
    if not banned:
        return np.zeros(index.size, dtype=bool), ""
    elsewhere = np.array([code not in banned for code in countries.codes], dtype=float)
    names = sorted(knowledge.country_name(code) for code in banned)
    return ~_any(countries.matrix, elsewhere), listing(names)


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _any(matrix: sparse.csr_matrix, wanted: np.ndarray) -> np.ndarray:
    result: np.ndarray = (matrix @ wanted) > 0
    return result
