"""Factors about cost and scale: budget and capacity."""

from __future__ import annotations

import numpy as np

from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.reading import Reading
from matcher.engine.scoring import NEUTRAL, Factor, failing

# Under budget by the whole band scores 1; the lower end within budget at least this much.
IN_BAND = 0.75
# Above budget, the score falls to 0 when the lowest rate is this share above the budget.
OVER_BUDGET_TO_ZERO = 0.5
# Headcount this many times the team size is comfortable capacity.
COMFORTABLE = 5.0


def budget(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score a vendor's rate band against the budget; closeness counts when above it."""
    limit, given = reading.budget_usd, reading.requirement.budget
    if limit is None or given is None:
        return None
    low, high, known = index.rate_low, index.rate_high, index.rate_known
    with np.errstate(invalid="ignore"):
        within = IN_BAND + (1 - IN_BAND) * np.clip((limit - low) / index.rate_spread, 0, 1)
        above = IN_BAND * np.clip(1 - (low - limit) / (OVER_BUDGET_TO_ZERO * limit), 0, 1)
        fits_low = low <= limit
        score = np.where(high <= limit, 1.0, np.where(fits_low, within, above))
    score[~known] = NEUTRAL
    passes = known & fits_low
    ceiling = f"{given.max_rate:g} {given.currency}/h"

    def explain(row: int) -> str:
        vendor = index.vendors[row]
        if not known[row]:
            if vendor.rate_min is None and vendor.rate_max is None:
                return "rates not listed"
            return f"rates in {vendor.currency}, for which no exchange rate is known"
        ends = sorted({value for value in (vendor.rate_min, vendor.rate_max) if value is not None})
        band = "–".join(f"{value:g}" for value in ends) + f" {vendor.currency}/h"
        if vendor.currency != given.currency:
            rate = knowledge.per_usd[given.currency]
            converted = "–".join(f"{v * rate:.0f}" for v in sorted({low[row], high[row]}))
            band += f" (about {converted} {given.currency})"
        if high[row] <= limit:
            return f"rate {band}, within the {ceiling} budget"
        if low[row] <= limit:
            return f"rate {band}: the lower end fits the {ceiling} budget"
        over = (low[row] - limit) / limit
        share = f"{over:.0%}" if over >= 0.01 else f"{over:.1%}" if over >= 0.001 else "just"
        return f"rate {band}, {share} above the {ceiling} budget"

    return Factor(score, known, passes, explain, lambda row: bool(known[row] and high[row] > limit))


def capacity(reading: Reading, index: CatalogIndex, knowledge: Knowledge) -> Factor | None:
    """Score a vendor's delivery headcount against the team size needed."""
    team = reading.requirement.team_size
    if team is None:
        return None
    staff = index.headcount
    known = ~np.isnan(staff)
    with np.errstate(invalid="ignore"):
        ratio = staff / team
        score = np.where(
            ratio >= 1,
            0.6 + 0.4 * np.clip((ratio - 1) / (COMFORTABLE - 1), 0, 1),
            0.6 * np.clip(ratio, 0, 1),
        )
    score = np.where(known, score, NEUTRAL)
    passes = known & (staff >= team)

    def explain(row: int) -> str:
        if not known[row]:
            return "headcount not listed"
        people = int(staff[row])
        if people >= team:
            times = f"{people / team:.1f}".removesuffix(".0")
            return f"{people} delivery staff for a team of {team} ({times}x)"
        return f"only {people} delivery staff for a team of {team}"

    return Factor(score, known, passes, explain, failing(known, passes))
