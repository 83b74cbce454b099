"""Rank the catalog for a requirement: weighted factor scores, hard constraints, explanations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from matcher.engine.factors import DEFAULT_WEIGHTS, REGISTRY
from matcher.engine.factors.place import best_country, excluded
from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.model import (
    Confidence,
    Exclusion,
    FactorScore,
    PassedOver,
    RankedVendor,
    Ranking,
    Requirement,
    Stability,
)
from matcher.engine.reading import Reading
from matcher.engine.relax import relaxations
from matcher.engine.scoring import Evaluation, listing
from matcher.engine.stability import stability as stability_of

EXCLUDED_COUNTRIES = "geography"


def evaluate(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Evaluation:
    """Score every vendor on every factor the requirement asks about."""
    factors = {
        spec.name: factor
        for spec in REGISTRY
        if (factor := spec.function(reading, index, knowledge)) is not None
    }
    weights = factor_weights(reading, tuple(factors))
    total = np.zeros(index.size)
    for name, factor in factors.items():
        total += factor.score * (100.0 * weights[name])
    hard = reading.requirement.hard_constraints
    # In the registry's order, so explanations list failures the same way in every process.
    fails = {
        spec.name: ~factors[spec.name].passes
        for spec in REGISTRY
        if spec.name in hard and spec.name in factors
    }
    if "skills" in hard and "skills" not in factors:
        # Skills must be met, yet none was recognised: no vendor can be shown to meet them.
        fails["skills"] = np.ones(index.size, dtype=bool)
    banned = excluded(reading, index)
    allowed = ~banned
    for failing in fails.values():
        allowed &= ~failing
    return Evaluation(factors, weights, total, fails, banned, allowed)


def factor_weights(reading: Reading, names: tuple[str, ...]) -> dict[str, float]:
    """Return the weights of the factors that apply, summing to 1: defaults for the kind of
    work (BPO and KPO blended for any), overridden by the request."""
    kind = reading.engagement.value
    profiles = (
        [DEFAULT_WEIGHTS[kind]] if kind in DEFAULT_WEIGHTS else list(DEFAULT_WEIGHTS.values())
    )
    raw = {
        name: sum(profile.get(name, 0.0) for profile in profiles) / len(profiles) for name in names
    }
    # Defaults are put on the 0-1 scale first, so a request's {"skills": 0.5} means half the
    # total, whatever the raw numbers in the data file add up to.
    default_total = sum(raw.values()) or 1.0
    raw = {name: value / default_total for name, value in raw.items()}
    raw.update({name: value for name, value in reading.requirement.weights if name in raw})
    total = sum(raw.values())
    if total <= 0:
        return dict.fromkeys(names, 1 / len(names)) if names else {}
    return {name: value / total for name, value in raw.items()}


def rank(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Ranking:
    """Return the best vendors for a requirement, explained, with what was excluded and why."""
    evaluation = evaluate(reading, index, knowledge)
    requirement = reading.requirement
    shown = evaluation.allowed
    least = requirement.min_confidence
    if least is not None:
        shown = shown & (known_weight(evaluation) >= least - 1e-9)
    sure = int(shown.sum())
    if requirement.min_score is not None:
        # Against the score as shown (one decimal), so a result shown at 70.0 meets 70.
        shown = shown & (np.round(evaluation.total, 1) >= requirement.min_score)
    candidates = np.flatnonzero(shown)
    limit = requirement.limit
    passed: tuple[PassedOver, ...] = ()
    if requirement.max_per_country is None:
        top = top_rows(candidates, evaluation.total, index.tiebreak, limit)
    else:
        top, passed = _spread(
            candidates,
            evaluation.total,
            index,
            best_country(reading, index, knowledge),
            requirement,
            knowledge,
        )
        # The vendors the cap passed over are no contenders for a place either.
        shown = shown.copy()
        shown[[index.positions[item.vendor_id] for item in passed]] = False
    lowest = float(evaluation.total[top].min()) if len(top) == limit else None
    steadiness = stability_of(evaluation, index.tiebreak, shown, top, limit, lowest)
    results = tuple(
        explain(evaluation, index, knowledge, int(row), rank=position + 1, stability=steady)
        for position, (row, steady) in enumerate(zip(top, steadiness, strict=True))
    )
    failing = dict(evaluation.fails)
    if evaluation.banned.any():
        failing[EXCLUDED_COUNTRIES] = evaluation.banned | failing.get(
            EXCLUDED_COUNTRIES, evaluation.banned
        )
    short = len(candidates) < limit
    return Ranking(
        engagement=reading.engagement,
        results=results,
        considered=index.size,
        excluded=int(index.size - len(candidates)),
        excluded_by=tuple(
            sorted((name, int(mask.sum())) for name, mask in failing.items() if mask.any())
        ),
        relaxations=relaxations(reading, index, knowledge, evaluation) if short else (),
        notes=_notes(reading, evaluation),
        reading=reading.brief,
        below_confidence=int(evaluation.allowed.sum()) - sure,
        below_min_score=sure - len(candidates),
        passed_over=passed,
        stable=sum(1 for steady in steadiness if steady.stable),
    )


def _spread(
    candidates: np.ndarray,
    total: np.ndarray,
    index: CatalogIndex,
    country_of: Callable[[int], str | None],
    requirement: Requirement,
    knowledge: Knowledge,
) -> tuple[np.ndarray, tuple[PassedOver, ...]]:
    """Return the best `limit` candidates with at most `max_per_country` sharing a best
    delivery country, and the vendors of the plain top `limit` that this kept off."""
    limit = requirement.limit
    cap = requirement.max_per_country or limit
    # Walk down the ranking, reading more of it only when the cap leaves the list short.
    depth = 16 * limit
    while True:
        ordered = top_rows(candidates, total, index.tiebreak, depth)
        taken: list[int] = []
        held: list[tuple[int, int, str]] = []
        counts: Counter[str] = Counter()
        for position, row in enumerate(ordered.tolist()):
            country = country_of(row)
            # A vendor that lists no country is in no country's group.
            if country is not None and counts[country] >= cap:
                held.append((position + 1, row, country))
                continue
            if country is not None:
                counts[country] += 1
            taken.append(row)
            if len(taken) == limit:
                break
        if len(taken) == limit or depth >= len(candidates):
            break
        depth *= 8
    passed = tuple(
        PassedOver(
            vendor_id=index.vendors[row].id,
            name=index.vendors[row].name,
            tags=index.vendors[row].tags,
            rank=place,
            score=round(float(total[row]), 1),
            country=country,
            reason=f"{_count(cap, 'vendor')} delivering best from "
            f"{knowledge.country_name(country)} already shown",
        )
        for place, row, country in held
        if place <= limit
    )
    return np.array(taken, dtype=np.int64), passed


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def known_weight(evaluation: Evaluation) -> np.ndarray:
    """Return, for every vendor, the share of the weight that rests on its known data."""
    # All of it, less the weight of each factor at the (few) vendors whose data it lacks.
    share = np.full(len(evaluation.total), float(sum(evaluation.weights.values())))
    for name, factor in evaluation.factors.items():
        share[np.flatnonzero(~factor.known)] -= evaluation.weights[name]
    return share


def _confidence(total: float, scores: list[FactorScore]) -> Confidence:
    # Unknown data scores its neutral value; known, it could score anything from 0 to 1.
    unknown = [item for item in scores if not item.known and item.weight > 0]
    known = sum(item.weight for item in scores if item.known)
    weights = sum(item.weight for item in scores) or 1.0
    low = total - sum(100 * item.weight * item.score for item in unknown)
    high = total + sum(100 * item.weight * (1 - item.score) for item in unknown)
    return Confidence(
        known_weight=round(known / weights, 3),
        unknown=tuple(item.name for item in unknown),
        low=round(max(low, 0.0), 1),
        high=round(min(high, 100.0), 1),
    )


def _notes(reading: Reading, evaluation: Evaluation) -> tuple[str, ...]:
    notes = []
    if "skills" not in evaluation.factors:
        notes.append(
            "No service was recognised in the skills or the description, so skills are not "
            "judged: name the services needed in `skills`."
        )
    unmatched = [item.text for item in reading.required if item.level == "unresolved"]
    if unmatched:
        notes.append(
            f"Not in the service taxonomy, matched against the vendors' own wording: "
            f"{listing(unmatched)}."
        )
    return tuple(notes)


def top_rows(
    candidates: np.ndarray, total: np.ndarray, tiebreak: np.ndarray, limit: int
) -> np.ndarray:
    """Return the best `limit` of the candidate rows, best first (equal scores by id)."""
    # Partition to the top `limit` scores first, keeping every vendor tied with the last one,
    # then sort that handful by score and, for equal scores, by id.
    if len(candidates) > limit:
        scores = total[candidates]
        cutoff = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = candidates[scores >= cutoff]
    order = np.lexsort((tiebreak[candidates], -total[candidates]))
    result: np.ndarray = candidates[order][:limit]
    return result


def _failure(evaluation: Evaluation, name: str, row: int) -> str:
    factor = evaluation.factors.get(name)
    if factor is None:
        return "no service was recognised in the requirement, so none can be shown to be met"
    return factor.explain(row)


def _sentence(item: FactorScore) -> str:
    return f"{item.name.replace('_', ' ')}: {item.reason}"


def explain(
    evaluation: Evaluation,
    index: CatalogIndex,
    knowledge: Knowledge,
    row: int,
    *,
    rank: int | None,
    stability: Stability | None = None,
) -> RankedVendor:
    """Build one vendor's result: factor breakdown, reasons, gaps and exclusions."""
    vendor = index.vendors[row]
    scores = []
    for name, factor in evaluation.factors.items():
        weight = evaluation.weights[name]
        score = float(factor.score[row])
        scores.append(
            FactorScore(
                name=name,
                weight=weight,
                score=round(score, 3),
                points=round(100 * weight * score, 3),
                reason=factor.explain(row),
                known=bool(factor.known[row]),
            )
        )
    strongest = sorted(scores, key=lambda item: -item.points)
    short = {name: factor.short(row) for name, factor in evaluation.factors.items()}
    failed = {name for name, failing in evaluation.fails.items() if failing[row]}
    reasons = tuple(
        _sentence(item)
        for item in strongest
        if item.known and not short[item.name] and item.name not in failed and item.weight > 0
    )
    gaps = tuple(
        _sentence(item)
        for item in strongest
        if not item.known or short[item.name] or item.name in failed
    )
    exclusions = [
        Exclusion(name, _failure(evaluation, name, row))
        for name, failing in evaluation.fails.items()
        if failing[row]
    ]
    if evaluation.banned[row]:
        countries = listing([knowledge.country_name(code) for code in vendor.delivery_countries])
        reason = f"delivers only from excluded countries ({countries})"
        if not vendor.delivery_countries:
            reason = "delivery countries not listed, so the excluded countries cannot be ruled out"
        geography = [item for item in exclusions if item.constraint == EXCLUDED_COUNTRIES]
        others = [item for item in exclusions if item.constraint != EXCLUDED_COUNTRIES]
        merged = "; ".join([reason, *(item.reason for item in geography)])
        exclusions = [Exclusion(EXCLUDED_COUNTRIES, merged), *others]
    total = float(evaluation.total[row])
    return RankedVendor(
        rank=rank,
        score=round(total, 1),
        vendor_id=vendor.id,
        name=vendor.name,
        tags=vendor.tags,
        factors=tuple(scores),
        reasons=reasons,
        gaps=gaps,
        excluded_by=tuple(exclusions),
        confidence=_confidence(total, scores),
        stability=stability,
    )
