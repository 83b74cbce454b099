"""One vendor's fit for a requirement: its place, and what it would take to be shortlisted.

What it would take is found by changing the vendor's record one field at a time and scoring
the changed record on the same factors and weights against the catalog as it is: a service,
certification, qualification, language, industry or tag added, a delivery country added, a
headcount raised or a rate lowered. A number is searched a batch of candidates at a time for
the smallest change that is enough; nothing is estimated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from matcher.engine.factors.cost import COMFORTABLE
from matcher.engine.factors.place import CountryRules
from matcher.engine.index import CatalogIndex, build_index
from matcher.engine.judging import clock
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.model import RankedVendor, RecordChange, VendorRow
from matcher.engine.rank import evaluate, explain, top_rows
from matcher.engine.reading import Reading
from matcher.engine.scoring import Evaluation
from matcher.engine.stability import stability

# Candidates scored together in one round of a numeric search.
ROUND = 16
# Delivery countries tried: the best placed for the request, the most used by the catalog first.
COUNTRIES_TRIED = 3
# Rates are searched to a tenth of the currency unit, headcounts to one person.
RATE_STEP = 0.1
# The order changes of equal rank and score are listed in.
FIELDS = (
    "services",
    "certifications",
    "qualifications",
    "languages",
    "industries",
    "tags",
    "delivery_countries",
    "headcount",
    "rate_min",
    "rate_max",
)

Entered = tuple[int, float] | None


def fit(
    reading: Reading,
    index: CatalogIndex,
    knowledge: Knowledge,
    row: int,
    *,
    what_it_would_take: bool = True,
) -> RankedVendor:
    """Explain one vendor for a requirement: its rank among those allowed, or why it is out,
    and, when it is outside the top `limit` (and it is asked for), the single changes that
    would bring it in."""
    evaluation = evaluate(reading, index, knowledge)
    limit = reading.requirement.limit
    place: int | None = None
    steady = None
    if evaluation.allowed[row]:
        total, tiebreak = evaluation.total, index.tiebreak
        ahead = (total > total[row]) | ((total == total[row]) & (tiebreak < tiebreak[row]))
        place = int((evaluation.allowed & ahead).sum()) + 1
        steady = stability(evaluation, tiebreak, evaluation.allowed, np.array([row]), limit)[0]
    result = explain(evaluation, index, knowledge, row, rank=place, stability=steady)
    if not what_it_would_take or (place is not None and place <= limit):
        return result
    return replace(result, would_take=would_take(reading, index, knowledge, evaluation, row))


class Trials:
    """Scores changed copies of one vendor's record against the catalog's current top."""

    def __init__(
        self,
        reading: Reading,
        index: CatalogIndex,
        knowledge: Knowledge,
        evaluation: Evaluation,
        row: int,
    ):
        self.reading, self.index, self.knowledge = reading, index, knowledge
        self.evaluation = evaluation
        self.limit = reading.requirement.limit
        others = evaluation.allowed.copy()
        others[row] = False
        leaders = top_rows(np.flatnonzero(others), evaluation.total, index.tiebreak, self.limit)
        self.leading = evaluation.total[leaders]
        self.leading_ids = index.tiebreak[leaders]
        self.own_id = index.tiebreak[row]

    def entering(self, records: list[VendorRow]) -> list[Entered]:
        """Return, for each changed record, its rank and score when it would be in the top
        `limit`, else None (still outside, or excluded)."""
        if not records:
            return []
        trial_index = build_index(records, self.knowledge, judging=self.index.judging)
        trial = evaluate(self.reading, trial_index, self.knowledge)
        # Summed as the ranking sums, factor by factor, so an unchanged record scores the same.
        total = np.zeros(len(records))
        for name in self.evaluation.factors:
            total += trial.factors[name].score * (100.0 * self.evaluation.weights[name])
        ahead = (self.leading[None, :] > total[:, None]) | (
            (self.leading[None, :] == total[:, None]) & (self.leading_ids < self.own_id)[None, :]
        )
        ranks = ahead.sum(axis=1) + 1
        return [
            (int(place), round(float(score), 1)) if allowed and place <= self.limit else None
            for place, score, allowed in zip(ranks, total, trial.allowed, strict=True)
        ]


def would_take(
    reading: Reading,
    index: CatalogIndex,
    knowledge: Knowledge,
    evaluation: Evaluation,
    row: int,
) -> tuple[RecordChange, ...]:
    """Return the single changes to a vendor's record that bring it into the top `limit` of
    the vendors allowed, each with the rank and score it would have, best first."""
    trials = Trials(reading, index, knowledge, evaluation, row)
    vendor = index.vendors[row]
    additions = list(_additions(reading, index, knowledge, evaluation, vendor))
    found = [
        RecordChange(field, place, score, f"#{place} ({score:.1f}) {phrase}", add=value)
        for (field, value, phrase, _), entered in zip(
            additions, trials.entering([record for *_, record in additions]), strict=True
        )
        if entered is not None
        for place, score in [entered]
    ]
    found.extend(_numbers(reading, knowledge, evaluation, vendor, trials))
    return tuple(sorted(found, key=lambda item: (item.rank, -item.score, FIELDS.index(item.field))))


def _additions(
    reading: Reading,
    index: CatalogIndex,
    knowledge: Knowledge,
    evaluation: Evaluation,
    vendor: VendorRow,
) -> Iterator[tuple[str, str, str, VendorRow]]:
    """Yield (field, item added, what it means, changed record) for each item the request
    asks for that the vendor's record lacks, in the factors that take part."""
    factors = evaluation.factors

    def add(field: str, item: str, phrase: str) -> tuple[str, str, str, VendorRow]:
        listed: tuple[str, ...] = getattr(vendor, field)
        changes: dict[str, Any] = {field: (*listed, item)}
        return field, item, phrase, replace(vendor, **changes)

    if "skills" in factors:
        offered = _terms(vendor.services)
        for wanted in reading.required:
            name = _service_name(knowledge, wanted.code, wanted.level, wanted.text)
            if name is not None and normalise_term(name) not in offered:
                yield add("services", name, f"offering {name}")
    held = (
        ("certifications", reading.certifications, knowledge.certifications, "holding {}"),
        (
            "qualifications",
            reading.qualifications,
            knowledge.qualifications,
            "with staff holding {}",
        ),
    )
    for field, wanted_codes, vocabulary, phrase in held:
        if field in factors:
            have = _terms(getattr(vendor, field))
            for text, code in wanted_codes:
                name = _entry_name(vocabulary, code, text)
                if normalise_term(name) not in have:
                    yield add(field, name, phrase.format(name))
    if "languages" in factors:
        for code in reading.requirement.languages:
            if code not in vendor.languages:
                yield add("languages", code, f"speaking {knowledge.language_name(code)}")
    if "industry" in factors and reading.industry is not None:
        text, code = reading.industry
        name = _entry_name(knowledge.industries, code, text)
        if normalise_term(name) not in _terms(vendor.industries):
            yield add("industries", name, f"serving {name}")
    kind = reading.engagement.value
    if "engagement_model" in factors and kind in ("BPO", "KPO") and kind not in vendor.tags:
        yield add("tags", kind, f"tagged {kind}")
    for code in _countries(reading, index, knowledge, evaluation, vendor):
        yield add("delivery_countries", code, f"delivering from {knowledge.country_name(code)}")


def _countries(
    reading: Reading,
    index: CatalogIndex,
    knowledge: Knowledge,
    evaluation: Evaluation,
    vendor: VendorRow,
) -> list[str]:
    """Return the delivery countries worth adding: allowed, of the highest value for the
    request, those most of the catalog delivers from first."""
    requirement = reading.requirement
    if "geography" not in evaluation.factors and not requirement.excluded_places:
        return []
    countries = index.countries
    codes = tuple(sorted(set(countries.codes) | set(requirement.places or ())))
    rules = CountryRules(reading, codes, knowledge, clock(reading, index.judging))
    used = np.diff(countries.by_code.indptr)
    vendors_in = {code: int(used[position]) for code, position in countries.column.items()}
    open_ = [
        position
        for position, code in enumerate(codes)
        if rules.eligible[position] and code not in vendor.delivery_countries
    ]
    open_.sort(key=lambda p: (-rules.value[p], -vendors_in.get(codes[p], 0), codes[p]))
    return [codes[position] for position in open_[:COUNTRIES_TRIED]]


def _numbers(
    reading: Reading,
    knowledge: Knowledge,
    evaluation: Evaluation,
    vendor: VendorRow,
    trials: Trials,
) -> Iterator[RecordChange]:
    """Yield the smallest headcount and the highest rates that bring the vendor in."""
    team = reading.requirement.team_size
    if "capacity" in evaluation.factors and team is not None:
        now = vendor.headcount or 0
        enough = math.ceil(COMFORTABLE * team)
        if now < enough:
            # Searched as the largest negative headcount, so one search serves both.
            found = _largest(
                trials, lambda value: replace(vendor, headcount=-int(value)), -enough, -now, 1
            )
            if found is not None:
                value, place, score = found
                people = -int(value)
                reason = f"#{place} ({score:.1f}) with at least {people} delivery staff"
                yield RecordChange("headcount", place, score, reason, at_least=people)
    if "budget" not in evaluation.factors or vendor.currency not in knowledge.per_usd:
        return
    money = vendor.currency
    low, high = vendor.rate_min, vendor.rate_max
    if low is None and high is None:
        # No rates listed: the highest single rate that, once published, is enough.
        budget = (reading.budget_usd or 0.0) * knowledge.per_usd[money]
        yield from _rate(
            trials,
            "rate_max",
            0.0,
            1.5 * budget + RATE_STEP,
            money,
            "publishing a rate of at most",
            lambda value: replace(vendor, rate_min=value, rate_max=value),
        )
        return
    floor = low if low is not None else high
    assert floor is not None
    yield from _rate(
        trials,
        "rate_min",
        0.0,
        floor,
        money,
        "with its lowest rate at most",
        lambda value: replace(vendor, rate_min=value),
    )
    if high is not None and low is not None and high > low:
        yield from _rate(
            trials,
            "rate_max",
            0.0,
            high,
            money,
            "with its whole rate band at most",
            lambda value: replace(vendor, rate_min=min(low, value), rate_max=value),
        )


def _rate(
    trials: Trials,
    field: str,
    lowest: float,
    now: float,
    currency: str,
    phrase: str,
    make: Callable[[float], VendorRow],
) -> Iterator[RecordChange]:
    found = _largest(trials, make, lowest, now, RATE_STEP)
    if found is not None:
        value, place, score = found
        reason = f"#{place} ({score:.1f}) {phrase} {value:g} {currency}/h"
        yield RecordChange(field, place, score, reason, at_most=value, currency=currency)


def _largest(
    trials: Trials,
    make: Callable[[float], VendorRow],
    best: float,
    now: float,
    step: float,
) -> tuple[float, int, float] | None:
    """Return the largest value from `best` up to below `now`, in steps of `step`, whose
    changed record enters the top `limit` (lower values being better), with its rank and
    score; None when even `best` is not enough."""
    [entered] = trials.entering([make(best)])
    if entered is None:
        return None
    found = (best, *entered)
    enough, short = best, now
    while short - enough > step * 1.5:
        grid = sorted(
            {
                round(round(value / step) * step, 6)
                for value in np.linspace(enough, short, ROUND + 2)[1:-1]
            }
            - {enough, short}
        )
        grid = [value for value in grid if enough < value < short]
        if not grid:
            break
        for value, result in zip(grid, trials.entering([make(v) for v in grid]), strict=True):
            if result is None:
                short = value
                break
            enough, found = value, (value, *result)
    return found


def _terms(items: tuple[str, ...]) -> set[str]:
    return {normalise_term(item) for item in items}


def _entry_name(vocabulary: Vocabulary, code: str, text: str) -> str:
    entry = vocabulary.entries.get(code)
    return entry.name if entry is not None else text


def _service_name(knowledge: Knowledge, code: str | None, level: str, text: str) -> str | None:
    # A service of the taxonomy by its name; a skill the taxonomy lacks in the buyer's words.
    if level == "service" and code is not None:
        return _entry_name(knowledge.services, code, text)
    if level == "unresolved":
        return text
    return None
