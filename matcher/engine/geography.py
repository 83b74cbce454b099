"""Where work is done, seen from the client: onshore, nearshore, offshore, shared hours."""

from __future__ import annotations

import math
from collections.abc import Iterable

from matcher.engine.knowledge import Geography

WORKDAY_HOURS = 8.0
# Without a nearshore list for the client's country: this close in time counts as nearshore.
NEARSHORE_HOURS = 3.0
# A working day starts at this local hour; the day is cut into half hours for round-the-clock
# cover.
WORKDAY_START = 9.0
DAY_SLOTS = 48


def delivery_class(geography: Geography, client: str, country: str) -> str:
    """Return onshore, nearshore or offshore for work done in `country` for `client`."""
    if country == client:
        return "onshore"
    listed = geography.nearshore.get(client)
    if listed is not None:
        return "nearshore" if country in listed else "offshore"
    gap = _hours_apart(geography, client, country)
    return "nearshore" if gap is not None and gap <= NEARSHORE_HOURS else "offshore"


def shared_hours(geography: Geography, client: str, country: str) -> float | None:
    """Return how many of the client's 8 working hours the country's working day covers."""
    gap = _hours_apart(geography, client, country)
    return None if gap is None else max(0.0, WORKDAY_HOURS - gap)


def working_slots(geography: Geography, country: str) -> frozenset[int]:
    """Return the half hours of the UTC day that a country's working day covers (none when its
    time zone is unknown); a country spanning zones counts from the middle of its span."""
    offsets = geography.utc_offsets.get(country)
    if offsets is None:
        return frozenset()
    middle = math.floor(offsets[0] + offsets[1] + 0.5) / 2
    first = round(2 * (WORKDAY_START - middle))
    return frozenset((first + slot) % DAY_SLOTS for slot in range(round(2 * WORKDAY_HOURS)))


def _hours_apart(geography: Geography, first: str, second: str) -> float | None:
    # Countries spanning zones are given as [west, east]; the closest pair of zones counts.
    one, other = geography.utc_offsets.get(first), geography.utc_offsets.get(second)
    if one is None or other is None:
        return None
    return max(0.0, max(one[0], other[0]) - min(one[1], other[1]))


def expand_places(geography: Geography, places: Iterable[str]) -> frozenset[str]:
    """Return the countries that codes and region names stand for (names must be known)."""
    countries: set[str] = set()
    for place in places:
        region = geography.region(place)
        countries |= region.countries if region else {place}
    return frozenset(countries)
