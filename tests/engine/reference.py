"""The engine's scoring as a plain loop over vendors: the yardstick the vectorised index is held to.

No arrays, no index: each vendor's wording is resolved as it comes (each distinct text once per
call), and each factor is a small function of one vendor, written from the factor modules' rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from matcher.engine.factors import FACTORS
from matcher.engine.factors.cost import COMFORTABLE, IN_BAND, OVER_BUDGET_TO_ZERO
from matcher.engine.factors.people import (
    GOOD_RATING,
    PRIOR_OUTCOMES,
    PRIOR_RATING,
    PRIOR_REVIEWS,
)
from matcher.engine.factors.place import DAY_HOURS
from matcher.engine.factors.work import (
    BREADTH_FLOOR,
    CONTAINED,
    MET,
    PART_OF_WHOLE,
    RELATED,
    REQUIRED_SHARE,
    TEXT_MATCH,
)
from matcher.engine.geography import WORKDAY_HOURS, delivery_class, shared_hours, working_slots
from matcher.engine.judging import Clock, Judging, Umbrella, clock, load_judging
from matcher.engine.knowledge import Knowledge, Vocabulary, normalise_term
from matcher.engine.model import Requirement, VendorRow
from matcher.engine.rank import factor_weights
from matcher.engine.reading import Reading, read
from matcher.engine.resolve import Resolved, resolve_code, resolve_skill
from matcher.engine.scoring import NEUTRAL

Verdict = tuple[float, bool]  # one factor's score 0-1 for one vendor, and whether it passes
KINDS = ("certifications", "qualifications", "industries")


@dataclass(frozen=True, slots=True)
class Vendor:
    """A vendor row with its wording resolved: the codes it holds, and how sure each link is."""

    row: VendorRow
    services: Mapping[str, float]
    categories: Mapping[str, float]
    # Categories listed as such ("LPO"), by category and the vendor's wording.
    listed: Mapping[tuple[str, str], float]
    texts: frozenset[str]
    codes: Mapping[str, frozenset[str]]  # certifications, qualifications and industries


def reference_scores(
    requirement: Requirement, vendors: Sequence[VendorRow], knowledge: Knowledge
) -> list[tuple[str, float, bool]]:
    """Return each vendor's id, score 0-100 and whether it passes, in input order."""
    reading = read(requirement, knowledge)
    judging = load_judging()
    names = asked(reading, judging)
    weights = factor_weights(reading, names)
    resolve = resolver(knowledge)
    judged = rules(reading, judging)
    results = []
    for row in vendors:
        vendor = resolve(row)
        total, passes = 0.0, not banned(requirement, row)
        for name in names:
            score, satisfied = judged[name](reading, vendor, knowledge)
            total += 100.0 * weights[name] * score
            passes = passes and (satisfied or name not in requirement.hard_constraints)
        results.append((row.id, total, passes))
    return results


def reference_rank(
    requirement: Requirement, vendors: Sequence[VendorRow], knowledge: Knowledge
) -> list[str]:
    """Return the ids of the best passing vendors: score descending, then id ascending."""
    scored = reference_scores(requirement, vendors, knowledge)
    passing = sorted((-score, id_) for id_, score, passes in scored if passes)
    return [id_ for _, id_ in passing[: requirement.limit]]


def asked(reading: Reading, judging: Judging) -> tuple[str, ...]:
    """Return the factors the requirement asks about, in the engine's order."""
    requirement = reading.requirement
    applies = {
        "engagement_model": reading.engagement.value != "any",
        "skills": bool(reading.required or reading.preferred),
        "geography": requirement.places is not None
        or bool(requirement.delivery or requirement.client_country)
        or clock(reading, judging).around_the_clock is not None,
        "budget": reading.budget_usd is not None,
        "languages": bool(requirement.languages),
        "certifications": bool(reading.certifications),
        "qualifications": bool(reading.qualifications),
        "capacity": requirement.team_size is not None,
        "industry": reading.industry is not None,
        "track_record": True,
    }
    return tuple(name for name in FACTORS if applies[name])


def banned(requirement: Requirement, row: VendorRow) -> bool:
    """Say whether a vendor delivers from nowhere but excluded countries (or does not say)."""
    excluded = requirement.excluded_places
    return bool(excluded) and all(country in excluded for country in row.delivery_countries)


def resolver(knowledge: Knowledge) -> Callable[[VendorRow], Vendor]:
    """Return a function that resolves one vendor's wording, each distinct text once."""

    @cache
    def link(text: str) -> tuple[str | None, str | None, float]:
        resolved = resolve_skill(knowledge, text)
        if resolved.level == "service" and resolved.code is not None:
            category = knowledge.services.entries[resolved.code].category
            return resolved.code, category, resolved.similarity
        if resolved.level == "category":
            return None, resolved.code, resolved.similarity
        return None, None, 0.0

    @cache
    def code(kind: str, text: str) -> str:
        words: Vocabulary = getattr(knowledge, kind)
        found = words.exact(text) or resolve_code(words, text)
        return found if found is not None else "text:" + normalise_term(text)

    def resolve(row: VendorRow) -> Vendor:
        services: dict[str, float] = {}
        categories: dict[str, float] = {}
        listed: dict[tuple[str, str], float] = {}
        for text in row.services:
            service, category, strength = link(text)
            # A service listed twice keeps its stronger link.
            if service is not None:
                services[service] = max(services.get(service, 0.0), strength)
            if category is not None:
                categories[category] = max(categories.get(category, 0.0), strength)
            if category is not None and service is None:
                key = (category, normalise_term(text))
                listed[key] = max(listed.get(key, 0.0), strength)
        return Vendor(
            row=row,
            services=services,
            categories=categories,
            listed=listed,
            texts=frozenset(normalise_term(text) for text in row.services),
            codes={kind: frozenset(code(kind, t) for t in getattr(row, kind)) for kind in KINDS},
        )

    return resolve


def engagement_model(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score 1 for a vendor tagged for the work; a BPO-only shop on KPO work misses worst."""
    wanted = reading.engagement.value
    if wanted in vendor.row.tags:
        return 1.0, True
    return (0.25 if wanted == "BPO" else 0.1), False


def skills(reading: Reading, vendor: Vendor, knowledge: Knowledge, judging: Judging) -> Verdict:
    """Score the average strength of the required skills, the preferred ones counting a fifth."""
    if not vendor.row.services:
        return NEUTRAL, False
    must = [skill_strength(item, vendor, knowledge, judging) for item in reading.required]
    nice = [skill_strength(item, vendor, knowledge, judging) for item in reading.preferred]
    if must and nice:
        score = REQUIRED_SHARE * _mean(must) + (1 - REQUIRED_SHARE) * _mean(nice)
    else:
        score = _mean(must or nice)
    return score, all(strength >= MET for strength in must)


def skill_strength(item: Resolved, vendor: Vendor, knowledge: Knowledge, judging: Judging) -> float:
    """Return how well a vendor offers one skill: an umbrella by breadth; the service, as part
    of an end-to-end service, its category at half; or text."""
    umbrella = judging.umbrella(item)
    if umbrella is not None:
        return breadth(umbrella, vendor, knowledge, judging)
    if item.level == "service" and item.code is not None:
        category = knowledge.services.entries[item.code].category
        related = RELATED * vendor.categories.get(category, 0.0) if category else 0.0
        return max(part(item.code, vendor, judging), related)
    if item.level == "category" and item.code is not None:
        return vendor.categories.get(item.code, 0.0)
    wanted = normalise_term(item.text)
    similar = [
        max(
            fuzz.token_sort_ratio(wanted, text, processor=None) / 100.0,
            CONTAINED * fuzz.token_set_ratio(wanted, text, processor=None) / 100.0,
        )
        for text in vendor.texts
    ]
    return max((value for value in similar if value >= TEXT_MATCH), default=0.0)


def breadth(umbrella: Umbrella, vendor: Vendor, knowledge: Knowledge, judging: Judging) -> float:
    """Return how broadly a vendor covers an umbrella: 1 listing it, else half for any core
    service covered plus half the share covered, never below its category's related work."""
    if umbrella.level == "service":
        listed = vendor.services.get(umbrella.code, 0.0)
        category = knowledge.services.entries[umbrella.code].category
    else:
        listed = max(
            (
                strength
                for (named, term), strength in vendor.listed.items()
                if judging.names_umbrella(umbrella, named, term)
            ),
            default=0.0,
        )
        category = umbrella.code
    covered = sum(part(code, vendor, judging) for code in umbrella.core)
    share = covered / len(umbrella.core) if umbrella.core else 0.0
    broad = BREADTH_FLOOR * min(covered, 1.0) + (1 - BREADTH_FLOOR) * share
    related = RELATED * vendor.categories.get(category, 0.0) if category else 0.0
    return max(listed, related, broad)


def part(code: str, vendor: Vendor, judging: Judging) -> float:
    """Return a vendor's strength for a service: listed, or within an end-to-end service."""
    within = [
        PART_OF_WHOLE * vendor.services.get(whole.code, 0.0) for whole in judging.wholes(code)
    ]
    return max([vendor.services.get(code, 0.0), *within])


def geography(reading: Reading, vendor: Vendor, knowledge: Knowledge, hours: Clock) -> Verdict:
    """Score the best delivery country: in the places, acceptable model, not excluded, hours
    unless the work is off the client's clock; round the clock, the day its countries cover."""
    requirement, world = reading.requirement, knowledge.geography
    countries, client = vendor.row.delivery_countries, requirement.client_country
    if not countries:
        return NEUTRAL, False
    delivery = requirement.delivery if client else ()
    best, passes, count = 0.0, False, 0
    slots: set[int] = set()
    for country in countries:
        inside = requirement.places is None or country in requirement.places
        fits = not delivery or delivery_class(world, client or "", country) in delivery
        out = country in requirement.excluded_places
        parts: list[float] = []
        if requirement.places is not None:
            parts.append(float(inside))
        if delivery:
            parts.append(float(fits))
        # Off the client's clock (shift-based, batch, round-the-clock) hours do not count.
        if client and hours.hours_count:
            parts.append((shared_hours(world, client, country) or 0.0) / WORKDAY_HOURS)
        value = 0.0 if out else (_mean(parts) if parts else 1.0)
        best, count = max(best, value), len(parts)
        if inside and fits and not out:
            passes = True
            slots |= working_slots(world, country)
    if hours.around_the_clock is not None:
        # Round the clock: how much of the day the allowed countries' working days span.
        spread = _clip((len(slots) / 2 - WORKDAY_HOURS) / (DAY_HOURS - WORKDAY_HOURS))
        cover = hours.one_zone + (1 - hours.one_zone) * spread if passes else 0.0
        best = (best * count + cover) / (count + 1)
    return best, passes


def budget(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score 1 within budget, 0.75-1 when the band straddles it, less the further above."""
    band, limit = usd_band(vendor.row, knowledge), reading.budget_usd
    if band is None or limit is None:
        return NEUTRAL, False
    low, high = band
    if high <= limit:
        return 1.0, True
    if low <= limit:
        spread = high - low if high > low else 1.0
        return IN_BAND + (1 - IN_BAND) * _clip((limit - low) / spread), True
    return IN_BAND * _clip(1 - (low - limit) / (OVER_BUDGET_TO_ZERO * limit)), False


def usd_band(row: VendorRow, knowledge: Knowledge) -> tuple[float, float] | None:
    """Return a vendor's lowest and highest hourly rate in US dollars, or None if unknown."""
    per_usd = knowledge.per_usd.get(row.currency)
    low = row.rate_min if row.rate_min is not None else row.rate_max
    high = row.rate_max if row.rate_max is not None else row.rate_min
    if low is None or high is None or per_usd is None or per_usd <= 0:
        return None
    return low / per_usd, high / per_usd


def languages(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score the share of the languages needed that the vendor speaks."""
    if not vendor.row.languages:
        return NEUTRAL, False
    spoken = [language in vendor.row.languages for language in reading.requirement.languages]
    return _mean([float(speaks) for speaks in spoken]), all(spoken)


def certifications(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score the share of the certifications asked for that the vendor holds."""
    return held(reading.certifications, vendor.codes["certifications"], knowledge.certifications)


def qualifications(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score the share of the qualifications asked for that the vendor's staff hold."""
    return held(reading.qualifications, vendor.codes["qualifications"], knowledge.qualifications)


def industry(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score whether the vendor serves the client's industry, a related one counting half."""
    wanted = () if reading.industry is None else (reading.industry,)
    return held(wanted, vendor.codes["industries"], knowledge.industries)


def held(wanted: tuple[tuple[str, str], ...], codes: frozenset[str], words: Vocabulary) -> Verdict:
    """Score the codes wanted against those a vendor holds: 1 each, 0.5 for a related one."""
    if not codes:
        return NEUTRAL, False
    strengths = []
    for _, code in wanted:
        entry = words.entries.get(code)
        related = entry is not None and any(other in codes for other in entry.related)
        strengths.append(1.0 if code in codes else 0.5 if related else 0.0)
    return _mean(strengths), all(strength >= 1.0 for strength in strengths)


def capacity(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score headcount against team size: 0.6 at just enough, 1 at five times as many."""
    team, staff = reading.requirement.team_size, vendor.row.headcount
    if staff is None or team is None:
        return NEUTRAL, False
    ratio = staff / team
    if ratio >= 1:
        return 0.6 + 0.4 * _clip((ratio - 1) / (COMFORTABLE - 1)), True
    return 0.6 * _clip(ratio), False


def track_record(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
    """Score the client rating, shrunk toward the prior by how few reviews it rests on."""
    outcomes, checked = vendor.row.verified_count, vendor.row.verified_rating
    if outcomes > 0 and checked is not None:
        shrunk = (checked * outcomes + PRIOR_RATING * PRIOR_OUTCOMES) / (outcomes + PRIOR_OUTCOMES)
        return _clip(shrunk / 5), shrunk >= GOOD_RATING
    rating, reviews = vendor.row.rating, vendor.row.review_count or 0
    if rating is None or reviews <= 0:
        return NEUTRAL, False
    shrunk = (rating * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
    return _clip(shrunk / 5), shrunk >= GOOD_RATING


Rule = Callable[[Reading, Vendor, Knowledge], Verdict]
RULES: Mapping[str, Rule] = {
    "engagement_model": engagement_model,
    "budget": budget,
    "languages": languages,
    "certifications": certifications,
    "qualifications": qualifications,
    "capacity": capacity,
    "industry": industry,
    "track_record": track_record,
}


def rules(reading: Reading, judging: Judging) -> Mapping[str, Rule]:
    """Return every factor's rule for one requirement, the judging knowledge read once."""
    hours = clock(reading, judging)

    def judged_skills(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
        return skills(reading, vendor, knowledge, judging)

    def judged_geography(reading: Reading, vendor: Vendor, knowledge: Knowledge) -> Verdict:
        return geography(reading, vendor, knowledge, hours)

    return {**RULES, "skills": judged_skills, "geography": judged_geography}


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)
