"""The factors, in one registry: adding a factor is one function and one entry here.

Each function is `(reading, index, knowledge) -> Factor | None`: every vendor scored 0-1 at once,
with the reason for any one vendor rendered from the same arrays; None when the requirement does
not ask about it. The model's factor names, the pages' labels, what a hard constraint needs in
the profile and the default weights all derive from `REGISTRY`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from matcher.engine.factors.cost import budget, capacity
from matcher.engine.factors.people import languages, track_record
from matcher.engine.factors.place import geography
from matcher.engine.factors.work import (
    certifications,
    engagement_model,
    industry,
    qualifications,
    skills,
)
from matcher.engine.index import CatalogIndex
from matcher.engine.knowledge import Knowledge
from matcher.engine.reading import Reading
from matcher.engine.scoring import Factor

FactorFunction = Callable[[Reading, CatalogIndex, Knowledge], Factor | None]


@dataclass(frozen=True, slots=True)
class FactorSpec:
    """One factor: its name, how people read it, what it needs, its default weights, its score."""

    name: str
    label: str
    # Profile fields a hard constraint on this factor needs, any one of them; () for none.
    needs: tuple[str, ...]
    # Relative default weights for BPO and KPO work; the engine scales them to sum to 1.
    bpo: float
    kpo: float
    function: FactorFunction


# Skills (does the vendor do the work asked for) weighs most for both kinds of work. BPO is bought
# for cost arbitrage on rule-based, volume-driven work: budget, capacity (headcount to absorb
# volume) and certifications (PCI DSS, HIPAA, ISO 27001, COPC: compliance of the process) weigh
# more, staff qualifications little. KPO is bought for judgment (knowledge arbitrage): skills,
# qualifications (CFA, LLB, PhD) and track record weigh more, industry knowledge a little more,
# and budget, capacity and geography less: clients pay more for the right experts, and need fewer.
REGISTRY: tuple[FactorSpec, ...] = (
    FactorSpec("engagement_model", "Engagement model", (), 1.0, 1.0, engagement_model),
    FactorSpec("skills", "Skills", (), 3.0, 3.5, skills),
    FactorSpec(
        "geography", "Geography", ("countries", "delivery", "client_country"), 1.5, 1.0, geography
    ),
    FactorSpec("budget", "Budget", ("budget",), 2.5, 1.0, budget),
    FactorSpec("languages", "Languages", ("languages",), 1.5, 1.0, languages),
    FactorSpec("certifications", "Certifications", ("certifications",), 2.0, 1.0, certifications),
    FactorSpec(
        "qualifications", "Staff qualifications", ("qualifications",), 0.5, 2.5, qualifications
    ),
    FactorSpec("capacity", "Capacity", ("team_size",), 2.0, 0.75, capacity),
    FactorSpec("industry", "Industry", ("industry",), 1.0, 1.5, industry),
    FactorSpec("track_record", "Track record", (), 1.0, 2.0, track_record),
)

FACTORS: tuple[str, ...] = tuple(spec.name for spec in REGISTRY)
LABELS: Mapping[str, str] = {spec.name: spec.label for spec in REGISTRY}
NEEDS: Mapping[str, tuple[str, ...]] = {spec.name: spec.needs for spec in REGISTRY if spec.needs}
DEFAULT_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "BPO": {spec.name: spec.bpo for spec in REGISTRY},
    "KPO": {spec.name: spec.kpo for spec in REGISTRY},
}
