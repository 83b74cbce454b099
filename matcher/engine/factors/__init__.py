"""The factors, in one explicit registry: adding a factor is one function and one line here.

Each is `(reading, index, knowledge) -> Factor | None`: every vendor scored 0-1 at once, with
the reason for any one vendor rendered from the same arrays; None when the requirement does
not ask about it.
"""

from __future__ import annotations

from collections.abc import Callable

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

FACTOR_FUNCTIONS: tuple[tuple[str, FactorFunction], ...] = (
    ("engagement_model", engagement_model),
    ("skills", skills),
    ("geography", geography),
    ("budget", budget),
    ("languages", languages),
    ("certifications", certifications),
    ("qualifications", qualifications),
    ("capacity", capacity),
    ("industry", industry),
    ("track_record", track_record),
)
