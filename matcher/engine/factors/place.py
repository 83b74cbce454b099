"""The geography factor: allowed places, delivery model, shared working hours or, for
round-the-clock work, how much of the day the vendor's time zones cover."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np
from scipy import sparse

from matcher.engine.geography import WORKDAY_HOURS, delivery_class, shared_hours, working_slots
from matcher.engine.index import CatalogIndex, Columns
from matcher.engine.judging import Clock, clock
from matcher.engine.knowledge import Geography, Knowledge
from matcher.engine.reading import Reading
from matcher.engine.scoring import NEUTRAL, Factor, listing

CLASSES = ("onshore", "nearshore", "offshore")
DAY_HOURS = 24.0


def geography(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score the vendor's best delivery country: in the places asked for, by an acceptable
    delivery model, not excluded, sharing the client's working hours unless the work is done
    off the client's clock. One country must meet every rule at once; excluded countries count
    for nothing. For round-the-clock work, the day its allowed countries cover is a part too."""
    requirement = reading.requirement
    client = requirement.client_country
    hours = clock(reading, index.judging)
    # Delivery models mean nothing without the client's country (the profile schema requires it).
    if requirement.places is None and client is None and hours.around_the_clock is None:
        return None
    countries = index.countries
    rules = CountryRules(reading, countries.codes, knowledge, hours)
    known = countries.known
    # When nothing rules a country out (round the clock, no place asked for), every vendor that
    # lists one passes, and with no part to weigh its best country is worth 1.
    open_world = bool(rules.eligible.all())
    passes = known.copy() if open_world else known & (countries.row_max(rules.eligible * 1.0) > 0)
    best = 1.0 * known if open_world and not rules.parts else countries.row_max(rules.value)
    cover, masks = np.zeros(index.size), np.zeros(len(countries.codes), dtype=np.uint64)
    if hours.around_the_clock is not None:
        masks = day_masks(countries.codes, rules.eligible, knowledge.geography)
        cover = covered_hours(countries, masks)
        share = np.where(passes, cover_score(cover, hours.one_zone), 0.0)
        best = (best * rules.parts + share) / (rules.parts + 1)
    score = np.where(known, best, NEUTRAL)

    def explain(row: int) -> str:
        vendor = index.vendors[row]
        if not known[row]:
            return "delivery countries not listed"
        positions = [countries.column[code] for code in vendor.delivery_countries]
        top = rules.best(positions)
        text = f"delivers from {knowledge.country_name(countries.codes[top])}"
        facts = rules.facts(top)
        others = [knowledge.country_name(countries.codes[p]) for p in positions if p != top]
        text += f" ({facts})" if facts else ""
        if others:
            text += f"; also {listing(others)}"
        if not passes[row] and others:
            text += f"; none of its countries {rules.missing}"
        if not hours.hours_count:
            text += f"; {hours.reason}" + (": time zones do not count" if client else "")
        if hours.around_the_clock is not None and passes[row]:
            zones = len({int(masks[p]) for p in positions if masks[p]})
            text += f"; {_cover(cover[row], zones)}"
        return text

    def short(row: int) -> bool:
        return bool(known[row] and (not passes[row] or score[row] < 0.5))

    return Factor(score, known, passes, explain, short)


def day_masks(codes: tuple[str, ...], eligible: np.ndarray, world: Geography) -> np.ndarray:
    """Return each allowed country's working day as a 48-bit mask of UTC half hours (0 for a
    country not allowed, or whose time zone is unknown)."""
    masks = np.zeros(len(codes), dtype=np.uint64)
    for position, code in enumerate(codes):
        if eligible[position]:
            masks[position] = sum(1 << slot for slot in working_slots(world, code))
    return masks


def covered_hours(countries: Columns, masks: np.ndarray) -> np.ndarray:
    """Return, per vendor, the hours of the day its countries' working days span together."""
    union = np.zeros(countries.matrix.shape[0], dtype=np.uint64)
    starts = countries.matrix.indptr[:-1]
    filled = countries.matrix.indptr[1:] > starts
    if countries.matrix.nnz:
        union[filled] = np.bitwise_or.reduceat(masks[countries.matrix.indices], starts[filled])
    result: np.ndarray = _bit_count(union) / 2.0
    return result


def _bit_count(values: np.ndarray) -> np.ndarray:
    # Set bits per 64-bit word, counted in parallel within each word (SWAR).
    one = np.uint64
    values = values - ((values >> one(1)) & one(0x5555555555555555))
    values = (values & one(0x3333333333333333)) + ((values >> one(2)) & one(0x3333333333333333))
    values = (values + (values >> one(4))) & one(0x0F0F0F0F0F0F0F0F)
    counted: np.ndarray = (values * one(0x0101010101010101)) >> one(56)
    return counted


def cover_score(hours: np.ndarray, one_zone: float) -> np.ndarray:
    """Score round-the-clock cover: one working day (8 hours) `one_zone`, the whole day 1."""
    extra = np.clip((hours - WORKDAY_HOURS) / (DAY_HOURS - WORKDAY_HOURS), 0.0, 1.0)
    result: np.ndarray = one_zone + (1 - one_zone) * extra
    return result


def _cover(hours: float, zones: int) -> str:
    if zones <= 1:
        return f"one time zone's working day ({_hours(hours)} of 24 hours), the rest by shifts"
    return f"working days in {zones} time zones span {_hours(hours)} of 24 hours"


class CountryRules:
    """Per country of the catalog: whether it meets the request, and its value 0-1."""

    def __init__(
        self, reading: Reading, codes: tuple[str, ...], knowledge: Knowledge, hours: Clock
    ):
        requirement = reading.requirement
        client, world = requirement.client_country, knowledge.geography
        self.client_name = knowledge.country_name(client) if client else ""
        self.classes = [delivery_class(world, client, code) for code in codes] if client else []
        # Off the client's clock (shift-based, batch or round-the-clock work) hours do not count.
        self.counts_hours = bool(client) and hours.hours_count
        self.hours = [
            (shared_hours(world, client, code) or 0.0) if client and hours.hours_count else 0.0
            for code in codes
        ]
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
        if self.counts_hours:
            parts.append(np.array(self.hours) / WORKDAY_HOURS)
        self.parts = len(parts)
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

    def best(self, positions: list[int]) -> int:
        """Return the best of a vendor's countries: allowed first, then the most valuable, then
        not excluded; of equals, the one it lists first."""
        return max(positions, key=self._order.__getitem__)

    @cached_property
    def _order(self) -> list[tuple[bool, float, bool]]:
        # Each country's place in the order of preference, as plain values: read per vendor.
        return list(
            zip(
                self.eligible.tolist(),
                self.value.tolist(),
                [not out for out in self.banned],
                strict=True,
            )
        )

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
        if self.counts_hours:
            facts.append(f"{_hours(self.hours[position])} of 8 working hours shared")
        return ", ".join(facts)


def best_country(
    reading: Reading, index: CatalogIndex, knowledge: Knowledge
) -> Callable[[int], str | None]:
    """Return a vendor's best delivery country, the one the geography factor judges it by (its
    first listed when geography is not in play); None when it lists none."""
    countries = index.countries
    rules = CountryRules(reading, countries.codes, knowledge, clock(reading, index.judging))

    def of(row: int) -> str | None:
        listed = index.vendors[row].delivery_countries
        if not listed:
            return None
        return countries.codes[rules.best([countries.column[code] for code in listed])]

    return of


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
