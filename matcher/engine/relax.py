"""When too few vendors pass the hard constraints: which to loosen, how, and what it adds."""

from __future__ import annotations

import math

import numpy as np

from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.model import Relaxation
from matcher.engine.reading import Reading
from matcher.engine.scoring import Evaluation


def relaxations(
    reading: Reading, index: CatalogIndex, knowledge: Knowledge, evaluation: Evaluation
) -> tuple[Relaxation, ...]:
    """Return, per hard constraint, the change that lets in the vendors it alone keeps out."""
    found = []
    wanted = reading.requirement.limit - int(evaluation.allowed.sum())
    for name, failing in evaluation.fails.items():
        others = ~evaluation.banned
        for other, mask in evaluation.fails.items():
            if other != name:
                others &= ~mask
        only_this = failing & others
        if not only_this.any():
            continue
        found.append(_relaxation(name, only_this, wanted, reading, index, knowledge))
    return tuple(sorted(found, key=lambda relaxation: (-relaxation.adds, relaxation.constraint)))


def _relaxation(
    name: str,
    only_this: np.ndarray,
    wanted: int,
    reading: Reading,
    index: CatalogIndex,
    knowledge: Knowledge,
) -> Relaxation:
    budget = reading.requirement.budget
    if name == "budget" and budget is not None and reading.budget_usd is not None:
        # The budget that lets in enough vendors: the wanted-th lowest rate among them.
        lowest = np.sort(index.rate_low[only_this & ~np.isnan(index.rate_low)])
        if lowest.size:
            needed_usd = lowest[min(wanted, lowest.size) - 1]
            per_usd = knowledge.per_usd[budget.currency]
            # Rounded first: 30 EUR converted there and back is 30.000000000000004, not 31.
            raised = math.ceil(round(needed_usd * per_usd, 6))
            adds = int((only_this & (np.round(index.rate_low * per_usd, 6) <= raised)).sum())
            suggestion = (
                f"raise the budget from {budget.max_rate:g} to {raised} {budget.currency}/h"
            )
            change = (("budget", {"max_rate": raised, "currency": budget.currency}),)
            return Relaxation(name, suggestion, adds, change)
    if name == "capacity" and reading.requirement.team_size is not None:
        staffed = only_this & (index.headcount >= 1)
        staff = np.sort(index.headcount[staffed])[::-1]
        if staff.size:
            team = int(staff[min(wanted, staff.size) - 1])
            adds = int((staffed & (index.headcount >= team)).sum())
            suggestion = f"start with a team of {team} instead of {reading.requirement.team_size}"
            return Relaxation(name, suggestion, adds, (("team_size", team),))
    label = name.replace("_", " ")
    suggestion = f"treat {label} as a preference instead of a hard constraint"
    kept = sorted(reading.requirement.hard_constraints - {name})
    return Relaxation(name, suggestion, int(only_this.sum()), (("hard_constraints", kept),))
